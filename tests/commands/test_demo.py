from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import ledger
from tests.model.test_entries import reserialised
from tests.repos import ROOT


def test_demo_walks_the_whole_loop_and_ends_with_a_verified_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--repo", str(tmp_path)]) == 0  # no state here: learnbot's own example
    out, err = capsys.readouterr()
    steps = [line for line in out.splitlines() if line.startswith("[")]
    assert [s.split("]")[0] for s in steps] == [f"[{i}/11" for i in range(1, 12)]
    assert "learnbot(insights_writer): rollout stage for rollout/insights_writer" in out
    # at the example's clock every learner's window holds data: judges, trainer, weights
    first = out[: out.index("[2/11]")]
    for branch in ("judges/inbox_triage_judges", "trainer/inbox_triage", "weights/"):
        assert f"open    learnbot/{branch}" in first
    assert "held back" not in first
    # the review queue has items, and a reviewer's comment label lands in a labels pull request
    assert "review queue inbox_triage: created #" in err
    label = out[out.index("[7/11]") : out.index("[8/11]")]
    assert "demo-reviewer: /learnbot label thread-" in label
    assert re.search(r"recorded thread-\d+ as quarantine_approved in #\d+", err)
    assert "learnbot merge 1" in out and "git revert -m 1" in out
    # the rollout branch is brought up to date before its merge: every promotion is verified
    assert "brought up to date with main" in out and "not verified" not in err
    assert "ledgers/learning.jsonl: ok, 3 entries" in out
    table = out[out.index("[11/11]") :]
    assert "promotion" in table and "rollback" in table
    # every configured learner family proposes, or says why not
    learners = first[first.index("what each configured learner did:") :].splitlines()[3:11]
    rows = {line.split()[0]: line for line in learners}
    assert set(rows) == {
        "backtest",
        "weights",
        "karma",
        "skills",
        "forecasts",
        "rollout",
        "judges",
        "trainer",
    }
    assert all("pull request(s) opened" in row for name, row in rows.items() if name != "forecasts")
    assert "it reports on the dashboard" in rows["forecasts"]
    # one rendered pull request body and the dashboard, as people see them
    shown = out[out.index("[2/11]") : out.index("[3/11]")]
    assert "----- the body of pull request #1, as reviewers see it -----" in shown
    assert "### Promote, reject, roll back" in shown and "learnbot:metadata" not in shown
    assert "----- the dashboard issue, as learnbot keeps it -----" in shown
    assert "### Forecast performance" in shown
    assert err.rstrip().endswith("`learnbot demo --keep` keeps it to explore")


def test_demo_keep_writes_the_body_and_dashboard_to_files_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--repo", str(tmp_path), "--keep"]) == 0
    out, err = capsys.readouterr()
    kept = Path(re.findall(r"kept (\S+):", err)[-1])
    try:
        for name in ("pull-request.md", "dashboard.md"):
            assert f"(also in {kept / name})" in out
            assert (kept / name).read_text(encoding="utf-8") in out
        assert (kept / "work" / ".git").is_dir() and "learnbot prs show N" in err
        # the entries the loop wrote, read as typed values, give back the very same bytes
        written = (kept / "work" / "ledgers" / "learning.jsonl").read_bytes()
        assert ledger.verify(written).entries == 3
        assert reserialised(written) == written
    finally:
        shutil.rmtree(kept)


def test_demo_uses_the_repositorys_own_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--repo", str(ROOT)]) == 0
    assert f"state from {ROOT}" in capsys.readouterr().err
