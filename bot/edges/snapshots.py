"""Snapshots read once per process: parsed into columns and cached by their sha256."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable

from bot.core.snapshot import parse
from bot.edges.files import Files
from bot.model import Problem
from bot.model.snapshot import Snapshot

_CACHE: dict[str, tuple[Snapshot, tuple[Problem, ...]]] = {}
_LOCK = threading.Lock()


def load(files: Files, path: str, sha256: str) -> tuple[Snapshot | None, tuple[Problem, ...]]:
    """The snapshot at `path` (None when absent or not hashing to `sha256`), and its problems."""
    with _LOCK:
        cached = _CACHE.get(sha256)
    if cached is not None:
        return cached
    data = files.read(path)
    if data is None:
        return None, (Problem(path, 1, "", "snapshot does not exist"),)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        message = (
            f"sha256 is {actual}, pinned {sha256} (snapshots are immutable: restore it, or "
            "`learnbot pin` to re-pin after reviewing the change)"
        )
        return None, (Problem(path, 1, "", message),)
    snapshot, problems = parse(data, path=path, sha256=sha256)
    entry = (snapshot, tuple(problems))
    with _LOCK:
        _CACHE[sha256] = entry
    return entry


def load_all(
    files: Files, pins: Iterable[tuple[str, str]]
) -> tuple[dict[str, Snapshot], list[Problem]]:
    """Every pinned snapshot by sha256, plus the problems found in any of them."""
    loaded: dict[str, Snapshot] = {}
    problems: list[Problem] = []
    for path, sha256 in sorted(set(pins)):
        snapshot, found = load(files, path, sha256)
        if snapshot is not None:
            loaded[sha256] = snapshot
        problems.extend(found)
    return loaded, problems
