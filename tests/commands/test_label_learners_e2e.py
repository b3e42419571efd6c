"""The label learners end to end (both forges): import -> labels PR -> merge -> judge weights
and trainer PRs -> check -> merge -> promote, with every step in the ledger."""

from __future__ import annotations

import json
from pathlib import Path

from bot.edges.forge import read_metadata
from tests.commands.test_run_scenarios import plain
from tests.harness import NAME, OWNER, World

JUDGES = "learnbot/judges/inbox_triage_judges"
TRAINER = "learnbot/trainer/inbox_triage"


def roomy(world: World) -> None:
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_new_per_run: 5", "max_new_per_run: 20").replace(
            "max_open: 10", "max_open: 30"
        ),
        "room for every proposal",
    )


def _gold(count: int) -> list[dict[str, object]]:
    rows = []
    for i in range(count):
        risk, keywords = 30 + (i * 37) % 70, i % 5
        positive = risk >= 64 and keywords >= 2
        label = "quarantine_approved" if positive else "quarantine_rejected"
        other = "quarantine_rejected" if positive else "quarantine_approved"
        rows.append(
            {
                "agent": "inbox_triage",
                "key": f"thread-9{i:03d}",
                "id": f"audit-{i}",
                "label": label,
                "payload": {"risk_score": risk, "suspicious_keywords": keywords, "seq": i},
                "at": "2026-01-19T12:00:00Z",
                "judges": {"gpt-35-turbo": {"verdict": other, "confidence": 0.9}},
            }
        )
    return rows


def test_import_then_judges_and_trainer_pull_requests_to_promotion(
    world: World, tmp_path: Path
) -> None:
    roomy(world)
    export = tmp_path / "audit.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in _gold(24)))
    assert world.learnbot("labels", "import", str(export), "--source", "gold").code == 0
    (labels_pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    assert world.check(labels_pull["branch"]).code == 0
    world.merge(labels_pull["number"])
    assert world.learnbot("promote").code == 0

    result = world.run()
    assert result.code == 0, result.err
    pulls = world.open_pulls()
    judges_body = plain(pulls[JUDGES]["body"])
    assert "| judge | old | new | agreement | calibration | examples |" in judges_body
    assert "| gpt-35-turbo | 0.60 |" in judges_body
    trainer_body = plain(pulls[TRAINER]["body"])
    assert "174 training examples (sources: approvals 120, gold 54" in trainer_body
    assert (
        "| risk_score | inbox_quarantine.risk_min | risk_score &gt;= value | 75 |" in trainer_body
    )
    assert "held-out accuracy (5-fold, 174 examples)" in trainer_body
    for branch in (JUDGES, TRAINER):
        if branch == TRAINER:  # the judges merge moved the learned state: bring it up to date
            world.update_branch(world.open_pulls()[branch]["number"], branch)
        assert world.check(branch).code == 0, branch
        (check,) = world.checks(world.open_pulls()[branch]["head_sha"])
        assert check["success"]
        world.merge(world.open_pulls()[branch]["number"])
        assert world.learnbot("promote").code == 0
    entries = world.ledger()
    assert [e["type"] for e in entries] == ["labels", "promotion", "promotion"]
    assert {e.get("learner") for e in entries[1:]} == {"judges", "trainer"}
    policy = world.file_on_main("policies/inbox_quarantine.yaml")
    assert "version: 2" in policy and "value: 75" not in policy
    # a second run proposes nothing new for either learner: the state already says it
    again = world.run()
    assert "trainer: the fitted thresholds equal the current ones" in again.err
    assert "judges: no judge's weight moved by a whole step" in again.err


def test_a_tampered_trainer_branch_fails_its_check(world: World) -> None:
    roomy(world)
    world.run()
    world.push_to_branch(
        TRAINER,
        "policies/inbox_quarantine.yaml",
        lambda t: t.replace("value: 65", "value: 50"),
        "a lower threshold",
    )
    assert world.check(TRAINER).code == 1
    (check,) = world.checks(world.open_pulls()[TRAINER]["head_sha"])
    assert "inbox_quarantine.risk_min: 50 vs 65" in plain(check["summary"])


def test_a_closed_proposal_becomes_a_rejected_label_with_the_closing_comment(
    world: World,
) -> None:
    roomy(world)
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    reason = "Too lax: wire fraud at 68 is a vendor's habit, call bob@example.com"
    if world.fake is None:
        assert world.learnbot("close", str(wire["number"]), "--comment", reason).code == 0
    else:
        repo = world.fake.client().get_repo(f"{OWNER}/{NAME}")
        repo.get_issue(wire["number"]).create_comment(reason)
        world.fake.close_pull(wire["number"])
    world.learnbot("promote")
    result = world.run()
    assert "rejections: labels pull request opened" in result.err
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/rejections-")]
    assert "| `learnbot` | `rejected` | approvals | 1 |" in plain(pull["body"])
    assert world.check(pull["branch"]).code == 0
    again = world.run()
    assert "rejections:" not in again.err  # already in the open labels pull request
    world.merge(pull["number"])
    (line,) = world.file_on_main("cases/labels/learnbot.jsonl").splitlines()
    label = json.loads(line)
    assert (label["label"], label["source"], label["source_id"]) == (
        "rejected",
        "approvals",
        f"pr-{wire['number']}",
    )
    assert label["key"] == read_metadata(wire["body"])["failure_id"]
    assert label["payload"]["subject"] == "it_wire_fraud"
    assert label["notes"] == "Too lax: wire fraud at 68 is a vendor's habit, call [email]"
