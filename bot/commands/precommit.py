"""The `.pre-commit-config.yaml` entry `learnbot init` adds: learnbot's two hooks, at a tag.

An existing file is extended, never rewritten: the entry is appended to its `repos:` list
when that list is the file's last top-level key, and the result must parse to one more repo.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.edges import yamldoc
from bot.errors import StateError

PATH = ".pre-commit-config.yaml"
HOOKS = ("learnbot-validate", "learnbot-ledger-verify")


def entry(repository: str, version: str, indent: str = "  ") -> str:
    """The repos-list item for learnbot's hooks."""
    hooks = "".join(f"{indent}    - id: {hook}\n" for hook in HOOKS)
    return (
        f"{indent}- repo: https://github.com/{repository}\n"
        f"{indent}  rev: v{version}\n"
        f"{indent}  hooks:\n{hooks}"
    )


def add_entry(root: Path, repository: str, version: str) -> str:
    """Create the file, or append the entry to its repos: created, unchanged, kept, extended."""
    target = root / PATH
    if not target.is_file():
        target.write_text(f"repos:\n{entry(repository, version)}")
        return "created"
    text = target.read_text()
    if HOOKS[0] in text:
        return "unchanged"
    extended = _appended(text, repository, version)
    if extended is None:
        return "kept"
    target.write_text(extended)
    return "extended"


def _appended(text: str, repository: str, version: str) -> str | None:
    """The text with the entry at the end of `repos:`, or None when that is not safe."""
    keys = [line for line in text.splitlines() if re.match(r"[A-Za-z_][\w-]*\s*:", line)]
    if not keys or keys[-1].strip() != "repos:":
        return None
    items = [line for line in text.splitlines() if line.lstrip().startswith("- repo:")]
    indent = items[0][: len(items[0]) - len(items[0].lstrip())] if items else "  "
    extended = text + ("" if text.endswith("\n") else "\n") + entry(repository, version, indent)
    if _repo_count(extended) != _repo_count(text) + 1:
        return None
    return extended


def _repo_count(text: str) -> int:
    try:
        data = yamldoc.parse(text, path=PATH).data
    except StateError:
        return -1
    repos = data.get("repos") if isinstance(data, dict) else None
    return len(repos) if isinstance(repos, list) else -1
