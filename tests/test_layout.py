"""The architecture stays visible: imports point one way, the core stays pure.

Each layer lists what it may import (a whitelist, relative imports resolved): a module that
is not listed is a failure, so a new dependency is a decision made here, not an accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.repos import ROOT

BOT = ROOT / "bot"

# Pure standard-library modules: no clock, no environment, no files, no processes, no network.
PURE_STDLIB = {
    "__future__",
    "abc",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",  # parsing and formatting given times; reading the clock is a review matter
    "enum",
    "functools",
    "hashlib",
    "heapq",
    "itertools",
    "json",
    "math",
    "operator",
    "re",
    "statistics",
    "string",
    "typing",
    "warnings",
}
LAYERS: dict[str, set[str]] = {
    "bot.model": {"bot.model", *PURE_STDLIB},
    "bot.core": {"bot.core", "bot.model", "bot.errors", "numpy", *PURE_STDLIB},
}
# third-party libraries a single core module may use on top of its layer's list
EXTRA = {
    "bot/core/significance.py": {"scipy"},
    "bot/core/learners/fitting.py": {"sklearn"},  # the optional train extra, imported lazily
    "bot/model/snapshot.py": {"numpy"},  # a snapshot is columns of numpy arrays
}


def imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved to absolute names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return imports_in(path.read_text(), package)


def imports_in(source: str, package: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            if module.split(".")[0] == "bot":  # `from bot.x import y` may import the module x.y
                found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def allowed(name: str, whitelist: set[str]) -> bool:
    return any(name == a or name.startswith(a + ".") for a in whitelist)


def _modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer.replace(".", "/")).rglob("*.py"))


@pytest.mark.parametrize(
    ("layer", "path"),
    [(layer, p) for layer in LAYERS for p in _modules(layer)],
    ids=lambda v: v if isinstance(v, str) else str(v.relative_to(BOT)),
)
def test_layout_layer_imports_only_its_whitelist(layer: str, path: Path) -> None:
    whitelist = LAYERS[layer] | EXTRA.get(str(path.relative_to(ROOT)), set())
    for name in imports(path):
        assert allowed(name, whitelist), f"{path.relative_to(ROOT)} imports {name}"


@pytest.mark.parametrize("path", _modules("bot.edges"), ids=lambda p: p.name)
def test_layout_edges_never_import_commands_or_cli(path: Path) -> None:
    for name in imports(path):
        assert not allowed(name, {"bot.commands", "bot.cli"}), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules("bot.commands"), ids=lambda p: p.name)
def test_layout_commands_never_import_cli(path: Path) -> None:
    for name in imports(path):
        assert not allowed(name, {"bot.cli", "bot.action"}), f"{path.name} imports {name}"


def _command_modules() -> set[str]:
    """The modules of bot/commands that the CLI runs (the others are services they share)."""
    found = set()
    for node in ast.walk(ast.parse((BOT / "cli.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.commands":
            found.update(f"bot.commands.{alias.name}" for alias in node.names)
        elif (  # imported when it runs: `_command("run")` (#17)
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_command"
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(f"bot.commands.{node.args[0].value}")
    return found


def _commands_imported(path: Path, commands: set[str]) -> list[str]:
    """The command modules `path` imports (itself aside): only the CLI imports commands."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return sorted(name for name in imports(path) if allowed(name, commands - {module}))


@pytest.mark.parametrize("path", _modules("bot.commands"), ids=lambda p: p.name)
def test_layout_no_module_of_commands_imports_a_command(path: Path) -> None:
    """What commands share lives in service modules beside them, never in another command."""
    assert _commands_imported(path, _command_modules()) == []


def test_layout_command_imports_are_found_however_written() -> None:
    commands = {"bot.commands.run", "bot.commands.check", "bot.commands.promote"}
    source = (
        "from bot.commands import run as r\n"
        "from bot.commands.check import run_check\n"
        "from . import promote\n"
        "from bot.commands import review\n"
    )
    found = {n for n in imports_in(source, "bot.commands") if allowed(n, commands)}
    assert found == {
        "bot.commands.check",
        "bot.commands.check.run_check",
        "bot.commands.promote",
        "bot.commands.run",
    }


def _cli_command_names() -> set[str]:
    """The names `cli.py` registers as commands: `command("name", ...)`."""
    found = set()
    for node in ast.walk(ast.parse((BOT / "cli.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "command":
            first = node.args[0]
            assert isinstance(first, ast.Constant)
            found.add(str(first.value))
    return found


def test_layout_each_command_has_its_module_named_after_it() -> None:
    names = _cli_command_names()
    assert {"run", "check", "merge", "prs", "close", "propose", "sandbox", "gate"} <= names
    assert {f"bot.commands.{name}" for name in names} == _command_modules()


def test_layout_the_cli_runs_commands_and_services_are_not_commands() -> None:
    commands = _command_modules()
    assert {"bot.commands.check", "bot.commands.promote", "bot.commands.run"} <= commands
    assert not commands & {"bot.commands.review", "bot.commands.learners", "bot.commands.pulls"}


def test_layout_the_whitelist_catches_relative_and_forbidden_imports() -> None:
    source = "from . import weights\nfrom ...edges import store\nimport os\n"
    found = imports_in(source, "bot.core.learners")
    assert found == {
        "bot.core.learners",
        "bot.core.learners.weights",
        "bot.edges",
        "bot.edges.store",
        "os",
    }
    sneaky = imports_in("from bot.commands import promote\n", "bot.commands")
    assert "bot.commands.promote" in sneaky
    assert not allowed("bot.edges", LAYERS["bot.core"])
    assert not allowed("os", LAYERS["bot.core"])
    assert allowed("bot.core.learners", LAYERS["bot.core"])


def test_layout_no_module_shadows_a_library() -> None:
    names = {p.stem for p in BOT.rglob("*.py")}
    assert not names & {"git", "github", "yaml", "jinja2", "numpy", "json"}


def test_layout_nothing_runs_at_import_time() -> None:
    for path in BOT.rglob("*.py"):
        if path.name == "__main__.py":
            continue
        for node in ast.parse(path.read_text()).body:
            assert not isinstance(node, ast.Expr) or isinstance(node.value, ast.Constant), (
                f"{path.relative_to(ROOT)} runs code at import time"
            )
