"""Historical snapshots as columnar numpy arrays, sorted by time: parsed once, replayed often."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core import jsonline
from bot.core.events import Invalid, check_event
from bot.model import Problem
from bot.model.snapshot import NO_CODE, Snapshot

Coded = tuple[npt.NDArray[np.int32], Sequence[str]]  # codes (NO_CODE: none) and their names


@dataclass(frozen=True)
class Columns:
    """Valid events in file order, column by column: what a columnar reader hands over."""

    ts: npt.NDArray[np.int64]
    kind: Coded
    term: Coded
    source: Coded
    synthetic: npt.NDArray[np.bool_]
    text: Sequence[str] | None  # None: no event has text
    values: Mapping[str, npt.NDArray[np.float64]]


def parse(data: bytes, *, path: str, sha256: str) -> tuple[Snapshot, list[Problem]]:
    """Parse JSONL bytes into a Snapshot; invalid lines are reported and left out."""
    return parse_rows(_lines(data), path=path, sha256=sha256)


def parse_rows(
    rows: Iterable[tuple[int, Any]], *, path: str, sha256: str
) -> tuple[Snapshot, list[Problem]]:
    """A Snapshot from (line, event or LineError) pairs; invalid ones are reported, left out."""
    columns = _Columns()
    problems: list[Problem] = []
    for number, row in rows:
        invalid = ("", str(row)) if isinstance(row, jsonline.LineError) else columns.add(row)
        if invalid:
            problems.append(Problem(path, number, *invalid))
    return assemble(columns.build(), path=path, sha256=sha256), problems


def _lines(data: bytes) -> Iterator[tuple[int, Any]]:
    for number, line in jsonline.numbered(data):
        try:
            yield number, jsonline.loads(line)
        except jsonline.LineError as exc:
            yield number, exc


def assemble(columns: Columns, *, path: str, sha256: str) -> Snapshot:
    """The Snapshot of valid columns: sorted by time (stably), names coded in sorted order."""
    kind, kinds = _sorted_codes(*columns.kind)
    term, terms = _sorted_codes(*columns.term)
    source, sources = _sorted_codes(*columns.source)
    ordered = bool((columns.ts[1:] >= columns.ts[:-1]).all())  # as snapshots mostly are
    order = None if ordered else np.argsort(columns.ts, kind="stable")

    def arrange(column: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return column if order is None else column[order]

    text = columns.text
    if text is None:
        texts: tuple[str, ...] = ("",) * len(columns.ts)
    else:
        texts = tuple(text) if order is None else tuple(text[i] for i in order.tolist())
    return Snapshot(
        path=path,
        sha256=sha256,
        ts=arrange(columns.ts),
        kind=arrange(kind),
        term=arrange(term),
        source=arrange(source),
        synthetic=arrange(columns.synthetic),
        values={name: arrange(columns.values[name]) for name in sorted(columns.values)},
        text=texts,
        kinds=kinds,
        terms=terms,
        sources=sources,
    )


def _sorted_codes(
    codes: npt.NDArray[np.int32], names: Sequence[str]
) -> tuple[npt.NDArray[np.int32], dict[str, int]]:
    vocab = {name: code for code, name in enumerate(sorted(names))}
    if list(vocab) == list(names):
        return codes.astype(np.int32), vocab
    recode = np.array([*(vocab[name] for name in names), NO_CODE], dtype=np.int32)
    return recode[codes], vocab  # NO_CODE (-1) picks the last entry: NO_CODE


class _Columns:
    """Accumulates validated events column by column, in one pass."""

    def __init__(self) -> None:
        self.ts: list[Any] = []
        self.kind: list[str] = []
        self.term: list[str | None] = []
        self.source: list[str | None] = []
        self.synthetic: list[bool] = []
        self.text: list[str] = []
        self.values: dict[str, tuple[list[int], list[float]]] = {}

    def add(self, row: Any) -> Invalid | None:
        """Append one event; return why it is invalid (None when it is fine)."""
        invalid = check_event(row)
        if invalid:
            return invalid
        index = len(self.ts)
        self.ts.append(row["ts"])
        self.kind.append(row["kind"])
        self.term.append(row.get("term"))
        self.source.append(row.get("source"))
        self.synthetic.append(row.get("synthetic", False))
        self.text.append(row.get("text", ""))
        for name, value in row.get("values", {}).items():  # checked: an object when present
            indexes, numbers = self.values.setdefault(name, ([], []))
            indexes.append(index)
            numbers.append(float("nan") if value is None else float(value))
        return None

    def build(self) -> Columns:
        size = len(self.ts)
        values = {}
        for name, (indexes, numbers) in self.values.items():
            column = np.full(size, np.nan)
            column[np.array(indexes, dtype=np.int64)] = numbers
            values[name] = column
        return Columns(
            ts=_epochs(self.ts),
            kind=_encode(self.kind),
            term=_encode(self.term),
            source=_encode(self.source),
            synthetic=np.array(self.synthetic, dtype=np.bool_),
            text=self.text,
            values=values,
        )


def _epochs(stamps: list[Any]) -> npt.NDArray[np.int64]:
    """Epoch seconds of validated stamps (vectorised when all are strings)."""
    if all(type(s) is str for s in stamps):
        return np.array([s[:-1] for s in stamps], dtype="datetime64[s]").astype(np.int64)
    out = np.empty(len(stamps), dtype=np.int64)
    for i, stamp in enumerate(stamps):
        out[i] = (
            np.datetime64(stamp[:-1], "s").astype(np.int64) if isinstance(stamp, str) else stamp
        )
    return out


def _encode(names: Sequence[str | None]) -> Coded:
    vocab = {name: code for code, name in enumerate(sorted({n for n in names if n is not None}))}
    codes = (NO_CODE if n is None else vocab[n] for n in names)
    return np.fromiter(codes, np.int32, len(names)), list(vocab)
