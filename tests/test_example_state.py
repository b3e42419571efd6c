"""The repository's own example state: generated deterministically, built to exercise the loop."""

from __future__ import annotations

import runpy
from pathlib import Path

from bot.edges import store
from bot.edges.files import WorktreeFiles
from tests.repos import ROOT


def test_generator_reproduces_the_committed_state_byte_for_byte(tmp_path: Path) -> None:
    generate = runpy.run_path(str(ROOT / "cases/generate.py"))["generate"]
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
