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
    others = [e for n, e in by_pr.items() if n not in (wire, stale, skills)]
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
