"""Snapshots read once per process: parsed into columns and cached by their sha256.

JSONL is read by the columnar reader when pyarrow is installed (the `fast` extra) and by the
row parser otherwise or when a file has problems; Parquet needs pyarrow. With a
`SnapshotCache`, parsed columns are also kept on disk by sha256 for the next process.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable

from bot.core.snapshot import parse
from bot.edges import columnar
from bot.edges.files import Files
from bot.edges.snapshot_cache import SnapshotCache
from bot.model import Problem
from bot.model.snapshot import Snapshot

SUFFIXES = (".jsonl", ".parquet")
_CACHE: dict[str, tuple[Snapshot, tuple[Problem, ...]]] = {}
_LOCK = threading.Lock()


def load(
    files: Files, path: str, sha256: str, cache: SnapshotCache | None = None
) -> tuple[Snapshot | None, tuple[Problem, ...]]:
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
    stored = cache.read(path, sha256) if cache is not None else None
    if stored is not None:
        entry: tuple[Snapshot | None, tuple[Problem, ...]] = (stored, ())
    else:
        snapshot, problems = read(path, data, sha256)
        entry = (snapshot, tuple(problems))
        if cache is not None and snapshot is not None and not problems:
            cache.write(snapshot)
    if entry[0] is not None:
        with _LOCK:
            _CACHE[sha256] = (entry[0], entry[1])
    return entry


def read(path: str, data: bytes, sha256: str) -> tuple[Snapshot | None, list[Problem]]:
    """Parse a snapshot file's bytes: Parquet by its suffix, JSONL otherwise."""
    if path.endswith(".parquet"):
        return columnar.read_parquet(data, path=path, sha256=sha256)
    fast = columnar.read_jsonl(data, path=path, sha256=sha256)
    if fast is not None:
        return fast, []
    snapshot, problems = parse(data, path=path, sha256=sha256)
    return snapshot, problems


def load_all(
    files: Files, pins: Iterable[tuple[str, str]], cache: SnapshotCache | None = None
) -> tuple[dict[str, Snapshot], list[Problem]]:
    """Every pinned snapshot by sha256, plus the problems found in any of them."""
    loaded: dict[str, Snapshot] = {}
    problems: list[Problem] = []
    for path, sha256 in sorted(set(pins)):
        snapshot, found = load(files, path, sha256, cache)
        if snapshot is not None:
            loaded[sha256] = snapshot
        problems.extend(found)
    return loaded, problems
