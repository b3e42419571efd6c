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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.conditions import Measured
from bot.core.measures import Lookups, Request, measure_all, signal_selection
from bot.core.params import Params
from bot.core.segments import locate
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
    return evaluate_all((case,), params, snapshot)[0]


def evaluate_all(cases: Sequence[Case], params: Params, snapshot: Snapshot) -> tuple[Result, ...]:
    """The built-in evaluator over many cases of one snapshot, in one vectorised pass each
    for the windows, the signals and every shape of condition (same results as one by one)."""
    lookups = Lookups(params)
    ends = np.array([c.window_end for c in cases], dtype=np.int64)
    starts = np.array(
        [c.window_end - round(lookups.value(c.window_days) * _DAY) for c in cases], dtype=np.int64
    )
    lo = np.searchsorted(snapshot.ts, starts, side="left").astype(np.int64)
    hi = np.searchsorted(snapshot.ts, ends, side="left").astype(np.int64)
    excludes = [lookups.excludes_synthetic(c.policies()) for c in cases]
    requests = [
        Request(at, condition, excludes[at])
        for at, case in enumerate(cases)
        for condition in (*case.triggers, *case.falsifiers)
    ]
    measured = iter(measure_all(requests, lookups, snapshot, np.column_stack((lo, hi, ends))))
    signals = _signals(cases, snapshot, lo, hi)
    covered = (ends > snapshot.ts[0]).tolist() if len(snapshot) else [False] * len(cases)
    results = []
    for case, start, exclude, (raw, synthetic), known in zip(
        cases, starts.tolist(), excludes, signals, covered, strict=True
    ):
        triggers = tuple(next(measured) for _ in case.triggers)
        falsifiers = tuple(next(measured) for _ in case.falsifiers)
        window = (start, case.window_end)
        if not known:
            missing = uncovered(snapshot, *window)
            results.append(
                Result(
                    case.id, UNKNOWN, 0.0, LOW, expect=case.expect, window=window, missing=missing
                )
            )
            continue
        kept = raw - synthetic if exclude else raw
        share = 0.0 if exclude or not raw else synthetic / raw
        excluded = synthetic if exclude else 0
        results.append(_result(case, (triggers, falsifiers), (kept, share, excluded), window))
    return tuple(results)


def _signals(
    cases: Sequence[Case], snapshot: Snapshot, lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
) -> list[tuple[int, int]]:
    """Per case, the events its `signals` filter selects in the window, and how many are
    synthetic."""
    segments = locate(snapshot, [signal_selection(c.signals) for c in cases], lo, hi)
    marks = np.concatenate(([0], np.cumsum(snapshot.synthetic[segments.pos])))
    synthetic = marks[segments.stop] - marks[segments.start]
    return list(zip(segments.length.tolist(), synthetic.tolist(), strict=True))


def _result(
    case: Case,
    conditions: tuple[tuple[Measured, ...], tuple[Measured, ...]],
    signals: tuple[int, float, int],
    window: tuple[int, int],
) -> Result:
    triggers, falsifiers = conditions
    count, share, excluded = signals
    reasons = _abstain_reasons(case, count, share)
    fired = all(m.met for m in triggers) and not any(m.met for m in falsifiers)
    status = ABSTAIN if reasons else (HIT if fired == (case.expect == "fire") else MISS)
    return Result(
        case.id,
        status,
        0.0 if reasons else _score(case, triggers, falsifiers, fired),
        confidence(triggers, falsifiers, fired),
        fired,
        case.expect,
        triggers,
        falsifiers,
        count,
        case.min_signals,
        excluded,
        {"synthetic_share": round(share, 6)},
        reasons,
        window,
    )


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
