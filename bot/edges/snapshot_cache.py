"""Parsed snapshot columns kept on disk by sha256: a big snapshot is parsed once per machine.

Entries live in `$XDG_CACHE_HOME/learnbot` (default `~/.cache/learnbot`) as uncompressed
`.npz` files read without pickle. A snapshot is immutable (pinned by its digest), so an
entry never goes stale; an entry that cannot be read or does not fit is ignored and
rewritten. Only snapshots without problems are kept.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.model.snapshot import Snapshot

FORMAT = 1
_ARRAYS = ("ts", "kind", "term", "source", "synthetic")


@dataclass(frozen=True)
class SnapshotCache:
    """Snapshot columns by sha256 in one directory."""

    root: Path

    def entry(self, sha256: str) -> Path:
        return self.root / f"snapshot-v{FORMAT}-{sha256}.npz"

    def read(self, path: str, sha256: str) -> Snapshot | None:
        """The cached snapshot of `sha256` (named `path`), or None (absent or unreadable)."""
        try:
            with (
                self.entry(sha256).open("rb") as handle,
                np.load(handle, allow_pickle=False) as stored,
            ):
                return _snapshot(dict(stored.items()), path, sha256)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
            return None

    def write(self, snapshot: Snapshot) -> None:
        """Keep `snapshot` (best effort: a cache that cannot be written is no error)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.root, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **_arrays(snapshot))
            Path(temporary).replace(self.entry(snapshot.sha256))
        except OSError:
            return


def _arrays(snapshot: Snapshot) -> dict[str, Any]:
    names = sorted(snapshot.values)
    texts = "".join(snapshot.text).encode("utf-8", "surrogatepass")
    meta = {
        "sha256": snapshot.sha256,
        "values": names,
        "kinds": list(snapshot.kinds),
        "terms": list(snapshot.terms),
        "sources": list(snapshot.sources),
    }
    return {
        **{name: getattr(snapshot, name) for name in _ARRAYS},
        **{f"value{i}": snapshot.values[name] for i, name in enumerate(names)},
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "text": np.frombuffer(texts, dtype=np.uint8),
        "text_ends": np.cumsum([len(t) for t in snapshot.text], dtype=np.int64),
    }


def _codes_fit(codes: Any, names: list[str]) -> bool:
    return not codes.size or bool(codes.min() >= -1 and codes.max() < len(names))


def _snapshot(stored: dict[str, Any], path: str, sha256: str) -> Snapshot | None:
    meta = json.loads(stored["meta"].tobytes())
    columns = {name: stored[name] for name in _ARRAYS}
    size = len(columns["ts"])
    values = {name: stored[f"value{i}"] for i, name in enumerate(meta["values"])}
    ends = stored["text_ends"]
    fits = [len(c) == size for c in (*columns.values(), *values.values(), ends)]
    coded = [(columns[n], meta[f"{n}s"]) for n in ("kind", "term", "source")]
    if meta["sha256"] != sha256 or not all(fits) or not all(_codes_fit(*c) for c in coded):
        return None
    joined = stored["text"].tobytes().decode("utf-8", "surrogatepass")
    bounds = [0, *ends.tolist()]
    return Snapshot(
        path=path,
        sha256=sha256,
        ts=columns["ts"].astype(np.int64, copy=False),
        kind=columns["kind"].astype(np.int32, copy=False),
        term=columns["term"].astype(np.int32, copy=False),
        source=columns["source"].astype(np.int32, copy=False),
        synthetic=columns["synthetic"].astype(np.bool_, copy=False),
        values={name: column.astype(np.float64, copy=False) for name, column in values.items()},
        kinds={name: code for code, name in enumerate(meta["kinds"])},
        terms={name: code for code, name in enumerate(meta["terms"])},
        sources={name: code for code, name in enumerate(meta["sources"])},
        text=tuple(joined[a:b] for a, b in itertools.pairwise(bounds)),
    )
