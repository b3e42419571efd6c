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
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.conditions import Measured
from bot.core.lookups import Lookups
from bot.core.measures import Bools, measure_all
from bot.core.params import Params
from bot.core.partition import Ints
from bot.core.plan import Plan, plan_of
from bot.core.results import (
    ABSTAIN,
    ERROR,
    HIGH,
    HIT,
    LOW,
    MED,
    MISS,
    UNKNOWN,
    Evidence,
    Pending,
    Result,
)
from bot.core.segments import Floats, place
from bot.core.verdicts import CONFIDENCES, HIGH_MARGIN, MED_MARGIN, decide
from bot.model import Case, format_time
from bot.model.snapshot import Snapshot

__all__ = [
    "ABSTAIN",
    "ERROR",
    "HIGH",
    "HIT",
    "LOW",
    "MED",
    "MISS",
    "UNKNOWN",
    "Evaluator",
    "Result",
    "Seeded",
    "confidence",
    "evaluate",
    "evaluate_all",
    "uncovered",
]

_DAY = 86400
_STATUSES = (HIT, MISS, ABSTAIN, UNKNOWN)


@dataclass(frozen=True)
class Seeded:
    """A stochastic custom evaluator: it declares a `seed` parameter and gets one per replay."""

    function: Callable[..., Any]

    def __call__(self, case: Case, params: Params, snapshot: Snapshot, seed: int) -> Any:
        return self.function(case, params, snapshot, seed=seed)


Evaluator = Callable[[Case, Params, Snapshot], "Result | Mapping[str, Any]"] | Seeded


def evaluate(case: Case, params: Params, snapshot: Snapshot) -> Result:
    """The built-in evaluator (custom ones share this signature)."""
    return evaluate_all((case,), params, snapshot)[0]


def evaluate_all(cases: Sequence[Case], params: Params, snapshot: Snapshot) -> tuple[Result, ...]:
    """The built-in evaluator over many cases of one snapshot, in one vectorised pass each
    for the windows, the signals and every shape of condition (same results as one by one).

    Verdicts are decided for every case at once; each result's evidence is built from the
    batch's columns when it is first read."""
    plan = plan_of(snapshot, cases)
    batch = _Batch(plan, snapshot, Lookups(params))
    fire = plan.fire
    verdicts = decide(plan.owner, plan.trigger, batch.measures, fire, len(cases))
    known = batch.covered
    abstain = batch.abstains() & known
    status = np.where(verdicts.fired == fire, 0, 1)
    status[abstain] = 2
    status[~known] = 3
    score = np.where(abstain | ~known, 0.0, verdicts.score).tolist()
    level = np.where(known, verdicts.confidence, 0).tolist()
    fired = (verdicts.fired & known).tolist()
    return Pending.many(
        zip(
            [c.id for c in plan.cases],
            [_STATUSES[code] for code in status.tolist()],
            score,
            [CONFIDENCES[grade] for grade in level],
            fired,
            [c.expect for c in plan.cases],
            strict=True,
        ),
        batch,
    )


class _Batch:
    """One batch's windows, signals and measured conditions: the evidence of its results."""

    def __init__(self, plan: Plan, snapshot: Snapshot, lookups: Lookups) -> None:
        self.plan, self.snapshot = plan, snapshot
        days = [round(lookups.value(ref) * _DAY) for ref in plan.days.values]
        self.starts: Ints = plan.ends - plan.days.spread(days, np.int64)
        ends = plan.ends
        self.covered: Bools = (
            ends > snapshot.ts[0] if len(snapshot) else np.zeros(ends.size, dtype=np.bool_)
        )
        excludes = [lookups.excludes_synthetic(p) for p in plan.policies.values]
        self.excludes: Bools = plan.policies.spread(excludes, np.bool_)
        signals = plan.signals
        aliases = [()] * len(signals.keys.values)
        no_exclusion = np.zeros(ends.size, dtype=np.bool_)
        found = place(snapshot, signals, no_exclusion, aliases, (self.starts, ends))
        self.raw: Ints = found.length
        self.synthetic: Ints = found.count("synthetic", snapshot.synthetic)
        owner = plan.owner
        windows = (self.starts[owner], ends[owner])
        self.measures = measure_all(plan, lookups, snapshot, self.excludes[owner], windows)

    def abstains(self) -> Bools:
        """Too few signals, or too large a synthetic share (see `_abstain_reasons`)."""
        kept, share = self._signals()
        return (kept < self.plan.minimum) | (share > self.plan.limits)

    def _signals(self) -> tuple[Ints, Floats]:
        raw, synthetic, exclude = self.raw, self.synthetic, self.excludes
        kept = np.where(exclude, raw - synthetic, raw)
        share = np.where(exclude | (raw == 0), 0.0, synthetic / np.maximum(raw, 1))
        return kept, share

    def window(self, at: int) -> tuple[int, int]:
        return (int(self.starts[at]), self.plan.cases[at].window_end)

    def evidence(self, at: int) -> Evidence:
        """The evidence of the batch's case `at`."""
        case = self.plan.cases[at]
        window = self.window(at)
        if not self.covered[at]:
            missing = uncovered(self.snapshot, *window)
            return Evidence((), (), 0, 0, 0, {}, (), window, None, missing)
        first = int(self.plan.first[at])
        split = first + len(case.triggers)
        stop = split + len(case.falsifiers)
        measured = self.measures.measured
        raw, synthetic = int(self.raw[at]), int(self.synthetic[at])
        exclude = bool(self.excludes[at])
        kept = raw - synthetic if exclude else raw
        share = 0.0 if exclude or not raw else synthetic / raw
        return Evidence(
            tuple(measured(r) for r in range(first, split)),
            tuple(measured(r) for r in range(split, stop)),
            kept,
            case.min_signals,
            synthetic if exclude else 0,
            {"synthetic_share": round(share, 6)},
            _abstain_reasons(case, kept, share),
            window,
            None,
            "",
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
