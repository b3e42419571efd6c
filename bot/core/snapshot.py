"""Historical snapshots as columnar numpy arrays, sorted by time: parsed once, replayed often."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.model import Match, Problem

NO_CODE = -1  # the event has no term / source
UNKNOWN = -2  # a match names a value no event has: it matches nothing
_EVENT_KEYS = frozenset({"ts", "kind", "term", "source", "synthetic", "values"})


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Events of one snapshot file, one numpy array per field, sorted by `ts`."""

    path: str
    sha256: str
    ts: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int32]
    term: npt.NDArray[np.int32]
    source: npt.NDArray[np.int32]
    synthetic: npt.NDArray[np.bool_]
    values: Mapping[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    kinds: Mapping[str, int] = field(default_factory=dict)
    terms: Mapping[str, int] = field(default_factory=dict)
    sources: Mapping[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Index range of events with start <= ts < end (binary search)."""
        lo = int(np.searchsorted(self.ts, start, side="left"))
        hi = int(np.searchsorted(self.ts, end, side="left"))
        return lo, hi

    def mask(self, match: Match, lo: int, hi: int) -> npt.NDArray[np.bool_]:
        """Which events in [lo, hi) a match selects."""
        selected = np.ones(hi - lo, dtype=np.bool_)
        for wanted, column, vocab in (
            (match.kind, self.kind, self.kinds),
            (match.term, self.term, self.terms),
            (match.source, self.source, self.sources),
        ):
            if wanted is not None:
                selected &= column[lo:hi] == vocab.get(wanted, UNKNOWN)
        return selected

    def codes(self, vocab: Mapping[str, int], names: tuple[str, ...]) -> npt.NDArray[np.int32]:
        """The codes of `names` in `vocab` (unknown names are left out)."""
        return np.array([vocab[n] for n in names if n in vocab], dtype=np.int32)

    def column(self, name: str) -> npt.NDArray[np.float64]:
        """An event value column; NaN where an event lacks it (all NaN if no event has it)."""
        found = self.values.get(name)
        return found if found is not None else np.full(len(self), np.nan)


def parse(data: bytes, *, path: str, sha256: str) -> tuple[Snapshot, list[Problem]]:
    """Parse JSONL bytes into a Snapshot; invalid lines are reported and left out."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        row, message = _parse_line(raw)
        if message:
            problems.append(Problem(path, number, "", message))
        else:
            rows.append(row)
    return _columns(rows, path, sha256), problems


def _parse_line(raw: bytes) -> tuple[dict[str, Any], str]:
    try:
        row = json.loads(raw)
    except ValueError as exc:
        return {}, f"invalid JSON: {exc.args[0]}"
    if not isinstance(row, dict):
        return {}, "an event must be a JSON object"
    unknown = set(row) - _EVENT_KEYS
    if unknown:
        return {}, f"unknown key(s) {', '.join(sorted(unknown))}"
    message = _check_fields(row)
    return row, message


def _check_fields(row: dict[str, Any]) -> str:
    ts = row.get("ts")
    if isinstance(ts, str):
        if len(ts) != 20 or ts[10] != "T" or ts[-1] != "Z":
            return f"/ts: {ts!r} is not YYYY-MM-DDTHH:MM:SSZ"
    elif not isinstance(ts, int) or isinstance(ts, bool):
        return "/ts: required, an ISO-8601 UTC string or epoch seconds"
    if not isinstance(row.get("kind"), str):
        return "/kind: required, a string"
    for key in ("term", "source"):
        if key in row and not isinstance(row[key], str):
            return f"/{key}: must be a string"
    if "synthetic" in row and not isinstance(row["synthetic"], bool):
        return "/synthetic: must be true or false"
    values = row.get("values", {})
    if not isinstance(values, dict):
        return "/values: must be an object of numbers"
    for name, value in values.items():
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            return f"/values/{name}: must be a number or null"
    return ""


def _epochs(stamps: list[Any]) -> npt.NDArray[np.int64]:
    text = [s[:-1] if isinstance(s, str) else None for s in stamps]
    if all(t is not None for t in text):
        return np.array(text, dtype="datetime64[s]").astype(np.int64)
    out = np.empty(len(stamps), dtype=np.int64)
    for i, stamp in enumerate(stamps):
        out[i] = (
            np.datetime64(stamp[:-1], "s").astype(np.int64) if isinstance(stamp, str) else stamp
        )
    return out


def _encode(rows: list[dict[str, Any]], key: str) -> tuple[npt.NDArray[np.int32], dict[str, int]]:
    names = sorted({row[key] for row in rows if key in row})
    vocab = {name: code for code, name in enumerate(names)}
    codes = np.fromiter((vocab.get(row.get(key), NO_CODE) for row in rows), np.int32, len(rows))
    return codes, vocab


def _columns(rows: list[dict[str, Any]], path: str, sha256: str) -> Snapshot:
    ts = _epochs([row["ts"] for row in rows])
    order = np.argsort(ts, kind="stable")
    kind, kinds = _encode(rows, "kind")
    term, terms = _encode(rows, "term")
    source, sources = _encode(rows, "source")
    synthetic = np.fromiter((row.get("synthetic", False) for row in rows), np.bool_, len(rows))
    names = sorted({name for row in rows for name in row.get("values", ())})
    values = {}
    for name in names:
        column = np.fromiter(
            (_number(row.get("values", {}).get(name)) for row in rows), np.float64, len(rows)
        )
        values[name] = column[order]
    return Snapshot(
        path=path,
        sha256=sha256,
        ts=ts[order],
        kind=kind[order],
        term=term[order],
        source=source[order],
        synthetic=synthetic[order],
        values=values,
        kinds=kinds,
        terms=terms,
        sources=sources,
    )


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)
