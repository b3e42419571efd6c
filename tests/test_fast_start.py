"""Fast start (#17): `--help` and `validate` import none of the heavy libraries.

Run in a fresh interpreter, since this test process has long imported them all; the check is
on `sys.modules`, not on a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.learners.catalog import INPUTS, LEARNER_NAMES, SETTINGS
from bot.core.learners.registry import LEARNERS
from tests.repos import copy_example

HEAVY = ("numpy", "scipy", "git", "github", "jinja2", "sklearn")
_PROBE = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in %r if m in sys.modules)}))
"""


def _imported(*argv: str) -> dict[str, object]:
    probe = _PROBE % (HEAVY,)
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["learn", "--help"]])
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    assert _imported(*argv) == {"code": 0, "modules": []}


def test_validate_on_the_example_imports_no_heavy_library(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "r")
    assert _imported("validate", "--repo", str(root)) == {"code": 0, "modules": []}


def test_validate_of_a_bad_snapshot_line_imports_no_heavy_library(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "r")
    snapshot = next((root / "cases/data").glob("*.jsonl"))
    snapshot.write_text(snapshot.read_text() + '{"ts": "yesterday", "kind": "x"}\n')
    assert _imported("validate", "--repo", str(root)) == {"code": 2, "modules": []}


def test_backtest_still_imports_what_it_needs(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "r")
    assert "numpy" in _imported("backtest", "--repo", str(root))["modules"]  # type: ignore[operator]


def test_catalog_names_inputs_and_settings_match_the_registry() -> None:
    assert tuple(LEARNERS) == LEARNER_NAMES
    for name, learner in LEARNERS.items():
        assert learner.name == name
        assert learner.inputs == INPUTS[name]
        assert learner.settings is SETTINGS[name]  # its section of `learners:` is its name
