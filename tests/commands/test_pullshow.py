"""Local review: `prs show N`, and `--json` on the commands that print data (#16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.commands.test_init import empty_repo
from tests.harness import World
from tests.repos import commit_all, git


@pytest.fixture
def proposed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The starter, pushed, with its one proposal open on the local forge."""
    work = empty_repo(tmp_path, origin_head="main")
    assert main(["init", "--repo", str(work)]) == 0
    commit_all(work, "start")
    git(work, "push", "--quiet", "origin", "main")
    assert main(["run", "--repo", str(work), "--forge", "local"]) == 0
    capsys.readouterr()
    return work


def test_prs_show_prints_the_body_check_and_gate_table(
    proposed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prs", "show", "1", "--repo", str(proposed)]) == 0
    out = capsys.readouterr().out
    first, second = out.splitlines()[:2]
    assert first.startswith("#1 learnbot(alerting): threshold adjustment for search_outage")
    assert "branch: learnbot/search_outage -> main" in second
    assert "check learnbot/stabilization: passed: Gate passed" in out
    gate = next(line for line in out.splitlines() if line.startswith("source_case_fixed"))
    assert gate.split() == ["source_case_fixed", "search_outage", "search_outage", "passes", "pass"]
    assert "### Threshold adjustment for `search_outage`" in out  # the rendered body
    assert "learnbot:metadata" not in out  # the hidden marker is for learnbot, not for people


def test_prs_show_json_has_the_body_checks_and_gate_rows(
    proposed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prs", "show", "1", "--repo", str(proposed), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["number"] == 1 and shown["state"] == "open"
    assert "```mermaid" in shown["body"] and shown["metadata"]["subject"] == "search_outage"
    (check,) = shown["checks"]
    assert check["success"] is True and "criterion" in check["summary"]
    rows = {r["criterion"]: r for r in shown["gate"]}
    assert rows["protected_regressions"] == {
        "criterion": "protected_regressions",
        "value": "0",
        "limit": "<= 0",
        "verdict": "pass",
    }
    assert main(["prs", "--repo", str(proposed), "--json"]) == 0  # the list still works
    assert [p["number"] for p in json.loads(capsys.readouterr().out)] == [1]


def test_prs_show_of_a_missing_pull_request_is_exit_2(
    proposed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prs", "show", "9", "--repo", str(proposed)]) == 2
    assert "#9" in capsys.readouterr().err


def test_merge_promote_and_propose_print_json(
    proposed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = ["--repo", str(proposed)]
    assert main(["propose", *repo, "--failure", "search_outage", "--json"]) == 0
    proposal = json.loads(capsys.readouterr().out)
    assert proposal["subject"] == "search_outage" and proposal["changes"]
    assert main(["merge", "1", *repo, "--approved-by", "ana", "--json"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["number"] == 1 and merged["merged_into"] == "main" and merged["forced"] == []
    assert main(["promote", *repo, "--json"]) == 0
    promoted = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in promoted["entries"]] == ["promotion"]
    assert promoted["commit"] and promoted["reverts"] == {}
    assert main(["promote", *repo, "--json"]) == 0  # nothing new: still JSON
    assert json.loads(capsys.readouterr().out)["entries"] == []


def test_close_prints_json(proposed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["close", "1", "--repo", str(proposed), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"number": 1, "state": "closed"}


def test_collaborator_and_schema_export_print_json(
    proposed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["collaborator", "ana", "--permission", "write", "--repo", str(proposed), "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == {"login": "ana", "permission": "write"}
    assert main(["schema", "export", str(tmp_path / "schemas"), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert str(tmp_path / "schemas" / "learnbot-config.schema.json") in written
    assert all(Path(p).is_file() for p in written)


def test_prs_show_on_either_forge(world: World) -> None:
    world.run()
    number = world.open_pulls()["learnbot/it_wire_fraud"]["number"]
    shown = world.learnbot("prs", "show", str(number), "--json")
    assert shown.code == 0, shown.err
    found = json.loads(shown.out)
    assert found["title"].startswith("learnbot(inbox_triage): threshold adjustment")
    assert [c["success"] for c in found["checks"]] == [True]
    rows = {r["criterion"]: r["verdict"] for r in found["gate"]}
    assert rows["source_case_fixed"] == "pass" and rows["protected_regressions"] == "pass"
    text = world.learnbot("prs", "show", str(number))
    assert text.code == 0 and "check learnbot/stabilization: passed" in text.out
