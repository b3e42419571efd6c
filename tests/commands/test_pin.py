"""`learnbot pin`: re-pin a changed snapshot after showing what it changes (#16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.repos import commit_all, git

SNAPSHOT = "cases/data/alerting.jsonl"
QUIET_EVENT = (
    '{"kind":"error_rate","source":"prometheus","synthetic":false,"term":"checkout",'
    '"ts":"2025-06-01T00:00:00Z","values":{"error_rate":0.1}}\n'
)
PAGING_EVENT = QUIET_EVENT.replace("2025-06-01T00:00:00Z", "2026-01-06T15:00:00Z").replace(
    "0.1", "9.0"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The starter state, committed: the pinned snapshot is in git history."""
    work = tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--initial-branch", "main", str(work))
    assert main(["init", "--repo", str(work)]) == 0
    commit_all(work, "start")
    return work


def pins(root: Path) -> set[str]:
    return {
        line.split(":", 1)[1].strip()
        for path in (root / "cases").glob("*.yaml")
        for line in path.read_text().splitlines()
        if line.strip().startswith("sha256:")
    }


def test_pin_shows_the_change_then_re_pins_and_validate_passes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / SNAPSHOT).write_text((repo / SNAPSHOT).read_text() + QUIET_EVENT)
    assert main(["validate", "--repo", str(repo)]) == 2
    out = capsys.readouterr().out
    assert out.count("/snapshot/sha256") == 1 and "learnbot pin" in out
    old = pins(repo)

    assert main(["pin", "--repo", str(repo), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pinned"] is True
    changed = {c["case"]: c for c in report["cases"]}
    assert set(changed) == {"deploy_blip", "search_outage"}
    assert changed["deploy_blip"]["events_before"] == 10
    assert changed["deploy_blip"]["events_after"] == 11
    assert changed["deploy_blip"]["result_before"] == changed["deploy_blip"]["result_after"]
    assert pins(repo) != old and len(pins(repo)) == 1
    assert main(["validate", "--repo", str(repo)]) == 0
    # only the sha256 line of each case changed
    diff = git(repo, "diff", "--numstat", "--", "cases/*.yaml")
    assert all(line.split()[:2] == ["1", "1"] for line in diff.splitlines())
    assert main(["pin", "--repo", str(repo)]) == 0  # nothing left to pin
    assert "nothing to do" in capsys.readouterr().err


def test_pin_refuses_when_a_protected_result_would_change_unless_forced(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / SNAPSHOT).write_text((repo / SNAPSHOT).read_text() + PAGING_EVENT)
    before = {p.name: p.read_bytes() for p in (repo / "cases").glob("*.yaml")}
    capsys.readouterr()
    assert main(["pin", "--repo", str(repo)]) == 1
    captured = capsys.readouterr()
    row = next(line for line in captured.out.splitlines() if line.startswith("deploy_blip"))
    assert "10 -> 11" in row and "HIT -> MISS" in row and "yes" in row
    assert "protected case(s) deploy_blip" in captured.err and "--force" in captured.err
    assert {p.name: p.read_bytes() for p in (repo / "cases").glob("*.yaml")} == before

    assert main(["pin", "--repo", str(repo), "--force"]) == 0
    assert main(["validate", "--repo", str(repo)]) == 0
    assert main(["backtest", "--repo", str(repo)]) == 1  # the protected case now fails, pinned


def test_pin_without_the_pinned_version_in_history_needs_force_for_protected_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "never-committed"
    work.mkdir()
    assert main(["init", "--repo", str(work)]) == 0
    (work / SNAPSHOT).write_text((work / SNAPSHOT).read_text() + QUIET_EVENT)
    capsys.readouterr()
    assert main(["pin", "--repo", str(work)]) == 1
    row = next(line for line in capsys.readouterr().out.splitlines() if "deploy_blip" in line)
    assert "? -> 11" in row and "? -> HIT" in row


def test_pin_names_an_unknown_case(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pin", "--repo", str(repo), "nope"]) == 2
    assert "no valid case named nope" in capsys.readouterr().err


def test_pin_only_the_cases_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / SNAPSHOT).write_text((repo / SNAPSHOT).read_text() + QUIET_EVENT)
    assert main(["pin", "--repo", str(repo), "search_outage"]) == 0
    assert len(pins(repo)) == 2  # deploy_blip still pins the old version
    assert main(["validate", "--repo", str(repo)]) == 2
