"""Measure triggers and falsifiers of many cases at once, one numpy pass per condition shape.

The rules are evaluate.py's: a condition selects the events of its match (its term and the
term's active aliases) in the case's window, synthetic ones dropped when `exclude_synthetic`
is active, and measures them (a count, an aggregate, a weighted score). The results stay in
columns; a condition's `Measured` evidence is built only when a result's evidence is read.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.conditions import Measured, compare
from bot.core.lookups import Lookups
from bot.core.partition import Ints, Selection
from bot.core.segments import Floats, Segments, extreme, last, locate, max_gaps, per_segment
from bot.model import Condition, Match
from bot.model.snapshot import Snapshot

Bools = npt.NDArray[np.bool_]
_HOUR = 3600.0
_CLOSE = 1e-8  # relative: farther apart than this, rounding to 9 digits cannot change a comparison


def signal_selection(match: Match) -> Selection:
    """What a case's `signals` filter can select (aliases do not widen it)."""
    terms = None if match.term is None else (match.term,)
    return Selection(match.kind, terms, match.source, match.text_contains, False)


@dataclass(frozen=True)
class Measures:
    """Every condition's measurement, as columns indexed by request."""

    conditions: Sequence[Condition]
    value: Floats
    has: Bools  # whether there was anything to measure
    matched: Ints
    threshold: Floats
    met: Bools
    group: Ints  # which shape group measured the request, and where in it
    within: Ints
    details: Sequence[_Details]

    def measured(self, request: int) -> Measured:
        """One request's evidence."""
        condition = self.conditions[request]
        return Measured(
            condition.name,
            condition.kind,
            condition.threshold,
            condition.op,
            float(self.threshold[request]),
            float(self.value[request]) if self.has[request] else None,
            bool(self.met[request]),
            int(self.matched[request]),
            self.details[int(self.group[request])].at(int(self.within[request])),
        )


def measure_all(
    conditions: Sequence[Condition],
    excludes: Sequence[bool],
    lookups: Lookups,
    snapshot: Snapshot,
    windows: Ints,
) -> Measures:
    """Every condition measured; `windows` holds each request's (lo, hi, end) as rows."""
    count = len(conditions)
    groups: dict[Hashable, list[int]] = {}
    for index, condition in enumerate(conditions):
        groups.setdefault(lookups.shape(condition), []).append(index)
    value = np.zeros(count)
    has = np.zeros(count, dtype=np.bool_)
    matched = np.zeros(count, dtype=np.int64)
    group = np.zeros(count, dtype=np.int64)
    within = np.zeros(count, dtype=np.int64)
    details: list[_Details] = []
    for shape, members in groups.items():
        chosen = np.array(members, dtype=np.int64)
        selections = [lookups.selection(conditions[i], excludes[i]) for i in members]
        rows = windows[chosen]
        segments = locate(snapshot, selections, rows[:, 0], rows[:, 1])
        value[chosen], has[chosen], found = _measure(shape, segments, snapshot, rows[:, 2])
        matched[chosen] = segments.length
        group[chosen] = len(details)
        within[chosen] = np.arange(chosen.size)
        details.append(found)
    threshold = np.array([lookups.value(c.threshold) for c in conditions], dtype=np.float64)
    met = compare_all(value, has, [c.op for c in conditions], threshold)
    return Measures(conditions, value, has, matched, threshold, met, group, within, details)


def compare_all(value: Floats, has: Bools, ops: Sequence[str], threshold: Floats) -> Bools:
    """`compare` for every request: the sign decides unless rounding could (then exactly)."""
    measured = np.where(has, value, 0.0)
    diff = measured - threshold
    scale = np.maximum(1.0, np.maximum(np.abs(measured), np.abs(threshold)))
    upper = np.array([op[0] == ">" for op in ops], dtype=np.bool_)
    met = has & np.where(upper, diff > 0, diff < 0)
    for request in np.flatnonzero(has & ~(np.abs(diff) > _CLOSE * scale)).tolist():
        exact = compare(float(value[request]), ops[request], float(threshold[request]))
        met[request] = exact
    return met


class _Details:
    """The detail tuples of one shape group, built per request on demand."""

    def __init__(self, fixed: tuple[tuple[str, Any], ...]) -> None:
        self.fixed = fixed

    def at(self, index: int) -> tuple[tuple[str, Any], ...]:
        return self.fixed


class _Weights(_Details):
    def at(self, index: int) -> tuple[tuple[str, Any], ...]:
        fn, weights = self.fixed
        return (fn, ("weights", dict(weights[1])))


class _Timing(_Details):
    """A count's recency and largest gap, in hours (None when nothing matched)."""

    def __init__(self, fixed: tuple[tuple[str, Any], ...], columns: tuple[Ints, ...]) -> None:
        super().__init__(fixed)
        self.columns = columns

    def at(self, index: int) -> tuple[tuple[str, Any], ...]:
        length, end, last_ts, gap = (int(column[index]) for column in self.columns)
        age: float | None = None
        widest: float | None = None
        if length:
            age, widest = round((end - last_ts) / _HOUR, 3), round(gap / _HOUR, 3)
        return (("last_event_age_hours", age), ("max_gap_hours", widest), *self.fixed)


def _measure(
    shape: Any, segments: Segments, snapshot: Snapshot, ends: Ints
) -> tuple[Floats, Bools, _Details]:
    if shape[0] == "count":
        return _count(shape[1], segments, snapshot, ends)
    if shape[0] == "aggregate":
        values = snapshot.column(shape[1])[segments.pos]
        fixed = (("field", shape[1]), ("fn", shape[2]))
        return (*_reduce(segments, values, shape[2]), _Details(fixed))
    total = np.zeros(segments.pos.size)
    for domain, weight in shape[2]:
        total = total + weight * snapshot.column(domain)[segments.pos]
    fixed = (("fn", shape[1]), ("weights", shape[2]))
    return (*_reduce(segments, total, shape[1]), _Weights(fixed))


def _count(
    metric: tuple[str, float] | None, segments: Segments, snapshot: Snapshot, ends: Ints
) -> tuple[Floats, Bools, _Details]:
    ts = snapshot.ts[segments.pos]
    lasts = np.append(ts, 0)[np.maximum(segments.stop - 1, 0)]
    columns = (segments.length, ends, lasts, max_gaps(segments, ts))
    timing = _Timing(() if metric is None else (("metric", metric[0]),), columns)
    every = np.ones(segments.length.size, dtype=np.bool_)
    if metric is None:
        return segments.length.astype(np.float64), every, timing
    if metric[0] == "distinct_sources":
        parts = segments.split(snapshot.source[segments.pos])
        distinct = [np.unique(p[p >= 0]).size for p in parts]
        return np.array(distinct, dtype=np.float64), every, timing
    tau = metric[1]
    decayed = [
        np.exp(-(e - p) / tau).sum() for p, e in zip(segments.split(ts), ends.tolist(), strict=True)
    ]
    return np.array(decayed, dtype=np.float64), every, timing


def _reduce(segments: Segments, values: Floats, fn: str) -> tuple[Floats, Bools]:
    if fn in ("sum", "mean"):
        found = per_segment(segments, values, np.sum if fn == "sum" else np.mean)
        has = np.array([v is not None for v in found], dtype=np.bool_)
        return np.array([0.0 if v is None else v for v in found], dtype=np.float64), has
    if fn == "last":
        return last(segments, values)
    return extreme(segments, values, np.maximum if fn == "max" else np.minimum)
