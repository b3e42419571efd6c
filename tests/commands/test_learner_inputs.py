"""Learners run when the config names them or their input files exist; else they stay silent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.commands.test_init import empty_repo
from tests.repos import commit_all, git


def started(tmp_path: Path, *extra: str) -> Path:
    work = empty_repo(tmp_path, origin_head="main")
    assert main(["init", "--repo", str(work), *extra]) == 0
    return work


def publish(work: Path) -> None:
    commit_all(work, "state")
    git(work, "push", "--quiet", "origin", "main")


def dashboard(work: Path) -> str:
    forge = json.loads((work / ".git/learnbot/forge.json").read_text())
    issues = forge["issues"]
    (issue,) = issues.values() if isinstance(issues, dict) else issues
    return str(issue["body"])


@pytest.mark.slow
def test_learners_with_nothing_to_learn_from_stay_off_the_run_and_dashboard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = started(tmp_path)
    publish(work)
    assert main(["run", "--repo", str(work), "--forge", "local"]) == 0
    err = capsys.readouterr().err
    for name in ("weights", "karma", "skills", "forecasts"):
        assert f"{name}:" not in err
        assert name not in dashboard(work).lower()


@pytest.mark.slow
def test_a_learner_runs_when_its_input_files_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = started(tmp_path)
    skill = work / "policies/skills/pending/triage-runbook.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("# Triage runbook\nscore: 4\n")
    publish(work)
    assert main(["run", "--repo", str(work), "--forge", "local"]) == 0
    capsys.readouterr()
    assert main(["prs", "--repo", str(work), "--json"]) == 0
    branches = {p["branch"] for p in json.loads(capsys.readouterr().out)}
    assert "learnbot/skills" in branches


def test_a_learner_the_config_names_runs_and_explains_missing_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = started(tmp_path, "--example", "conviction")
    (work / "cases/outcomes/positions.jsonl").unlink()
    capsys.readouterr()
    assert main(["loop", "--dry-run", "--repo", str(work)]) in (0, 1)
    assert "conviction_weights  none      no closed outcomes yet" in capsys.readouterr().out
    config = work / ".github/learnbot.yml"
    config.write_text(config.read_text().split("  weights:")[0] + "ledger: ledgers/l.jsonl\n")
    assert main(["loop", "--dry-run", "--repo", str(work)]) in (0, 1)
    assert "weights" not in capsys.readouterr().out
