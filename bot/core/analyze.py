"""Deterministic failure analysis (000, component 1): what was expected, observed, missing.

No inference: every field is measured from the case, its result and its snapshot. The
failure id is derived from the case and this evidence, never from the run, so the same
failure gets the same id every night.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core import canonical
from bot.core.conditions import Measured
from bot.core.evaluate import ABSTAIN, Result
from bot.core.params import Params
from bot.model import Case, policy_of
from bot.model.snapshot import Snapshot

_DAY = 86400


@dataclass(frozen=True)
class Run:
    """Which run produced an analysis: reported, never part of the failure id."""

    run_id: str
    revision: str
    at: str


@dataclass(frozen=True)
class FailureAnalysis:
    """000's failure artifact."""

    failure_id: str
    case_id: str
    run: Run
    backtest_result: Mapping[str, Any]
    unmet_triggers: tuple[Mapping[str, Any], ...]
    hit_falsifiers: tuple[Mapping[str, Any], ...]
    signal_gaps: Mapping[str, Any]
    integrity_conditions: Mapping[str, Any]
    temporal_gaps: Mapping[str, Any]
    hypothesis: str
    suggested_adjustments: tuple[str, ...]
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "failure_id": self.failure_id,
            "case_id": self.case_id,
            "run_id": self.run.run_id,
            "revision": self.run.revision,
            "analyzed_at": self.run.at,
            "backtest_result": dict(self.backtest_result),
            "unmet_triggers": [dict(t) for t in self.unmet_triggers],
            "hit_falsifiers": [dict(f) for f in self.hit_falsifiers],
            "signal_gaps": dict(self.signal_gaps),
            "integrity_conditions": dict(self.integrity_conditions),
            "temporal_gaps": dict(self.temporal_gaps),
            "hypothesis": self.hypothesis,
            "suggested_adjustments": list(self.suggested_adjustments),
        }


def analyze(
    case: Case, result: Result, params: Params, snapshot: Snapshot, run: Run
) -> FailureAnalysis:
    """Analyse one failed result (MISS, or ABSTAIN with HIGH confidence)."""
    wrong_side = _wrong_side(case, result)
    facts = _Facts(
        case=case,
        result=result,
        params=params,
        unmet=tuple(_condition(m) for m in wrong_side if m in result.triggers),
        hit=tuple(_condition(m) for m in wrong_side if m in result.falsifiers),
        gaps=_signal_gaps(case, result, params, snapshot),
        integrity=_integrity(case, result),
    )
    outcome = {"status": result.status, "score": result.score, "confidence": result.confidence}
    evidence = {
        "case_id": case.id,
        "snapshot": case.snapshot_sha256,
        "result": outcome,
        "conditions": [m.as_dict() for m in (*result.triggers, *result.falsifiers)],
        "signal_gaps": facts.gaps,
        "integrity": facts.integrity,
    }
    return FailureAnalysis(
        failure_id=failure_id(case.id, evidence),
        case_id=case.id,
        run=run,
        backtest_result=outcome,
        unmet_triggers=facts.unmet,
        hit_falsifiers=facts.hit,
        signal_gaps=facts.gaps,
        integrity_conditions=facts.integrity,
        temporal_gaps={m.name: _temporal(m) for m in result.triggers if _temporal(m)},
        hypothesis=_hypothesis(facts),
        suggested_adjustments=_suggestions(facts),
        evidence=evidence,
    )


@dataclass(frozen=True)
class _Facts:
    """What the hypothesis and suggestion rules look at."""

    case: Case
    result: Result
    params: Params
    unmet: tuple[Mapping[str, Any], ...]
    hit: tuple[Mapping[str, Any], ...]
    gaps: Mapping[str, Any]
    integrity: Mapping[str, Any]

    def earlier_events(self) -> bool:
        """Whether an unmet count trigger has matching events just before the window."""
        before = self.gaps["matching_before_window"]
        return any(before.get(t["name"], 0) for t in self.unmet)


def failure_id(case_id: str, evidence: Mapping[str, Any]) -> str:
    """Stable identity: the case plus a digest of its evidence."""
    return f"failure_{case_id}_{canonical.short_digest(evidence)}"


