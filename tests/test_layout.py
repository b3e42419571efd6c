"""The architecture stays visible: imports point one way, the core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.repos import ROOT

BOT = ROOT / "bot"
CORE_ALLOWED = {"bot.core", "bot.model", "bot.errors", "numpy"}
FORBIDDEN_IN_CORE = {
    "os",
    "subprocess",
    "git",
    "github",
    "yaml",
    "jinja2",
    "time",
    "random",
    "pathlib",
    "socket",
    "urllib",
    "http",
    "shutil",
    "tempfile",
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((BOT / "core").rglob("*.py")), ids=lambda p: p.name)
def test_core_imports_only_stdlib_model_errors_numpy(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        if name.startswith("bot"):
            assert any(name == a or name.startswith(a + ".") for a in CORE_ALLOWED), (
                f"{path.name} imports {name}"
            )
        else:
            assert top not in FORBIDDEN_IN_CORE, f"{path.name} imports {name}: the core is pure"


@pytest.mark.parametrize("path", sorted((BOT / "edges").rglob("*.py")), ids=lambda p: p.name)
def test_edges_never_import_commands_or_cli(path: Path) -> None:
    for name in imports(path):
        assert not name.startswith(("bot.commands", "bot.cli")), f"{path.name} imports {name}"


def test_no_module_shadows_a_library() -> None:
    names = {p.stem for p in BOT.rglob("*.py")}
    assert not names & {"git", "github", "yaml", "jinja2", "numpy", "json"}


def test_nothing_runs_at_import_time() -> None:
    for path in BOT.rglob("*.py"):
        if path.name == "__main__.py":
            continue
        for node in ast.parse(path.read_text()).body:
            assert not isinstance(node, ast.Expr) or isinstance(node.value, ast.Constant), (
                f"{path.relative_to(ROOT)} runs code at import time"
            )
