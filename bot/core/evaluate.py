"""Evaluate one case: HIT / MISS / ABSTAIN with a score, a confidence and the evidence.

Rules (also in the README):
- window: events with end - days <= ts < end;
- signals: events in the window matching the case's `signals` filter, after operators
  (an active `exclude_synthetic` drops synthetic events first);
- UNKNOWN when the snapshot does not cover the window (no event at all, or the first one after
  the window ends): nothing can be said, so it is not a failure (000's missing-ledgers
  guardrail). Events only before the window are coverage: the window was quiet;
- ABSTAIN when signals < min_signals or an integrity limit is exceeded;
- the case *fires* when every trigger is met and no falsifier is; HIT when that is what
  the case expects (`expect: fire` or `quiet`), MISS otherwise;
- score: for `fire`, the share of conditions on the expected side (met triggers and
  unmet falsifiers); for `quiet`, 1 when it stayed quiet; ABSTAIN and ERROR score 0;
- confidence from the decisive relative margin |value - threshold| / |threshold|:
  >= 0.25 HIGH, >= 0.10 MED, else LOW. Decisive: the smallest margin when the case fires
  (its weakest link), the largest blocking margin when it does not. A decisive condition that
  measured nothing (no value, or no event selected) makes it LOW: nothing to be sure of.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.core.conditions import Measured, Window, measure
from bot.core.params import Params
from bot.model import Case, format_time
from bot.model.snapshot import Snapshot

HIT, MISS, ABSTAIN, ERROR, UNKNOWN = "HIT", "MISS", "ABSTAIN", "ERROR", "UNKNOWN"
HIGH, MED, LOW = "HIGH", "MED", "LOW"
HIGH_MARGIN, MED_MARGIN = 0.25, 0.10
_DAY = 86400


@dataclass(frozen=True)
class Seeded:
    """A stochastic custom evaluator: it declares a `seed` parameter and gets one per replay."""

    function: Callable[..., Any]

    def __call__(self, case: Case, params: Params, snapshot: Snapshot, seed: int) -> Any:
        return self.function(case, params, snapshot, seed=seed)


Evaluator = Callable[[Case, Params, Snapshot], "Result | Mapping[str, Any]"] | Seeded


@dataclass(frozen=True)
class Result:
    """The outcome of one case under one set of parameters."""

    case_id: str
    status: str
    score: float
    confidence: str
    fired: bool = False
    expect: str = "fire"
    triggers: tuple[Measured, ...] = ()
    falsifiers: tuple[Measured, ...] = ()
    signals: int = 0
    min_signals: int = 0
    excluded_synthetic: int = 0
    integrity: Mapping[str, float] = field(default_factory=dict)
    abstain_reasons: tuple[str, ...] = ()
    window: tuple[int, int] = (0, 0)
    error: str | None = None
    missing: str = ""  # UNKNOWN: what the snapshot lacks

    @property
    def passed(self) -> bool:
        return self.status == HIT

    @property
    def failed(self) -> bool:
        """A failure to analyse: MISS, or ABSTAIN with HIGH confidence (000)."""
        return self.status == MISS or (self.status == ABSTAIN and self.confidence == HIGH)

    def outcome(self) -> tuple[str, float, str]:
        """What stabilization compares across runs."""
        return (self.status, round(self.score, 6), self.confidence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "status": self.status,
            "score": self.score,
            "confidence": self.confidence,
            "fired": self.fired,
            "expect": self.expect,
            "triggers": [m.as_dict() for m in self.triggers],
            "falsifiers": [m.as_dict() for m in self.falsifiers],
            "signals": {
                "count": self.signals,
                "min": self.min_signals,
                "excluded_synthetic": self.excluded_synthetic,
            },
            "integrity": dict(self.integrity),
            "abstain_reasons": list(self.abstain_reasons),
            "window": {"start": self.window[0], "end": self.window[1]},
            "error": self.error,
            "missing": self.missing,
        }


def evaluate(case: Case, params: Params, snapshot: Snapshot) -> Result:
    """The built-in evaluator (custom ones share this signature)."""
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


def uncovered(snapshot: Snapshot, start: int, end: int) -> str:
    """What the snapshot lacks to cover [start, end) ('' when it covers it)."""
    if not len(snapshot):
        return f"no events in the snapshot {snapshot.path}"
    first = int(snapshot.ts[0])
    if first < end:
        return ""
    return (
        f"the snapshot {snapshot.path} starts at {format_time(first)}, after the window "
        f"{format_time(start)} to {format_time(end)}"
    )


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


def confidence(
    triggers: tuple[Measured, ...], falsifiers: tuple[Measured, ...], fired: bool
) -> str:
    """HIGH / MED / LOW from the decisive margin (see the module docstring)."""
    conditions = (*triggers, *falsifiers)
    if not conditions:
        return LOW
    if fired:
        deciding = conditions
        decisive = min(m.margin for m in conditions)
    else:
        deciding = (*[m for m in triggers if not m.met], *[m for m in falsifiers if m.met])
        decisive = max(m.margin for m in deciding)
    if any(m.value is None or m.matched == 0 for m in deciding):
        return LOW
    if decisive >= HIGH_MARGIN:
        return HIGH
    return MED if decisive >= MED_MARGIN else LOW
