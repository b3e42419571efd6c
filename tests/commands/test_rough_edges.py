"""What a new user tripped over: a closed pipe, a missing --config file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import dashboard, ledger_table
from bot.model.entries import Unknown
from tests.commands.test_init import empty_repo
from tests.repos import ROOT, commit_all, copy_example, git


def test_output_to_a_closed_pipe_ends_quietly_with_exit_0(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "r")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader, writer = os.pipe()
    os.close(reader)  # `| head` that has already gone away
    done = subprocess.run(
        [sys.executable, "-m", "bot", "backtest", "--repo", str(root)],
        stdout=writer,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
        text=True,
    )
    os.close(writer)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "bug" not in done.stderr


def test_a_missing_config_file_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    assert main(["validate", "--repo", str(root), "--config", "nope.yml"]) == 2
    err = capsys.readouterr().err
    assert "--config nope.yml: no such file" in err
    assert main(["validate", "--repo", str(root), "--config", ".github/learnbot.yml"]) == 0
    env = {"LEARNBOT_CONFIG": "elsewhere.yml"}  # as the action passes its `config` input
    assert main(["validate", "--repo", str(root)], environ=env) == 2
    assert "LEARNBOT_CONFIG=elsewhere.yml: no such file" in capsys.readouterr().err
    # the default path named in the environment is the default: a new repository may lack it
    assert (
        main(["validate", "--repo", str(root)], environ={"LEARNBOT_CONFIG": ".github/learnbot.yml"})
        == 0
    )


def test_a_literal_where_a_reference_is_required_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    case = root / "cases/it_wire_fraud.yaml"
    text = case.read_text().replace("threshold: inbox_triage.risk_threshold", "threshold: 600", 1)
    case.write_text(text.replace("days: inbox_triage.window_days", "days: 2"))
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr().out
    assert "/triggers/0/threshold: 600 is a number where a reference is required" in out
    assert "/window/days: 2 is a number where a reference is required" in out
    assert "write `policy.parameter`" in out


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("short note", "short note"),
        (
            "policies/a.yaml changed by hand, version not bumped after the review",
            "policies/a.yaml changed by hand, version not bumped after…",
        ),
        ("x" * 80, "x" * 59 + "…"),
    ],
)
def test_ledger_table_cuts_notes_at_a_word(note: str, expected: str) -> None:
    row = Unknown({"seq": 1, "type": "manual_change", "note": note})  # no kind has this shape
    line = ledger_table.render_table([row]).splitlines()[-1]
    assert line.endswith(expected)
    assert len(ledger_table.shorten(note, 60)) <= 60


def test_a_quiet_case_that_fired_is_not_reported_as_an_unmet_trigger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "r"
    root.mkdir()
    assert main(["init", "--repo", str(root)]) == 0
    policy = root / "policies/alerting.yaml"
    policy.write_text(policy.read_text().replace("value: 5.0", "value: 2.5"))
    assert main(["analyze", "--repo", str(root), "--out", str(tmp_path / "out")]) == 0
    (report,) = (tmp_path / "out").glob("*.md")
    text = report.read_text()
    assert "deploy" in text and "trigger that fired on a quiet case" in text
    assert "unmet trigger" not in text


def test_dashboard_trend_axis_is_dates_with_times_only_where_a_date_repeats() -> None:
    times = ["2026-01-15T06:00:00Z", "2026-01-16T06:00:00Z", "2026-01-16T09:30:00Z"]
    assert dashboard.trend_labels(times) == ["2026-01-15", "2026-01-16 06:00", "2026-01-16 09:30"]


def test_run_says_when_the_working_tree_differs_from_what_it_learns_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = empty_repo(tmp_path, origin_head="main")
    assert main(["init", "--repo", str(work)]) == 0
    commit_all(work, "start")
    git(work, "push", "--quiet", "origin", "main")
    capsys.readouterr()
    assert main(["run", "--repo", str(work), "--forge", "local", "--dry-run"]) == 0
    assert "working tree differs" not in capsys.readouterr().err
    (work / "cases/new_case.yaml").write_text((work / "cases/search_outage.yaml").read_text())
    assert main(["run", "--repo", str(work), "--forge", "local", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "note: run learns from main on origin, and the working tree differs in " in err
    assert "cases/new_case.yaml" in err
