"""`learnbot labels import`: exports through the curator into one labels pull request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.commands.test_run_scenarios import plain
from tests.harness import World


def _gold_rows(count: int, start: int = 0) -> list[dict[str, object]]:
    rows = []
    for i in range(start, start + count):
        rows.append(
            {
                "agent": "mail_triage",
                "key": f"thread-{i}",
                "id": f"gold-{i}",
                "label": "quarantine" if i % 3 == 0 else "safe",
                "payload": {"risk_score": 40 + (i * 7) % 55, "attachments": i % 4, "age": i * 13},
                "notes": "reviewed by the security team",
                "at": "2026-01-18T00:00:00Z",
            }
        )
    return rows


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_import_opens_one_labels_pull_request_that_checks_and_merges(
    world: World, tmp_path: Path
) -> None:
    rows = _gold_rows(12)
    rows[1]["notes"] = "sender was bob@example.com, card 4111 1111 1111 1111"
    rows.append(dict(rows[0]))  # the same gold id twice
    rows.append({**_gold_rows(1, 50)[0], "origin": "learnbot[bot]"})
    export = _write_jsonl(tmp_path / "gold.jsonl", rows)
    result = world.learnbot(
        "labels", "import", str(export), "--source", "gold", "--now", "2026-01-20T00:00:00Z"
    )
    assert result.code == 0, result.err
    assert "labels pull request opened" in result.err
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    body = plain(pull["body"])
    assert "| `mail_triage` | `quarantine` | gold | 4 |" in body
    assert "| `mail_triage` | `safe` | gold | 8 |" in body
    assert "PII redacted before commit: 1 card, 1 email." in body
    assert "duplicate: gold gold-0 is already labeled" in body
    assert "self-loop: labelled by learnbot[bot]" in body
    assert world.check(pull["branch"]).code == 0
    (check,) = world.checks(pull["head_sha"])
    assert check["success"] and check["title"] == "Labels valid: 12 new example(s)"
    again = world.learnbot(
        "labels", "import", str(export), "--source", "gold", "--now", "2026-01-20T00:00:00Z"
    )
    assert again.code == 0 and "already open as" in again.err
    assert len([p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]) == 1
    world.run()  # a scheduled run leaves the labels pull request alone
    assert pull["branch"] in world.open_pulls()
    world.merge(pull["number"])
    lines = world.file_on_main("cases/labels/mail_triage.jsonl").splitlines()
    assert len(lines) == 12
    assert "[email]" in lines[1] and "[card]" in lines[1] and "bob@" not in lines[1]
    world.learnbot("promote")
    (entry,) = world.ledger()
    assert (entry["type"], entry["examples"], entry["pr"]) == ("labels", 12, pull["number"])
    assert entry["files"] == ["cases/labels/mail_triage.jsonl"]
    # the same export again: everything is already labeled, nothing is opened
    third = world.learnbot("labels", "import", str(export), "--source", "gold")
    assert third.code == 0 and "nothing new to import" in third.err


def test_import_refuses_invalid_rows_and_writes_nothing(world: World, tmp_path: Path) -> None:
    export = tmp_path / "approvals.csv"
    export.write_text(
        "agent,key,id,action,decision,risk_score\n"
        "mail_triage,t1,r1,quarantine,approved,80\n"
        "Mail Triage,t2,r2,quarantine,rejected,30\n"
        "mail_triage,t3,,quarantine,approved,75\n"
    )
    result = world.learnbot("labels", "import", str(export), "--source", "approvals")
    assert result.code == 2
    assert f"{export}:3: /agent: 'Mail Triage' is not a valid agent name" in result.err
    assert f"{export}:4: /id: missing 'id'" in result.err
    assert "2 invalid row(s); nothing was imported" in result.err
    assert not [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]


def test_check_fails_a_labels_branch_a_person_edited(world: World, tmp_path: Path) -> None:
    export = _write_jsonl(tmp_path / "gold.jsonl", _gold_rows(12))
    world.learnbot("labels", "import", str(export), "--source", "gold")
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    extra = {
        "agent": "mail_triage",
        "key": "thread-99",
        "payload": {"from": "eve@example.org"},
        "label": "safe",
        "source": "gold",
        "source_id": "gold-99",
        "confidence": 100,
        "at": "2026-01-18T00:00:00Z",
    }
    world.push_to_branch(
        pull["branch"],
        "cases/labels/mail_triage.jsonl",
        lambda text: text + json.dumps(extra) + "\n",
        "add one more",
    )
    assert world.check(pull["branch"]).code == 1
    head = world.open_pulls()[pull["branch"]]["head_sha"]
    (check,) = world.checks(head)
    assert "holds PII the curator redacts" in check["summary"]


def test_validate_reports_each_bad_label_line(repo: Path, capsys: object) -> None:
    from bot.cli import main

    good = {
        "agent": "mail_triage",
        "key": "t1",
        "payload": {"risk_score": 70},
        "label": "safe",
        "source": "gold",
        "source_id": "g1",
        "confidence": 100,
        "at": "2026-01-18T00:00:00Z",
    }
    folder = repo / "cases/labels"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mail_triage.jsonl").write_text(
        json.dumps(good)
        + "\n"
        + json.dumps({**good, "confidence": 140, "source_id": "g2"})
        + "\n{oops\n"
        + json.dumps({**good, "agent": "other", "source_id": "g3"})
        + "\n"
        + json.dumps(good)
        + "\n"
    )
    (folder / "mail_triage.evaluations.jsonl").write_text(
        '{"key": "t9", "at": "x", "judges": {}}\n'
    )
    assert main(["validate", "--repo", str(repo)]) == 2
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert (
        "cases/labels/mail_triage.jsonl:2: /confidence: 140 is greater than the maximum of 100"
        in out
    )
    assert "cases/labels/mail_triage.jsonl:3: invalid JSON" in out
    assert (
        "cases/labels/mail_triage.jsonl:4: /agent: 'other' must equal the file's 'mail_triage'"
        in out
    )
    assert "cases/labels/mail_triage.jsonl:5: /source_id: gold g1 repeats line 1" in out
    assert "cases/labels/mail_triage.evaluations.jsonl:1: /at: 'x' does not match" in out
    assert "cases/labels/mail_triage.evaluations.jsonl:1: /judges: {} " in out


def test_import_json_names_what_was_kept_dropped_and_the_pull_request(
    world: World, tmp_path: Path
) -> None:
    rows = _gold_rows(6)
    rows.append(dict(rows[0]))  # a duplicate, dropped
    export = _write_jsonl(tmp_path / "gold.jsonl", rows)
    args = ("labels", "import", str(export), "--source", "gold", "--now", "2026-01-20T00:00:00Z")
    dry = world.learnbot(*args, "--dry-run", "--json")
    assert dry.code == 0, dry.err
    shown = json.loads(dry.out)
    assert shown["pull_request"] is None
    assert sum(r["count"] for r in shown["accepted"]) == 6
    assert [d["reason"] for d in shown["dropped"]] == ["duplicate: gold gold-0 is already labeled"]
    opened = json.loads(world.learnbot(*args, "--json").out)
    (pull,) = [p for p in world.pulls() if p["branch"].startswith("learnbot/labels/")]
    assert opened["pull_request"] == pull["number"]
