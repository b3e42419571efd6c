from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.repos import ROOT


def test_demo_walks_the_whole_loop_and_ends_with_a_verified_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--repo", str(tmp_path)]) == 0  # no state here: learnbot's own example
    out = capsys.readouterr().out
    steps = [line for line in out.splitlines() if line.startswith("[")]
    assert [s.split("]")[0] for s in steps] == [f"[{i}/10" for i in range(1, 11)]
    assert "learnbot: rollout stage for rollout/insights_writer" in out
    assert "learnbot merge 1" in out and "git revert -m 1" in out
    assert "ledgers/learning.jsonl: ok, 3 entries" in out
    table = out[out.index("[10/10]") :]
    assert "promotion" in table and "rollback" in table


def test_demo_uses_the_repositorys_own_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--repo", str(ROOT)]) == 0
    assert f"state from {ROOT}" in capsys.readouterr().err
