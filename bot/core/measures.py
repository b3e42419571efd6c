"""Measure triggers and falsifiers of many cases at once, one numpy pass per condition shape.

The rules are evaluate.py's: a condition selects the events of its match (its term and the
term's active aliases) in the case's window, synthetic ones dropped when `exclude_synthetic`
is active, and measures them (a count, an aggregate, a weighted score). The results stay in
columns; a condition's `Measured` evidence is built only when a result's evidence is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.conditions import Measured, compare
from bot.core.lookups import Lookups
from bot.core.partition import Ints
from bot.core.plan import Plan
from bot.core.segments import Floats, Segments, Spans, extreme, last, per_segment, place
from bot.model import Condition
from bot.model.snapshot import Snapshot

Bools = npt.NDArray[np.bool_]
_HOUR = 3600.0
_CLOSE = 1e-8  # relative: farther apart than this, rounding to 9 digits cannot change a comparison


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
    plan: Plan, lookups: Lookups, snapshot: Snapshot, excludes: Bools, windows: tuple[Ints, Ints]
) -> Measures:
    """Every condition of the plan measured; `excludes` and `windows` (start and end times)
    are each condition's."""
    count = len(plan.conditions)
    aliases = _aliases(plan, lookups)
    spans = place(snapshot, plan.matches, excludes, aliases, windows)
    shapes = [lookups.shape(*key) for key in plan.shapes.values]
    distinct = {shape: index for index, shape in enumerate(dict.fromkeys(shapes))}
    shape_of = plan.shapes.spread([distinct[s] for s in shapes], np.int64)
    value = np.zeros(count)
    has = np.zeros(count, dtype=np.bool_)
    group = np.zeros(count, dtype=np.int64)
    within = np.zeros(count, dtype=np.int64)
    details: list[_Details] = []
    for shape, index in distinct.items():
        chosen = np.flatnonzero(shape_of == index)
        part = spans.take(chosen)
        value[chosen], has[chosen], found = _measure(shape, part, snapshot, windows[1][chosen])
        group[chosen] = len(details)
        within[chosen] = np.arange(chosen.size)
        details.append(found)
    threshold = plan.refs.spread([lookups.value(r) for r in plan.refs.values], np.float64)
    met = compare_all(value, has, plan.upper, threshold, plan.conditions)
    return Measures(
        plan.conditions, value, has, spans.length, threshold, met, group, within, details
    )


def _aliases(plan: Plan, lookups: Lookups) -> list[tuple[str, ...]]:
    """Per distinct match, the aliases its term gains (none when no policy aliases a term)."""
    keys = plan.matches.keys.values
    tables = {p: lookups.alias_table(p) for p in {k[4] for k in keys} if p is not None}
    if not any(tables.values()):
        return [()] * len(keys)
    return [tables.get(k[4] or "", {}).get(k[1] or "", ()) for k in keys]


def compare_all(
    value: Floats, has: Bools, upper: Bools, threshold: Floats, conditions: Sequence[Condition]
) -> Bools:
    """`compare` for every request: the sign decides unless rounding could (then exactly)."""
    measured = np.where(has, value, 0.0)
    diff = measured - threshold
    scale = np.maximum(1.0, np.maximum(np.abs(measured), np.abs(threshold)))
    met = has & np.where(upper, diff > 0, diff < 0)
    for request in np.flatnonzero(has & ~(np.abs(diff) > _CLOSE * scale)).tolist():
        op = conditions[request].op
        met[request] = compare(float(value[request]), op, float(threshold[request]))
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

    def __init__(
        self, fixed: tuple[tuple[str, Any], ...], spans: Spans, ends: Ints, ts: Ints
    ) -> None:
        super().__init__(fixed)
        self.spans, self.ends, self.ts = spans, ends, ts

    def at(self, index: int) -> tuple[tuple[str, Any], ...]:
        ts = self.ts[self.spans.positions(index)].tolist()
        age: float | None = None
        widest: float | None = None
        if ts:
            end = int(self.ends[index])
            gap = max((b - a for a, b in pairwise(ts)), default=0)
            age, widest = round((end - ts[-1]) / _HOUR, 3), round(gap / _HOUR, 3)
        return (("last_event_age_hours", age), ("max_gap_hours", widest), *self.fixed)


def _measure(
    shape: Any, spans: Spans, snapshot: Snapshot, ends: Ints
) -> tuple[Floats, Bools, _Details]:
    if shape[0] == "count":
        return _count(shape[1], spans, snapshot, ends)
    segments = spans.segments()
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
    metric: tuple[str, float] | None, spans: Spans, snapshot: Snapshot, ends: Ints
) -> tuple[Floats, Bools, _Details]:
    named = () if metric is None else (("metric", metric[0]),)
    timing = _Timing(named, spans, ends, snapshot.ts)
    every = np.ones(spans.a.size, dtype=np.bool_)
    if metric is None:
        return spans.length.astype(np.float64), every, timing
    segments = spans.segments()
    if metric[0] == "distinct_sources":
        parts = segments.split(snapshot.source[segments.pos])
        distinct = [np.unique(p[p >= 0]).size for p in parts]
        return np.array(distinct, dtype=np.float64), every, timing
    tau = metric[1]
    decayed = [
        np.exp(-(e - p) / tau).sum()
        for p, e in zip(segments.split(snapshot.ts[segments.pos]), ends.tolist(), strict=True)
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
