"""Many windows at once: each request's selected events as one segment of a flat array.

Reductions that pick an element (count, max, min, last, gaps) run over all segments in one
numpy pass; sums and means run per segment on the same contiguous values as the per-case
evaluator did, so floating-point results are bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.partition import Ints, Layout, Selection, batch_layout, is_plain, plain_layout
from bot.model.snapshot import Snapshot

Floats = npt.NDArray[np.float64]


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


def locate(snapshot: Snapshot, selections: Sequence[Selection], lo: Ints, hi: Ints) -> Segments:
    """The events each selection selects among positions [lo, hi), request by request."""
    count = len(selections)
    a = np.zeros(count, dtype=np.int64)
    b = np.zeros(count, dtype=np.int64)
    layouts: list[Layout] = []
    which = np.zeros(count, dtype=np.int64)
    for layout, requests, slots in _by_layout(snapshot, selections):
        which[requests] = len(layouts)
        layouts.append(layout)
        a[requests], b[requests] = layout.segments(slots, lo[requests], hi[requests])
    length = b - a
    start = np.cumsum(length) - length
    pos = np.zeros(int(length.sum()), dtype=np.int64)
    for index, layout in enumerate(layouts):
        requests = np.flatnonzero(which == index)
        sizes = length[requests]
        within = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(sizes) - sizes, sizes
        )
        pos[np.repeat(start[requests], sizes) + within] = layout.order[
            np.repeat(a[requests], sizes) + within
        ]
    return Segments(pos, start, length)


def _by_layout(
    snapshot: Snapshot, selections: Sequence[Selection]
) -> list[tuple[Layout, Ints, Ints]]:
    """Requests grouped by the layout that holds them, with their slots in it."""
    groups: dict[int, tuple[Layout, list[int], list[int]]] = {}
    other: dict[Selection, int] = {}
    other_requests: list[int] = []
    for request, selection in enumerate(selections):
        if is_plain(selection):
            layout, slot = plain_layout(snapshot, selection)
            group = groups.setdefault(id(layout), (layout, [], []))
            group[1].append(request)
            group[2].append(slot)
        else:
            other.setdefault(selection, len(other))
            other_requests.append(request)
    found = [(layout, _ints(r), _ints(s)) for layout, r, s in groups.values()]
    if other:
        slots = [other[selections[r]] for r in other_requests]
        layout = batch_layout(snapshot, list(other))
        found.append((layout, _ints(other_requests), _ints(slots)))
    return found


def _ints(values: list[int]) -> Ints:
    return np.array(values, dtype=np.int64)


def last(segments: Segments, values: Floats) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """Each segment's last non-NaN value, and whether it has one."""
    valid = ~np.isnan(values)
    marks = np.maximum.accumulate(np.where(valid, np.arange(values.size), -1))
    marks = np.append(marks, -1)
    found = marks[np.maximum(segments.stop - 1, 0)]
    has = (segments.length > 0) & (found >= segments.start)
    return np.where(has, np.append(values, np.nan)[found], np.nan), has


def extreme(
    segments: Segments, values: Floats, ufunc: np.ufunc
) -> tuple[Floats, npt.NDArray[np.bool_]]:
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


def max_gaps(segments: Segments, ts: Ints) -> Ints:
    """Each segment's largest step between consecutive events (0 for fewer than two)."""
    gaps = np.append(np.diff(ts), 0) if ts.size else np.zeros(1, dtype=np.int64)
    out = np.zeros(segments.length.size, dtype=np.int64)
    pairs = segments.length >= 2
    if pairs.any():
        edges = np.column_stack((segments.start[pairs], segments.stop[pairs] - 1)).ravel()
        out[pairs] = np.maximum.reduceat(gaps, edges)[::2]
    return out


def per_segment(
    segments: Segments, values: Floats, reduce: Callable[[Floats], float]
) -> list[float | None]:
    """`reduce` over each segment's non-NaN values, separately (None for none)."""
    found: list[float | None] = []
    for part in segments.split(values):
        kept = part[~np.isnan(part)]
        found.append(float(reduce(kept)) if kept.size else None)
    return found
