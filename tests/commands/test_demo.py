from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
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
    assert "ledgers/learning.jsonl: ok, 3 entries" in out
    table = out[out.index("[11/11]") :]
    assert "promotion" in table and "rollback" in table


def test_demo_uses_the_repositorys_own_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--repo", str(ROOT)]) == 0
    assert f"state from {ROOT}" in capsys.readouterr().err
