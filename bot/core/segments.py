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
    distinct = {s: index for index, s in enumerate(dict.fromkeys(selections))}
    layouts, layout_of, slot_of = _places(snapshot, list(distinct))
    codes = np.fromiter(map(distinct.__getitem__, selections), np.int64, count)
    which, slots = layout_of[codes], slot_of[codes]
    a = np.zeros(count, dtype=np.int64)
    b = np.zeros(count, dtype=np.int64)
    groups = [np.flatnonzero(which == index) for index in range(len(layouts))]
    for layout, requests in zip(layouts, groups, strict=True):
        a[requests], b[requests] = layout.segments(slots[requests], lo[requests], hi[requests])
    length = b - a
    start = np.cumsum(length) - length
    pos = np.zeros(int(length.sum()), dtype=np.int64)
    for layout, requests in zip(layouts, groups, strict=True):
        sizes = length[requests]
        within = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(sizes) - sizes, sizes
        )
        pos[np.repeat(start[requests], sizes) + within] = layout.order[
            np.repeat(a[requests], sizes) + within
        ]
    return Segments(pos, start, length)


def _places(snapshot: Snapshot, selections: list[Selection]) -> tuple[list[Layout], Ints, Ints]:
    """Distinct selections placed in layouts: the layouts, each one's layout and slot in it."""
    layouts: dict[int, tuple[int, Layout]] = {}
    layout_of = np.zeros(len(selections), dtype=np.int64)
    slot_of = np.zeros(len(selections), dtype=np.int64)
    other: list[int] = []
    for index, selection in enumerate(selections):
        if is_plain(selection):
            layout, slot = plain_layout(snapshot, selection)
            layout_of[index] = layouts.setdefault(id(layout), (len(layouts), layout))[0]
            slot_of[index] = slot
        else:
            other.append(index)
    found = [layout for _, layout in layouts.values()]
    if other:
        layout_of[other] = len(found)
        slot_of[other] = np.arange(len(other))
        found.append(batch_layout(snapshot, [selections[i] for i in other]))
    return found, layout_of, slot_of


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
