"""The per-case evaluator the batched one replaced: the oracle its results are compared with.

It measures one case at a time with boolean masks over the whole window, exactly as the
evaluator did before events were partitioned; tests and benchmarks use it as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.conditions import Measured, compare
from bot.core.evaluate import ABSTAIN, HIT, LOW, MISS, UNKNOWN, Result, confidence, uncovered
from bot.core.params import Params
from bot.model import Case, Condition
from bot.model.snapshot import UNKNOWN as UNKNOWN_CODE
from bot.model.snapshot import Snapshot

_HOUR = 3600.0
_DAY = 86400


@dataclass(frozen=True)
class Window:
    """The events one case looks at: index range, time range, and which events survive filters."""

    lo: int
    hi: int
    start: int
    end: int
    keep: npt.NDArray[np.bool_]


def evaluate(case: Case, params: Params, snapshot: Snapshot) -> Result:
    """One case, measured with masks over its whole window."""
    window = _window(case, params, snapshot)
    missing = uncovered(snapshot, window.start, window.end)
    if missing:
        span = (window.start, window.end)
        return Result(case.id, UNKNOWN, 0.0, LOW, expect=case.expect, window=span, missing=missing)
    raw_signals = snapshot.mask(case.signals, window.lo, window.hi)
    signal_mask = window.keep & raw_signals
    signals = int(signal_mask.sum())
    synthetic = snapshot.synthetic[window.lo : window.hi]
    share = float(synthetic[signal_mask].mean()) if signals else 0.0
    triggers = tuple(measure(c, params, snapshot, window) for c in case.triggers)
    falsifiers = tuple(measure(c, params, snapshot, window) for c in case.falsifiers)
    reasons = _abstain_reasons(case, signals, share)
    fired = all(m.met for m in triggers) and not any(m.met for m in falsifiers)
    status = ABSTAIN if reasons else (HIT if fired == (case.expect == "fire") else MISS)
    return Result(
        case_id=case.id,
        status=status,
        score=0.0 if reasons else _score(case, triggers, falsifiers, fired),
        confidence=confidence(triggers, falsifiers, fired),
        fired=fired,
        expect=case.expect,
        triggers=triggers,
        falsifiers=falsifiers,
        signals=signals,
        min_signals=case.min_signals,
        excluded_synthetic=int((raw_signals & synthetic & ~window.keep).sum()),
        integrity={"synthetic_share": round(share, 6)},
        abstain_reasons=reasons,
        window=(window.start, window.end),
    )


def _window(case: Case, params: Params, snapshot: Snapshot) -> Window:
    days = params.value(case.window_days)
    start = case.window_end - round(days * _DAY)
    lo, hi = snapshot.bounds(start, case.window_end)
    keep = np.ones(hi - lo, dtype=np.bool_)
    for _, registration in params.active(case.policies(), "operators"):
        if registration.kind == "exclude_synthetic":
            keep &= ~snapshot.synthetic[lo:hi]
    return Window(lo, hi, start, case.window_end, keep)


def _abstain_reasons(case: Case, signals: int, share: float) -> tuple[str, ...]:
    reasons = []
    if signals < case.min_signals:
        reasons.append(f"signals: {signals} < min_signals {case.min_signals}")
    limit = case.integrity.get("max_synthetic_share")
    if limit is not None and share > limit:
        reasons.append(f"integrity: synthetic_share {share:.3f} > {limit}")
    return tuple(reasons)


def _score(
    case: Case, triggers: tuple[Measured, ...], falsifiers: tuple[Measured, ...], fired: bool
) -> float:
    if case.expect == "quiet":
        return 0.0 if fired else 1.0
    agreeing = sum(m.met for m in triggers) + sum(not m.met for m in falsifiers)
    return round(agreeing / (len(triggers) + len(falsifiers)), 6)


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
    codes = np.array([snapshot.terms.get(n, UNKNOWN_CODE) for n in names], dtype=np.int32)
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
