"""The review queue issue and `/learnbot label` comments (both forges)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.edges.forge import read_metadata
from tests.commands.test_run_scenarios import plain
from tests.harness import World

QUEUE = "learnbot-review:inbox_triage"


def _queues(world: World) -> list[dict[str, Any]]:
    if world.fake is None:
        return [i for i in world._records()["issues"].values() if QUEUE in i["labels"]]
    return [world.fake.issue(n) for n in world.fake.issues_with_label(QUEUE)]


def _grant(world: World, login: str, permission: str) -> None:
    if world.fake is None:
        assert world.learnbot("collaborator", login, "--permission", permission).code == 0
    else:
        world.fake.set_permission(login, permission)


def _comment(world: World, number: int, author: str, body: str, tmp: Path) -> str:
    """A person comments; learnbot handles it; the reply it left (if any)."""
    before = len(world.comments(number))
    if world.fake is None:
        result = world.learnbot("comment", "--issue", str(number), "--author", author, body)
    else:
        payload = {
            "action": "created",
            "issue": {"number": number},
            "comment": {
                "id": 7000 + before,
                "body": body,
                "user": {"login": author},
                "created_at": "2026-01-20T00:00:00Z",
            },
        }
        result = world.in_actions("comment", "issue_comment", payload, tmp)
    assert result.code == 0, result.err
    added = world.comments(number)[before:]
    replies = [c for c in added if c != body]
    return replies[-1] if replies else ""


def test_review_queue_issue_and_comment_labels(world: World, tmp_path: Path) -> None:
    assert world.run().code == 0
    (issue,) = _queues(world)
    body = plain(issue["body"])
    assert "### Review queue for `inbox_triage`" in body
    metadata = read_metadata(issue["body"])
    keys = metadata["keys"]
    assert 1 <= len(keys) <= 20 and metadata["agent"] == "inbox_triage"
    assert "| ☐ | `" + keys[0] + "` | disagreement | 0.597 |" in body
    number = issue["number"]
    _grant(world, "alice", "write")
    _grant(world, "mallory", "read")
    label = f"/learnbot label {keys[0]} quarantine_approved looks like phishing"

    reply = _comment(world, number, "mallory", label, tmp_path)
    assert "Not recorded: mallory has read permission" in plain(reply)
    reply = _comment(world, number, "nobody", label, tmp_path)
    assert "nobody has" in plain(reply) and "labelling needs write" in plain(reply)
    reply = _comment(world, number, "alice", "/learnbot label thread-0 safe", tmp_path)
    assert "`thread-0` is not an item of this review queue" in reply
    reply = _comment(world, number, "alice", f"/learnbot label {keys[0]} spam", tmp_path)
    assert "`spam` is not a label of `inbox_triage`" in reply
    assert "`quarantine_approved`" in reply
    assert not [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]

    reply = _comment(world, number, "alice", label, tmp_path)
    assert reply.startswith(f"Recorded `{keys[0]}` as `quarantine_approved` in #")
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    (check,) = world.checks(pull["head_sha"])
    assert check["success"], check["summary"]
    (issue,) = _queues(world)
    assert "| ☑ | `" + keys[0] + "`" in plain(issue["body"])
    second = f"/learnbot label {keys[1]} quarantine_rejected"
    assert _comment(world, number, "alice", second, tmp_path).startswith("Recorded")
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    # the body counts what the branch now adds, both labels
    assert pull["title"] == "learnbot(labels): 2 labeled examples (2 review)"
    text = plain(pull["body"]).split("<!-- learnbot:metadata")[0]
    assert "| `inbox_triage` | `quarantine_approved` | review | 1 |" in text
    assert "| `inbox_triage` | `quarantine_rejected` | review | 1 |" in text
    assert text.count("Labelled by a comment on the inbox") == 2
    assert read_metadata(pull["body"])["subject"].startswith("labels/review-inbox_triage-")
    # a labels pull request replays no candidate: it is not an experiment
    found = json.loads(world.learnbot("experiments", "--json").out)["experiments"]
    assert not [e for e in found if e["subject"].startswith("labels/")]

    world.reset_log()
    world.run()
    assert not [w for w in world.writes() if f"/issues/{number}" in w and "PATCH" in w]
    world.merge(world.open_pulls()[pull["branch"]]["number"])
    world.learnbot("promote")
    (entry,) = world.ledger()
    assert (entry["type"], entry["examples"]) == ("labels", 2)
    added = [
        json.loads(x) for x in world.file_on_main("cases/labels/inbox_triage.jsonl").splitlines()
    ][-2:]
    assert [(a["key"], a["source"], a["label"]) for a in added] == [
        (keys[0], "review", "quarantine_approved"),
        (keys[1], "review", "quarantine_rejected"),
    ]
    assert added[0]["notes"] == "looks like phishing"
    world.run()
    (issue,) = _queues(world)
    assert keys[0] not in read_metadata(issue["body"])["keys"]
