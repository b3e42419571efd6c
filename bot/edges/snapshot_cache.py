"""Parsed snapshot columns kept on disk by sha256: a big snapshot is parsed once per machine.

Entries live in `$XDG_CACHE_HOME/learnbot` (default `~/.cache/learnbot`), one file each: a
JSON header (names, vocabularies, where each column lies) and the raw columns, which are
memory-mapped when read (copy on write): loading an entry costs little more than opening
it. A snapshot is immutable (pinned by its digest), so an entry never goes stale; an entry
that cannot be read or does not fit is ignored and rewritten. Only snapshots without
problems are kept.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.model.snapshot import Snapshot

FORMAT = 2
_MAGIC = b"learnbot-snapshot\n"
_LENGTH = struct.Struct("<Q")
_ALIGN = 64
_ARRAYS = ("ts", "kind", "term", "source", "synthetic")
_DTYPES = {"ts": "<i8", "kind": "<i4", "term": "<i4", "source": "<i4", "synthetic": "|b1"}


@dataclass(frozen=True)
class SnapshotCache:
    """Snapshot columns by sha256 in one directory."""

    root: Path

    def entry(self, sha256: str) -> Path:
        return self.root / f"snapshot-v{FORMAT}-{sha256}.bin"

    def read(self, path: str, sha256: str) -> Snapshot | None:
        """The cached snapshot of `sha256` (named `path`), or None (absent or unreadable)."""
        try:
            with self.entry(sha256).open("rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
            return _snapshot(mapped, path, sha256)
        except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error):
            return None

    def write(self, snapshot: Snapshot) -> None:
        """Keep `snapshot` (best effort: a cache that cannot be written is no error)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.root, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks(snapshot):
                    out.write(chunk)
            Path(temporary).replace(self.entry(snapshot.sha256))
        except OSError:
            return


def _columns(snapshot: Snapshot) -> dict[str, np.ndarray[Any, Any]]:
    names = sorted(snapshot.values)
    texts = "".join(snapshot.text).encode("utf-8", "surrogatepass")
    return {
        **{name: np.asarray(getattr(snapshot, name), dtype=_DTYPES[name]) for name in _ARRAYS},
        **{f"value{i}": np.asarray(snapshot.values[name], "<f8") for i, name in enumerate(names)},
        "text": np.frombuffer(texts, dtype=np.uint8),
        "text_ends": np.cumsum([len(t) for t in snapshot.text], dtype="<i8"),  # characters
    }


def _chunks(snapshot: Snapshot) -> Iterator[bytes]:
    """The entry's bytes: magic, header length, header, then each column, aligned."""
    columns = _columns(snapshot)
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, column in columns.items():
        layout[name] = [column.dtype.str, offset, len(column)]
        offset += -(-column.nbytes // _ALIGN) * _ALIGN
    header = {
        "sha256": snapshot.sha256,
        "size": len(snapshot),
        "values": sorted(snapshot.values),
        "kinds": list(snapshot.kinds),
        "terms": list(snapshot.terms),
        "sources": list(snapshot.sources),
        "columns": layout,
    }
    encoded = json.dumps(header).encode()
    start = -(-(len(_MAGIC) + _LENGTH.size + len(encoded)) // _ALIGN) * _ALIGN
    yield _MAGIC + _LENGTH.pack(start) + encoded.ljust(start - len(_MAGIC) - _LENGTH.size)
    for column in columns.values():
        yield column.tobytes() + bytes(-column.nbytes % _ALIGN)


def _codes_fit(codes: Any, names: list[str]) -> bool:
    return not codes.size or bool(codes.min() >= -1 and codes.max() < len(names))


def _snapshot(mapped: mmap.mmap, path: str, sha256: str) -> Snapshot | None:
    if mapped[: len(_MAGIC)] != _MAGIC:
        return None
    (start,) = _LENGTH.unpack_from(mapped, len(_MAGIC))
    header = json.loads(bytes(mapped[len(_MAGIC) + _LENGTH.size : start]))
    stored = {
        name: np.frombuffer(mapped, dtype=dtype, count=count, offset=start + offset)
        for name, (dtype, offset, count) in header["columns"].items()
    }
    size = header["size"]
    values = {name: stored[f"value{i}"] for i, name in enumerate(header["values"])}
    fits = [len(stored[n]) == size for n in (*_ARRAYS, "text_ends")]
    fits += [len(v) == size and v.dtype == np.float64 for v in values.values()]
    fits += [stored[n].dtype == np.dtype(_DTYPES[n]) for n in _ARRAYS]
    coded = [(stored[n], header[f"{n}s"]) for n in ("kind", "term", "source")]
    if header["sha256"] != sha256 or not all(fits) or not all(_codes_fit(*c) for c in coded):
        return None
    return Snapshot(
        path=path,
        sha256=sha256,
        ts=stored["ts"],
        kind=stored["kind"],
        term=stored["term"],
        source=stored["source"],
        synthetic=stored["synthetic"],
        values=values,
        kinds={name: code for code, name in enumerate(header["kinds"])},
        terms={name: code for code, name in enumerate(header["terms"])},
        sources={name: code for code, name in enumerate(header["sources"])},
        text=_texts(stored["text"], stored["text_ends"]),
    )


def _texts(joined: Any, ends: Any) -> tuple[str, ...]:
    """Every event's text; no per-event work when no event has one."""
    if not joined.size:
        return ("",) * len(ends)
    text = joined.tobytes().decode("utf-8", "surrogatepass")
    bounds = [0, *ends.tolist()]
    return tuple(text[a:b] for a, b in itertools.pairwise(bounds))
