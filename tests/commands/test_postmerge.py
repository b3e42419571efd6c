"""Post-merge verification: a stale merge ends with `verified: false`, a revert PR, a forward
version and a verified ledger; merging the revert records the rollback (both forges)."""

from __future__ import annotations

import re

from bot.core import ledger
from tests.commands.test_run_scenarios import plain, unlimited
from tests.harness import World

AIRDROP, SLOW_BURN = "learnbot/te_airdrop_season", "learnbot/te_slow_burn"
WIRE, ETH = "learnbot/it_wire_fraud", "learnbot/cv_eth_accumulation"


def _version(world: World) -> int:
    found = re.search(r"^version: (\d+)$", world.file_on_main("policies/term_emergence.yaml"), re.M)
    assert found is not None
    return int(found.group(1))


def _verified(world: World) -> None:
    data = world.file_on_main("ledgers/learning.jsonl").encode() + b"\n"
    assert ledger.verify(data).ok, ledger.verify(data).problem


def _merge_anyway(world: World, number: int) -> str:
    """A person merges without waiting: GitHub has no protection set, locally --force."""
    if world.fake is not None:
        return world.merge(number)
    assert world.learnbot("merge", str(number), "--force").code == 0
    return _head(world)


def _head(world: World) -> str:
    from tests.repos import git

    git(world.repo, "fetch", "--quiet", "origin")
    return git(world.repo, "rev-parse", f"refs/remotes/origin/{world.branch}")


def test_a_stale_merge_is_unverified_reverted_by_a_pull_request_and_rolled_back(
    world: World,
) -> None:
    unlimited(world)
    assert world.run().code == 0
    pulls = world.open_pulls()
    assert {AIRDROP, SLOW_BURN} <= set(pulls), sorted(pulls)
    start = _version(world)
    fresh_merge = world.merge(pulls[AIRDROP]["number"])
    # before promote can rebuild the other proposal, a person merges it too
    stale = _merge_anyway(world, pulls[SLOW_BURN]["number"])
    result = world.learnbot("promote")
    assert result.code == 1
    fresh, entry = world.ledger()
    assert fresh["commit"] == fresh_merge and fresh["verified"] is True and fresh["reasons"] == []
    assert entry["type"] == "promotion" and entry["commit"] == stale
    assert entry["verified"] is False and entry["reasons"][0].startswith("stale base:")
    assert f"ledgers/learning.jsonl:{entry['seq']}: the promotion of #" in result.err
    assert fresh["versions"]["term_emergence"] == {"from": start, "to": start + 1}
    assert entry["versions"]["term_emergence"] == {"from": start + 1, "to": start + 2}
    assert entry["forwarded"] == ["term_emergence"] and _version(world) == start + 2
    _verified(world)

    reverts = [p for p in world.pulls() if p["branch"].startswith("learnbot-revert/")]
    (revert,) = reverts
    assert revert["state"] == "open" and "learnbot-revert" in revert["labels"]
    body = plain(revert["body"])
    assert f"Ledger entry {entry['seq']}" in body and entry["sha256"][:16] in body
    assert "stale base" in body and "verified: false" in body

    assert world.learnbot("promote").code == 0  # nothing new; the revert is not opened twice
    world.run()
    (board,) = world.dashboards()
    unverified = plain(board["body"]).split("### Unverified promotions", 1)[1]
    assert f"| {entry['seq']} | `te_slow_burn` | #{pulls[SLOW_BURN]['number']} | stale base" in (
        unverified
    )
    assert "see its revert pull request" in unverified
    assert len([p for p in world.pulls() if p["branch"].startswith("learnbot-revert/")]) == 1

    world.merge(revert["number"])
    assert world.learnbot("promote").code == 0
    rollback = world.ledger()[-1]
    assert rollback["type"] == "rollback" and rollback["reverted"] == stale
    assert (
        rollback["versions"]["term_emergence"]["to"]
        == _version(world)
        > entry["versions"]["term_emergence"]["to"]
    )
    assert "window_days:\n    value: 7\n" in world.file_on_main("policies/term_emergence.yaml")
    _verified(world)
    assert world.learnbot("promote").code == 0 and world.ledger()[-1] == rollback


def test_an_out_of_scope_forced_merge_is_unverified(world: World) -> None:
    assert world.run().code == 0
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    world.push_to_branch(
        "learnbot/it_wire_fraud",
        "policies/inbox_triage.yaml",
        lambda t: re.sub(r"(trusted_reputation:\n    value:) [0-9.]+", r"\1 0.95", t),
        "and a stricter trusted sender",
    )
    _merge_anyway(world, wire["number"])
    assert world.learnbot("promote").code == 1
    (entry,) = world.ledger()
    assert entry["verified"] is False
    reasons = " | ".join(entry["reasons"])
    assert "check learnbot/stabilization is missing on" in reasons
    assert "out of scope: inbox_triage.trusted_reputation: changed but not declared" in reasons


def test_a_branch_checked_again_on_the_moved_base_merges_verified(world: World) -> None:
    """A passed check replayed on the learned state merged into vouches for the combination,
    as it does for `learnbot merge`: the second merge is verified, not called stale."""
    assert world.run().code == 0
    pulls = world.open_pulls()
    world.merge(pulls[WIRE]["number"])
    assert world.check(ETH).code == 0  # replayed on the base that now holds WIRE's change
    world.merge(pulls[ETH]["number"])
    promoted = world.learnbot("promote")
    assert promoted.code == 0, promoted.err
    assert [(e["verified"], e["reasons"]) for e in world.ledger()] == [(True, []), (True, [])]
    _verified(world)


def test_a_branch_whose_file_moved_underneath_fails_its_check_until_rebuilt(
    world: World,
) -> None:
    """Both proposals bump term_emergence's version: git would merge the two bumps as one, so
    the second branch must be brought up to date; promote rebuilds it, and then it merges."""
    unlimited(world)
    assert world.run().code == 0
    pulls = world.open_pulls()
    world.merge(pulls[AIRDROP]["number"])
    stale = world.check(SLOW_BURN)
    assert stale.code == 1
    assert (
        "policies/term_emergence.yaml: changed on the base branch since this branch was cut"
        in stale.out
    )
    if world.fake is None:  # the local forge's merge acts as a protected branch
        refused = world.learnbot("merge", str(pulls[SLOW_BURN]["number"]))
        assert refused.code == 1 and "changed on the base branch" in refused.err
    assert world.learnbot("promote").code == 0  # records AIRDROP, rebuilds SLOW_BURN
    assert world.check(SLOW_BURN).code == 0
    world.merge(pulls[SLOW_BURN]["number"])
    assert world.learnbot("promote").code == 0
    assert [(e["verified"], e["reasons"]) for e in world.ledger()] == [(True, []), (True, [])]
    _verified(world)