def _wrong_side(case: Case, result: Result) -> tuple[Measured, ...]:
    """The conditions that put the outcome on the wrong side of the expectation."""
    if case.expect == "fire":
        return (
            *[m for m in result.triggers if not m.met],
            *[m for m in result.falsifiers if m.met],
        )
    if result.fired:  # a false alarm: every met trigger contributed
        return tuple(m for m in result.triggers if m.met)
    return ()


def _condition(measured: Measured) -> dict[str, Any]:
    return {
        "name": measured.name,
        "kind": measured.kind,
        "parameter": measured.ref,
        "expected": f"{measured.op} {measured.threshold}",
        "threshold": measured.threshold,
        "actual": measured.value,
        "matched_events": measured.matched,
        "met": measured.met,  # true for a quiet case's trigger that fired (a false alarm)
    }


def _signal_gaps(case: Case, result: Result, params: Params, snapshot: Snapshot) -> dict[str, Any]:
    """Signals against the minimum, and matching events just before the window."""
    start, end = result.window
    widest = params.parameter(case.window_days).maximum
    lo, hi = snapshot.bounds(end - round(widest * _DAY), start)
    before = {
        trigger.name: int(snapshot.mask(trigger.match, lo, hi).sum())
        for trigger in case.triggers
        if trigger.kind == "count"
    }
    return {
        "signals": result.signals,
        "min_signals": result.min_signals,
        "missing_events": max(0, result.min_signals - result.signals),
        "denied_signals": result.excluded_synthetic,
        "signals_before_window": int(snapshot.mask(case.signals, lo, hi).sum()),
        "matching_before_window": before,
        "widest_window_days": widest,
    }


def _integrity(case: Case, result: Result) -> dict[str, Any]:
    share = result.integrity.get("synthetic_share", 0.0)
    limit = case.integrity.get("max_synthetic_share")
    return {
        "synthetic_share": share,
        "max_synthetic_share": limit,
        "exceeded": limit is not None and share > limit,
    }


def _temporal(measured: Measured) -> dict[str, Any]:
    detail = dict(measured.detail)
    keys = ("last_event_age_hours", "max_gap_hours", "metric")
    return {key: detail[key] for key in keys if detail.get(key) is not None}


def _hypothesis(facts: _Facts) -> str:
    """The first rule that matches, in a fixed order."""
    if facts.result.status == ABSTAIN and facts.integrity["exceeded"]:
        return "integrity_contamination"
    if facts.result.status == ABSTAIN:
        return "insufficient_signals"
    if facts.case.expect == "quiet":
        return "threshold_too_loose"
    if facts.earlier_events():
        return "window_too_short"
    if any(_decays(t["parameter"], facts.params) for t in facts.unmet):
        return "decay_too_fast"
    if facts.unmet:
        return "threshold_too_strict"
    return "falsifier_too_sensitive" if facts.hit else "unexplained"


def _suggestions(facts: _Facts) -> tuple[str, ...]:
    """Adjustments worth trying, most specific first; the learner turns them into candidates."""
    found: list[str] = []
    direction = "tighten" if facts.case.expect == "quiet" else "relax"
    found.extend(f"{direction}_threshold:{c['parameter']}" for c in (*facts.unmet, *facts.hit))
    if facts.gaps["missing_events"] or facts.earlier_events():
        found.append(f"extend_window:{facts.case.window_days}")
    if facts.integrity["exceeded"]:
        found.append("enable_integrity_filter")
    taus = (_decays(c["parameter"], facts.params) for c in facts.unmet)
    found.extend(f"adjust_tau:{tau}" for tau in taus if tau)
    found.extend(
        f"enable_registered:{policy}.{r.type_}.{r.name}"
        for policy, r in facts.params.inactive(facts.case.policies())
    )
    return tuple(dict.fromkeys(found))


def _decays(ref: str, params: Params) -> str:
    """The tau parameter of an active time_decay metric on the reference's policy, if any."""
    for owner, registration in params.active((policy_of(ref),), "metrics"):
        if registration.kind == "time_decay":
            return f"{owner}.{registration.config['tau']}"
    return ""
