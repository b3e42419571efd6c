"""Many windows at once: the events each request selects, as spans of the snapshot's layouts.

Counts need no event values: a span's length, or the difference of a running count. Values
are gathered into one flat array, request by request (`Segments`); reductions that pick an
element (max, min, last) run over all segments in one numpy pass; sums and means run per
segment on the same contiguous values as the per-case evaluator did, so floating-point
results are bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.partition import (
    Ints,
    Layout,
    batch_layout,
    grouped,
)
from bot.core.plan import ANY, Matches, selection
from bot.model.snapshot import UNKNOWN, Snapshot

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Segments:
    """Request i selected the snapshot positions pos[start[i] : start[i] + length[i]]."""

    pos: Ints
    start: Ints
    length: Ints

    @property
    def stop(self) -> Ints:
        return self.start + self.length

    def split(self, values: npt.NDArray[Any]) -> list[npt.NDArray[Any]]:
        """Per request, a contiguous copy of its part of `values` (gathered at `pos`)."""
        return [values[a:b].copy() for a, b in zip(self.start, self.stop, strict=True)]


@dataclass(frozen=True)
class Spans:
    """Request i selected layouts[which[i]].order[a[i] : b[i]], in time order."""

    layouts: tuple[Layout, ...]
    requests: tuple[Ints, ...]  # per layout, the requests it holds
    which: Ints
    a: Ints
    b: Ints

    @property
    def length(self) -> Ints:
        return self.b - self.a

    def take(self, requests: Ints) -> Spans:
        """The spans of some requests, in the order given."""
        which = self.which[requests]
        groups = tuple(np.flatnonzero(which == index) for index in range(len(self.layouts)))
        return Spans(self.layouts, groups, which, self.a[requests], self.b[requests])

    def positions(self, request: int) -> Ints:
        """One request's snapshot positions."""
        layout = self.layouts[int(self.which[request])]
        return layout.order[int(self.a[request]) : int(self.b[request])]

    def count(self, name: str, flags: Bools) -> Ints:
        """How many of each request's events have `flags` set (`name`: what flags are)."""
        found = np.zeros(self.a.size, dtype=np.int64)
        for layout, requests in zip(self.layouts, self.requests, strict=True):
            marks = layout.derive(("count", name), partial(_running, flags, layout.order))
            found[requests] = marks[self.b[requests]] - marks[self.a[requests]]
        return found

    def segments(self) -> Segments:
        """Every request's positions, gathered into one flat array."""
        length = self.length
        start = np.cumsum(length) - length
        pos = np.zeros(int(length.sum()), dtype=np.int64)
        for layout, requests in zip(self.layouts, self.requests, strict=True):
            sizes = length[requests]
            within = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
                np.cumsum(sizes) - sizes, sizes
            )
            pos[np.repeat(start[requests], sizes) + within] = layout.order[
                np.repeat(self.a[requests], sizes) + within
            ]
        return Segments(pos, start, length)


def _running(flags: Bools, order: Ints) -> Ints:
    """How many of the first i events of `order` have `flags` set, for every i."""
    return np.concatenate(([0], np.cumsum(flags[order], dtype=np.int64)))


def place(
    snapshot: Snapshot,
    matches: Matches,
    exclude: Bools,
    aliases: Sequence[tuple[str, ...]],
    windows: tuple[Ints, Ints],
) -> Spans:
    """The events request i selects: its match (widened by its term's `aliases`),
    synthetic events left out where `exclude[i]`, with start[i] <= ts < end[i].

    Plain matches (one term) are slots of the snapshot's cached layouts, found with numpy;
    the others are gathered into a layout of this batch."""
    aliased = np.array([bool(a) for a in aliases], dtype=np.bool_).reshape(-1)
    codes = matches.keys.codes
    plain = (matches.simple & ~aliased)[codes]
    kind, term = matches.kinds[codes], matches.terms[codes]
    by_kind = kind != ANY
    slots = np.where(by_kind, kind * (len(snapshot.terms) + 1), 0) + term + 1
    slots[(kind == UNKNOWN) | (term == UNKNOWN)] = -1
    groups = []
    for keyed, dropped in ((False, False), (False, True), (True, False), (True, True)):
        requests = np.flatnonzero(plain & (by_kind == keyed) & (exclude == dropped))
        if requests.size:
            groups.append((grouped(snapshot, keyed, dropped), requests, slots[requests]))
    other = np.flatnonzero(~plain)
    if other.size:
        combos, inverse = np.unique(codes[other] * 2 + exclude[other], return_inverse=True)
        chosen = [
            selection(matches.keys.values[c // 2], aliases[c // 2], bool(c % 2))
            for c in combos.tolist()
        ]
        groups.append((batch_layout(snapshot, chosen), other, inverse.reshape(-1)))
    return spans(groups, codes.size, *windows)


def spans(groups: Sequence[tuple[Layout, Ints, Ints]], count: int, start: Ints, end: Ints) -> Spans:
    """Spans of requests grouped by layout, as (layout, requests, their slots)."""
    a = np.zeros(count, dtype=np.int64)
    b = np.zeros(count, dtype=np.int64)
    which = np.zeros(count, dtype=np.int64)
    for index, (layout, requests, slots) in enumerate(groups):
        which[requests] = index
        a[requests], b[requests] = layout.spans(slots, start[requests], end[requests])
    layouts = tuple(layout for layout, _, _ in groups)
    return Spans(layouts, tuple(requests for _, requests, _ in groups), which, a, b)


def last(segments: Segments, values: Floats) -> tuple[Floats, Bools]:
    """Each segment's last non-NaN value, and whether it has one."""
    valid = ~np.isnan(values)
    marks = np.maximum.accumulate(np.where(valid, np.arange(values.size), -1))
    marks = np.append(marks, -1)
    found = marks[np.maximum(segments.stop - 1, 0)]
    has = (segments.length > 0) & (found >= segments.start)
    return np.where(has, np.append(values, np.nan)[found], np.nan), has


def extreme(segments: Segments, values: Floats, ufunc: np.ufunc) -> tuple[Floats, Bools]:
    """Each segment's max (np.maximum) or min (np.minimum) over non-NaN values."""
    valid = ~np.isnan(values)
    counts = np.concatenate(([0], np.cumsum(valid)))
    has = counts[segments.stop] > counts[segments.start]
    fill = -np.inf if ufunc is np.maximum else np.inf
    out = np.full(segments.length.size, np.nan)
    busy = segments.length > 0
    if busy.any():
        reduced = ufunc.reduceat(np.where(valid, values, fill), segments.start[busy])
        out[busy] = reduced
    return np.where(has, out, np.nan), has


def per_segment(
    segments: Segments, values: Floats, reduce: Callable[[Floats], float]
) -> list[float | None]:
    """`reduce` over each segment's non-NaN values, separately (None for none)."""
    found: list[float | None] = []
    for part in segments.split(values):
        kept = part[~np.isnan(part)]
        found.append(float(reduce(kept)) if kept.size else None)
    return found
