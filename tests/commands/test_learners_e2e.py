"""The b1e55ed learners through the one pipeline: PR, check, merge, ledger, revert (both forges)."""

from __future__ import annotations

import re

from bot.core import ledger
from tests.commands.test_run_scenarios import plain, unlimited
from tests.harness import World

WEIGHTS = "learnbot/weights/conviction_weights"
KARMA = "learnbot/karma/producer_karma"
SKILLS = "learnbot/skills"


def test_weights_pull_request_is_opened_checked_merged_ledgered_and_rolled_back(
    world: World,
) -> None:
    unlimited(world)
    world.run()
    pull = world.open_pulls()[WEIGHTS]
    body = plain(pull["body"])
    assert "| domain | old | new | delta | why |" in body
    assert (
        "| onchain | 0.2500 | 0.2582 | +0.0082 | correlation +0.439 over 28 positions "
        "-&gt; +0.0082 |" in body
    )
    assert (
        "`objective_delta`" in pull["body"]
        and "objective (correlation of the weighted conviction" in body
    )
    (check,) = world.checks(pull["head_sha"])
    assert check["success"]
    assert world.check(WEIGHTS).code == 0
    merge = world.merge(pull["number"])
    world.learnbot("promote")
    (promotion,) = world.ledger()
    assert (promotion["type"], promotion["learner"], promotion["subject"]) == (
        "promotion",
        "weights",
        "weights/conviction_weights",
    )
    assert promotion["values"]["conviction_weights.onchain"] == {"from": 0.25, "to": 0.2582}
    assert promotion["versions"] == {"conviction_weights": {"from": 1, "to": 2}}
    world.revert(merge)
    world.learnbot("promote")
    _, rollback = world.ledger()
    assert rollback["type"] == "rollback" and rollback["versions"] == {
        "conviction_weights": {"from": 1, "to": 3}
    }
    data = world.file_on_main("ledgers/learning.jsonl").encode() + b"\n"
    assert ledger.verify(data).ok
    result = world.run()
    assert (
        "weights: no proposal: every candidate that passes the gate was rolled back" in result.err
    )


def test_weights_are_not_due_again_within_the_cadence(world: World) -> None:
    unlimited(world)
    world.run()
    world.merge(world.open_pulls()[WEIGHTS]["number"])
    world.learnbot("promote")
    result = world.run()
    assert "weights: not due (every 7 days)" in result.err


def test_karma_pull_request_and_a_tampered_value(world: World) -> None:
    unlimited(world)
    world.run()
    pull = world.open_pulls()[KARMA]
    assert "| producer | old | new |" in plain(pull["body"])
    assert world.check(KARMA).code == 0
    world.push_to_branch(
        KARMA,
        "policies/producer_karma.yaml",
        lambda t: re.sub(r"value: -0\.117244", "value: 0.5", t),
        "generous karma",
    )
    assert world.check(KARMA).code == 1
    head = world.open_pulls()[KARMA]["head_sha"]
    summary = plain(world.checks(head)[0]["summary"])
    assert (
        "matches_recomputation" in summary
        and "producer_karma.macro_watch: 0.5 vs -0.117244" in summary
    )


def test_skills_pull_request_moves_files_and_checks_the_rule(world: World) -> None:
    unlimited(world)
    world.run()
    pull = world.open_pulls()[SKILLS]
    body = plain(pull["body"])
    assert "| breakout-retest.md | pending | active | score 4 &gt;= 3 |" in body
    assert "| funding-squeeze.md | active | archived | score -3 &lt;= -3 |" in body
    assert world.check(SKILLS).code == 0
    world.merge(pull["number"])
    world.learnbot("promote")
    (entry,) = world.ledger()
    assert entry["type"] == "promotion" and entry["learner"] == "skills"
    assert "score: 4" in world.file_on_main("policies/skills/active/breakout-retest.md")


def test_forecast_performance_and_the_shadow_ensemble_on_the_dashboard(world: World) -> None:
    world.run()
    (board,) = world.dashboards()
    text = plain(board["body"])
    assert "### Forecast performance" in text and "| `onchain_flow` | 73 | 0.616 |" in text
    assert (
        "### Ensemble learner (shadow)" in text
        and "278 resolved forecasts of the 500 it needs" in text
    )
