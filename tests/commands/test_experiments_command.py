"""`learnbot experiments` after a scripted merge, close and revert (both forges); the dashboard."""

from __future__ import annotations

import json

from tests.commands.test_run_scenarios import unlimited
from tests.harness import World


def test_experiments_after_merge_close_and_revert_show_each_outcome(world: World) -> None:
    unlimited(world)  # room for every learner's pull request, skills among them
    assert world.run().code == 0
    pulls = world.open_pulls()
    wire, stale, skills = (
        pulls[f"learnbot/{s}"]["number"] for s in ("it_wire_fraud", "mo_stale_hype", "skills")
    )
    world.merge(wire)
    world.close_pull(skills)
    assert world.learnbot("promote").code == 0
    reverted = world.merge(stale)
    assert world.learnbot("promote").code == 0
    world.revert(reverted)
    assert world.learnbot("promote").code == 0

    _, _, promotion, rollback = world.ledger()
    assert promotion["proposal_type"] == rollback["proposal_type"] == "tau_adjustment"

    result = world.learnbot("experiments", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    by_pr = {e["pr"]: e for e in found["experiments"]}
    assert by_pr[wire]["outcome"] == "merged" and "alice" in by_pr[wire]["reason"]
    assert by_pr[skills]["outcome"] == "rejected"
    assert by_pr[stale]["outcome"] == "rolled back"
    assert (
        by_pr[wire]["type"] == "threshold_adjustment" and by_pr[stale]["type"] == "tau_adjustment"
    )
    assert by_pr[skills]["learner"] == "skills" and by_pr[wire]["learner"] == "backtest"
    assert by_pr[wire]["evidence_digest"] and by_pr[wire]["objective_delta"] > 0
    others = [e for n, e in by_pr.items() if n not in (None, wire, stale, skills)]
    assert others and {e["outcome"] for e in others} == {"open"}
    rates = {r["group"]: r for r in found["by_learner"]}
    assert (rates["backtest"]["merged"], rates["backtest"]["decided"]) == (1, 2)
    assert rates["skills"]["success_rate"] == 0.0
    assert {r["group"] for r in found["by_type"]} >= {"threshold_adjustment", "tau_adjustment"}

    table = world.learnbot("experiments")
    assert f"#{stale}" in table.out and "rolled back" in table.out and "success" in table.out

    assert world.run().code == 0
    (board,) = world.dashboards()
    assert "### Experiments" in board["body"]
    assert "| learner | `backtest` | 1 | 2 |" in board["body"]
    assert "| type | `threshold_adjustment` | 1 | 1 |" in board["body"]


def test_candidates_the_gate_refused_are_experiments_kept_on_the_dashboard(world: World) -> None:
    unlimited(world)  # every proposal opens at once, so a second run has nothing new
    assert world.run().code == 0
    found = json.loads(world.learnbot("experiments", "--json").out)
    refused = [e for e in found["experiments"] if e["outcome"] == "refused by the gate"]
    # it_lookalike_domain: every fix breaks a protected case, so none reached a pull request
    lookalike = [e for e in refused if e["subject"] == "it_lookalike_domain"]
    assert lookalike and all(e["pr"] is None for e in lookalike)
    assert all("protected" in e["reason"] for e in lookalike), lookalike
    assert all(e["learner"] == "backtest" and e["evidence_digest"] for e in lookalike)
    assert all(e["at"] == "2026-01-20T00:00:00Z" for e in lookalike)
    assert len({e["proposal_id"] for e in refused}) == len(refused)
    rates = {r["group"]: r for r in found["by_learner"]}
    assert rates["backtest"]["decided"] == 0  # refused by the gate is never a person's decision
    table = world.learnbot("experiments").out
    assert "refused by the gate" in table and "it_lookalike_domain" in table

    world.reset_log()  # the same candidates refused again: nothing new, no dashboard write
    assert world.run().code == 0
    (board,) = world.dashboards()
    assert not [w for w in world.writes() if f"/issues/{board['number']}" in w]
    again = json.loads(world.learnbot("experiments", "--json").out)
    assert [e for e in again["experiments"] if e["outcome"] == "refused by the gate"] == refused


def test_gate_refused_candidates_are_not_kept_when_switched_off(world: World) -> None:
    world.set_config("experiments: {gate_rejected: false}\n")
    assert world.run().code == 0
    found = json.loads(world.learnbot("experiments", "--json").out)
    assert not [e for e in found["experiments"] if e["outcome"] == "refused by the gate"]
    (board,) = world.dashboards()
    assert "learnbot:experiments" not in board["body"]
