"""promote rebuilds the proposals a change made stale, in the same job; others are left alone."""

from __future__ import annotations

from tests.commands.test_run_scenarios import unlimited
from tests.harness import World

AIRDROP, SLOW_BURN = "learnbot/te_airdrop_season", "learnbot/te_slow_burn"
DOPPELGANGER, WIRE = "learnbot/te_digital_doppelganger", "learnbot/it_wire_fraud"
LEARNERS = ("learnbot/karma/producer_karma", "learnbot/skills")


def test_promote_rebuilds_the_proposals_whose_evidence_a_merge_changed(world: World) -> None:
    unlimited(world)
    assert world.run().code == 0
    before = world.open_pulls()
    assert {AIRDROP, SLOW_BURN, DOPPELGANGER, WIRE, *LEARNERS} <= set(before), sorted(before)
    world.merge(before[AIRDROP]["number"])
    result = world.learnbot("promote")
    assert result.code == 0, result.err
    after = world.open_pulls()
    # every case proposal replays the protected term-emergence cases the merge changed
    for branch in (SLOW_BURN, DOPPELGANGER, WIRE):
        assert after[branch]["head_sha"] != before[branch]["head_sha"]
        assert f"#{before[branch]['number']} {branch}: new evidence or base" in result.err
        (check,) = world.checks(after[branch]["head_sha"])
        assert check["success"], check["title"]
    assert all(after[b]["head_sha"] == before[b]["head_sha"] for b in LEARNERS)
    planned = world.run("--dry-run").out.splitlines()
    for branch in (SLOW_BURN, DOPPELGANGER, WIRE):  # nothing left for the next run to rebuild
        assert any(line.startswith("keep") and branch in line for line in planned), planned

    # rebuilt: merging it now is neither stale nor unchecked
    world.merge(after[SLOW_BURN]["number"])
    assert world.learnbot("promote").code == 0
    entry = world.ledger()[-1]
    assert entry["type"] == "promotion" and entry["verified"] is True, entry["reasons"]


def test_promote_leaves_proposals_whose_evidence_did_not_change_alone(world: World) -> None:
    unlimited(world)
    assert world.run().code == 0
    before = world.open_pulls()
    world.change_main(
        "cases/te_fading_buzz.yaml",
        lambda t: t.replace("Mentioned twice", "Mentioned just twice"),
        "reword a case",
    )
    result = world.learnbot("promote")
    assert result.code == 0, result.err
    after = world.open_pulls()
    # the term-emergence proposals replay every term-emergence case; the others do not
    assert after[SLOW_BURN]["head_sha"] != before[SLOW_BURN]["head_sha"]
    for branch in (WIRE, *LEARNERS):
        assert after[branch]["head_sha"] == before[branch]["head_sha"], branch
    assert f"{WIRE}:" not in result.err
