"""Measure one trigger or falsifier on a window of events, vectorised (no per-event loop)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.params import Params
from bot.model import Condition
from bot.model.snapshot import UNKNOWN, Snapshot

COMPARE_DIGITS = 9  # values are rounded before comparison: exactly at the threshold is exact
_HOUR = 3600.0


@dataclass(frozen=True)
class Window:
    """The events one case looks at: index range, time range, and which events survive filters."""

    lo: int
    hi: int
    start: int
    end: int
    keep: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Measured:
    """One condition's outcome: value vs threshold, and the evidence behind it."""

    name: str
    kind: str
    ref: str
    op: str
    threshold: float
    value: float | None
    met: bool
    matched: int
    detail: tuple[tuple[str, Any], ...] = ()

    @property
    def margin(self) -> float:
        """Relative distance from the threshold (inf when there was nothing to measure)."""
        if self.value is None:
            return math.inf
        return abs(self.value - self.threshold) / max(abs(self.threshold), 1e-9)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "parameter": self.ref,
            "op": self.op,
            "threshold": self.threshold,
            "value": self.value,
            "met": self.met,
            "matched_events": self.matched,
            **dict(self.detail),
        }


def compare(value: float | None, op: str, threshold: float) -> bool:
    """`value op threshold` after rounding both; no value never meets a condition."""
    if value is None:
        return False
    a, b = round(value, COMPARE_DIGITS), round(threshold, COMPARE_DIGITS)
    return {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b}[op]


@dataclass(frozen=True)
class _Scope:
    """What one measurement sees: the condition, the parameters and the selected events."""

    condition: Condition
    params: Params
    snapshot: Snapshot
    window: Window
    selected: npt.NDArray[np.bool_]

    def column(self, name: str) -> npt.NDArray[np.float64]:
        return self.snapshot.column(name)[self.window.lo : self.window.hi][self.selected]


def measure(condition: Condition, params: Params, snapshot: Snapshot, window: Window) -> Measured:
    """Evaluate `condition` on `window` under `params`."""
    selected = window.keep & _select(condition, params, snapshot, window)
    scope = _Scope(condition, params, snapshot, window, selected)
    value, detail = _MEASURES[condition.kind](scope)
    threshold = params.value(condition.threshold)
    return Measured(
        name=condition.name,
        kind=condition.kind,
        ref=condition.threshold,
        op=condition.op,
        threshold=threshold,
        value=value,
        met=compare(value, condition.op, threshold),
        matched=int(selected.sum()),
        detail=tuple(sorted(detail.items())),
    )


def _select(
    condition: Condition, params: Params, snapshot: Snapshot, window: Window
) -> npt.NDArray[np.bool_]:
    match = condition.match
    aliases = _aliases(condition, params)
    if match.term is None or not aliases:
        return snapshot.mask(match, window.lo, window.hi)
    names = (match.term, *aliases)
    codes = np.array([snapshot.terms.get(n, UNKNOWN) for n in names], dtype=np.int32)
    rest = snapshot.mask(replace(match, term=None), window.lo, window.hi)
    return rest & np.isin(snapshot.term[window.lo : window.hi], codes)


def _aliases(condition: Condition, params: Params) -> tuple[str, ...]:
    term = condition.match.term
    found: list[str] = []
    for _, registration in params.active((condition.policy,), "operators"):
        if registration.kind == "alias_terms":
            found.extend(registration.config.get("aliases", {}).get(term, ()))
    return tuple(sorted(set(found)))


def _count(scope: _Scope) -> tuple[float | None, dict[str, Any]]:
    window, snapshot, params = scope.window, scope.snapshot, scope.params
    ts = snapshot.ts[window.lo : window.hi][scope.selected]
    detail: dict[str, Any] = _temporal(ts, window.end)
    metrics = {r.kind: (p, r) for p, r in params.active((scope.condition.policy,), "metrics")}
    if "distinct_sources" in metrics:
        sources = snapshot.source[window.lo : window.hi][scope.selected]
        detail["metric"] = "distinct_sources"
        return float(np.unique(sources[sources >= 0]).size), detail
    if "time_decay" in metrics:
        owner, registration = metrics["time_decay"]
        tau = params.value(f"{owner}.{registration.config['tau']}") * _HOUR
        detail["metric"] = "time_decay"
        return float(np.exp(-(window.end - ts) / tau).sum()), detail
    return float(ts.size), detail


def _temporal(ts: npt.NDArray[np.int64], end: int) -> dict[str, Any]:
    if ts.size == 0:
        return {"last_event_age_hours": None, "max_gap_hours": None}
    gaps = np.diff(ts) if ts.size > 1 else np.zeros(1, dtype=np.int64)
    return {
        "last_event_age_hours": round((end - int(ts[-1])) / _HOUR, 3),
        "max_gap_hours": round(int(gaps.max()) / _HOUR, 3),
    }


def _aggregate(scope: _Scope) -> tuple[float | None, dict[str, Any]]:
    field, fn = scope.condition.field, scope.condition.fn
    assert field is not None and fn is not None  # the schema requires both
    values = scope.column(field)
    return _combine(values[~np.isnan(values)], fn), {"field": field, "fn": fn}


def _weighted(scope: _Scope) -> tuple[float | None, dict[str, Any]]:
    weights = {domain: scope.params.value(ref) for domain, ref in scope.condition.weights}
    total = np.zeros(int(scope.selected.sum()))
    for domain, weight in weights.items():
        total = total + weight * scope.column(domain)
    fn = scope.condition.fn or "last"
    return _combine(total[~np.isnan(total)], fn), {"fn": fn, "weights": weights}


_REDUCERS: dict[str, Callable[[npt.NDArray[np.float64]], Any]] = {
    "sum": np.sum,
    "mean": np.mean,
    "max": np.max,
    "min": np.min,
    "last": lambda values: values[-1],
}


def _combine(values: npt.NDArray[np.float64], fn: str) -> float | None:
    """Reduce the values in the window; no values means nothing was measured."""
    if values.size == 0:
        return None
    return float(_REDUCERS[fn](values))


_MEASURES: dict[str, Callable[[_Scope], tuple[float | None, dict[str, Any]]]] = {
    "count": _count,
    "aggregate": _aggregate,
    "weighted_score": _weighted,
}
