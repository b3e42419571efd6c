"""The repository's own example state: generated deterministically, built to exercise the loop."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from bot.cli import main
from bot.edges import store
from bot.edges.files import WorktreeFiles
from tests.repos import ROOT, make_repo


@pytest.mark.parametrize("script", ["cases/generate.py", "cases/generate_labels.py"])
def test_generator_reproduces_the_committed_state_byte_for_byte(
    tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "cases"))  # as when the script is run: its folder
    generate = runpy.run_path(str(ROOT / script))["generate"]
    written = generate(tmp_path)
    assert written
    for path in written:
        relative = path.relative_to(tmp_path)
        assert path.read_bytes() == (ROOT / relative).read_bytes(), f"{relative} differs"


def test_example_has_enough_cases_and_protected_ones() -> None:
    state = store.load(WorktreeFiles(ROOT))
    assert state.problems == ()
    assert len(state.cases) >= 15
    assert sum(case.protected for case in state.cases.values()) >= 3
    families = {case.family for case in state.cases.values()}
    assert {"term_emergence", "inbox_triage", "conviction"} <= families


def test_the_readme_shows_what_backtest_prints_on_the_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"```\n(case +status.*?)```", readme, re.DOTALL)
    assert shown is not None
    assert main(["backtest", "--repo", str(make_repo(tmp_path / "r"))]) == 1  # it has failures
    printed = capsys.readouterr().out
    revision = re.compile(r" at [0-9a-f]{12}:")
    assert revision.sub(" at REV:", printed) == revision.sub(" at REV:", shown.group(1))
