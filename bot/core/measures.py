"""Measure triggers and falsifiers of many cases at once, one numpy pass per condition shape.

The rules are evaluate.py's: a condition selects the events of its match (its term and the
term's active aliases) in the case's window, synthetic ones dropped when `exclude_synthetic`
is active, and measures them (a count, an aggregate, a weighted score).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import numpy as np

from bot.core.conditions import Measured, compare
from bot.core.params import Params
from bot.core.partition import Ints, Selection
from bot.core.segments import Floats, Segments, extreme, last, locate, max_gaps, per_segment
from bot.model import Condition, Match
from bot.model.snapshot import Snapshot

_HOUR = 3600.0


class Request(NamedTuple):
    """One condition of one case: `at` is the case's index in the batch."""

    at: int
    condition: Condition
    exclude_synthetic: bool


class Lookups:
    """Parameter values and active registrations, looked up once per batch."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self._memo: dict[Hashable, Any] = {}

    def value(self, ref: str) -> float:
        found = self._memo.get(ref)
        if found is None:
            found = self._memo[ref] = self.params.value(ref)
        return float(found)

    def excludes_synthetic(self, policies: tuple[str, ...]) -> bool:
        key = ("exclude", policies)
        if key not in self._memo:
            active = self.params.active(policies, "operators")
            self._memo[key] = any(r.kind == "exclude_synthetic" for _, r in active)
        return bool(self._memo[key])

    def aliases(self, policy: str, term: str) -> tuple[str, ...]:
        key = ("aliases", policy, term)
        if key not in self._memo:
            found: list[str] = []
            for _, registration in self.params.active((policy,), "operators"):
                if registration.kind == "alias_terms":
                    found.extend(registration.config.get("aliases", {}).get(term, ()))
            self._memo[key] = tuple(sorted(set(found)))
        aliases: tuple[str, ...] = self._memo[key]
        return aliases

    def metric(self, policy: str) -> tuple[str, float] | None:
        """The count metric of a policy: distinct sources first, then a time decay's tau."""
        key = ("metric", policy)
        if key not in self._memo:
            metrics = {r.kind: (p, r) for p, r in self.params.active((policy,), "metrics")}
            found: tuple[str, float] | None = None
            if "distinct_sources" in metrics:
                found = ("distinct_sources", 0.0)
            elif "time_decay" in metrics:
                owner, registration = metrics["time_decay"]
                tau = self.value(f"{owner}.{registration.config['tau']}") * _HOUR
                found = ("time_decay", tau)
            self._memo[key] = found
        metric: tuple[str, float] | None = self._memo[key]
        return metric


def signal_selection(match: Match) -> Selection:
    """What a case's `signals` filter can select (aliases do not widen it)."""
    terms = None if match.term is None else (match.term,)
    return Selection(match.kind, terms, match.source, match.text_contains, False)


def measure_all(
    requests: Sequence[Request], lookups: Lookups, snapshot: Snapshot, windows: Ints
) -> list[Measured]:
    """Every request measured; `windows` holds each case's (lo, hi, end) as rows."""
    groups: dict[Hashable, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(_shape(request.condition, lookups), []).append(index)
    found: list[Measured | None] = [None] * len(requests)
    for shape, members in groups.items():
        chosen = [requests[i] for i in members]
        for index, measured in zip(
            members, _measure(shape, chosen, lookups, snapshot, windows), strict=True
        ):
            found[index] = measured
    return [m for m in found if m is not None]


def _shape(condition: Condition, lookups: Lookups) -> Hashable:
    if condition.kind == "count":
        return ("count", lookups.metric(condition.policy))
    if condition.kind == "aggregate":
        return ("aggregate", condition.field, condition.fn)
    weights = tuple((d, lookups.value(ref)) for d, ref in condition.weights)
    return ("weighted_score", condition.fn or "last", weights)


def _selection(request: Request, lookups: Lookups) -> Selection:
    match = request.condition.match
    terms = None
    if match.term is not None:
        terms = (match.term, *lookups.aliases(request.condition.policy, match.term))
    return Selection(
        match.kind, terms, match.source, match.text_contains, request.exclude_synthetic
    )


def _measure(
    shape: Any, requests: list[Request], lookups: Lookups, snapshot: Snapshot, windows: Ints
) -> list[Measured]:
    rows = windows[[r.at for r in requests]]
    selections = [_selection(r, lookups) for r in requests]
    segments = locate(snapshot, selections, rows[:, 0], rows[:, 1])
    ends = rows[:, 2]
    if shape[0] == "count":
        values, details = _count(shape[1], segments, snapshot, ends)
    elif shape[0] == "aggregate":
        values = _reduce(segments, snapshot.column(shape[1])[segments.pos], shape[2])
        details = [(("field", shape[1]), ("fn", shape[2]))] * len(requests)
    else:
        total = np.zeros(segments.pos.size)
        for domain, weight in shape[2]:
            total = total + weight * snapshot.column(domain)[segments.pos]
        values = _reduce(segments, total, shape[1])
        details = [(("fn", shape[1]), ("weights", dict(shape[2]))) for _ in requests]
    matched = segments.length.tolist()
    return [
        _measured(r.condition, lookups, value, count, detail)
        for r, value, count, detail in zip(requests, values, matched, details, strict=True)
    ]


def _measured(
    condition: Condition, lookups: Lookups, value: float | None, matched: int, detail: Any
) -> Measured:
    threshold = lookups.value(condition.threshold)
    met = compare(value, condition.op, threshold)
    return Measured(
        condition.name,
        condition.kind,
        condition.threshold,
        condition.op,
        threshold,
        value,
        met,
        matched,
        detail,
    )


def _count(
    metric: tuple[str, float] | None, segments: Segments, snapshot: Snapshot, ends: Ints
) -> tuple[list[float | None], list[Any]]:
    ts = snapshot.ts[segments.pos]
    lasts = np.append(ts, 0)[np.maximum(segments.stop - 1, 0)].tolist()
    gaps = max_gaps(segments, ts).tolist()
    lengths = segments.length.tolist()
    named = () if metric is None else (("metric", metric[0]),)
    details: list[Any] = []
    for length, end, last_ts, gap in zip(lengths, ends.tolist(), lasts, gaps, strict=True):
        if length:
            age, widest = round((end - last_ts) / _HOUR, 3), round(gap / _HOUR, 3)
        else:
            age = widest = None
        details.append((("last_event_age_hours", age), ("max_gap_hours", widest), *named))
    if metric is None:
        return [float(n) for n in lengths], details
    if metric[0] == "distinct_sources":
        parts = segments.split(snapshot.source[segments.pos])
        return [float(np.unique(p[p >= 0]).size) for p in parts], details
    tau = metric[1]
    parts = segments.split(ts)
    ends_list = ends.tolist()
    return [
        float(np.exp(-(e - p) / tau).sum()) for p, e in zip(parts, ends_list, strict=True)
    ], details


def _reduce(segments: Segments, values: Floats, fn: str) -> list[float | None]:
    if fn in ("sum", "mean"):
        return per_segment(segments, values, np.sum if fn == "sum" else np.mean)
    if fn == "last":
        found, has = last(segments, values)
    else:
        found, has = extreme(segments, values, np.maximum if fn == "max" else np.minimum)
    return [v if h else None for v, h in zip(found.tolist(), has.tolist(), strict=True)]
