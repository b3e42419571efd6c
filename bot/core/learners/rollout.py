"""The rollout learner (001, 004): a candidate's online metrics per arm -> promote, rollback or
inconclusive, and the bounded change each verdict makes to the policy file.

Only samples since the candidate's current stage began count (`ts > since`), within the
lookback window before the newest of them, so the verdict depends on the files alone, never
on the clock: a check on the same base recomputes the same change.

A configured metric named `crl` is the composite run loss (004) of each sample's terms, with
the objective's weights (or the line's own `crl`); a sample lacking a weighted term is named
in the verdict, never read as 0, and no promotion rests on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.core import canonical, crl
from bot.core.learners.configs import RolloutLearnerConfig
from bot.core.significance import TESTS
from bot.model import Policy, Sample, format_time, parse_time
from bot.model.entries import Promotion, Recorded, Rollback, seq
from bot.model.proposal import Change
from bot.model.rollout import CANARY, CANDIDATE, CONTROL, Rollout

PROMOTE, ROLLBACK, INCONCLUSIVE = "promote", "rollback", "inconclusive"
ACTIVE = "active"
CRL = "crl"  # the metric name that means the composite run loss of each line's terms
_DAY = 86400


@dataclass(frozen=True)
class Rule:
    """How one metric is judged: which way is better, on what statistic, with what limits."""

    metric: str
    better: str  # "higher" | "lower"
    statistic: str  # "mean" | "p95"
    margin: float  # relative improvement a promotion needs
    max_regression: float  # relative worsening that rolls back

    @classmethod
    def from_dict(cls, metric: str, data: Mapping[str, Any]) -> Rule:
        return cls(
            metric=metric,
            better=data.get("better", "lower" if metric == CRL else "higher"),
            statistic=data.get("statistic", "mean"),
            margin=float(data.get("margin", 0.0)),
            max_regression=float(data.get("max_regression", 0.05)),
        )


def rules(metrics: Mapping[str, Mapping[str, Any]]) -> tuple[Rule, ...]:
    """The configured metrics' rules, in name order."""
    return tuple(Rule.from_dict(name, metrics[name]) for name in sorted(metrics))


@dataclass(frozen=True)
class Measured:
    """One metric compared between the arms."""

    metric: str
    statistic: str
    control_n: int
    candidate_n: int
    control: float | None = None
    candidate: float | None = None
    delta: float | None = None
    improvement: float | None = None  # relative, positive when the candidate is better
    p_value: float | None = None
    outcome: str = "too few samples"

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Assessment:
    """The verdict on one policy's candidate, and the evidence it rests on."""

    policy: str
    verdict: str
    reason: str
    stage: str
    percent: int
    since: str
    samples: Mapping[str, int]
    measured: tuple[Measured, ...] = ()
    newest: int | None = None
    method: str = "welch"

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "verdict": self.verdict,
            "reason": self.reason,
            "stage": self.stage,
            "percent": self.percent,
            "since": self.since,
            "samples": dict(self.samples),
            "metrics": [m.as_dict() for m in self.measured],
            "test": self.method,
        }


def candidate_digest(values: Mapping[str, Any]) -> str:
    """A candidate's identity: its values (a rolled-back candidate is known by it)."""
    return canonical.short_digest({str(k): values[k] for k in sorted(values)})


def window(samples: Sequence[Sample], since: str, lookback_days: int) -> list[Sample]:
    """Samples of the current stage (after `since`) within the lookback before the newest."""
    start = parse_time(since)
    current = [s for s in samples if s.ts > start]
    if not current:
        return []
    newest = max(s.ts for s in current)
    return [s for s in current if s.ts >= newest - lookback_days * _DAY]


def with_crl(
    samples: Sequence[Sample], weights: Mapping[str, float]
) -> tuple[list[Sample], dict[str, int]]:
    """The samples with their composite run loss as the metric `crl` (a line's own `crl` is
    kept), and how many samples lack each weighted term (those get no `crl`)."""
    found: list[Sample] = []
    lacking: dict[str, int] = {}
    for sample in samples:
        absent = () if CRL in sample.metrics else crl.missing(sample.metrics, weights)
        if absent:
            for term in absent:
                lacking[term] = lacking.get(term, 0) + 1
            found.append(sample)
        elif CRL in sample.metrics:
            found.append(sample)
        else:
            loss = crl.compute(sample.metrics, weights).value
            found.append(replace(sample, metrics={**sample.metrics, CRL: loss}))
    return found, dict(sorted(lacking.items()))


def assess(
    policy: Policy,
    samples: Sequence[Sample],
    config: RolloutLearnerConfig,
    *,
    now: int,
    known_bad: str = "",
    weights: Mapping[str, float] = crl.DEFAULT_WEIGHTS,
) -> Assessment:
    """Promote, rollback or inconclusive for `policy.candidate` (no data is never a pass)."""
    rollout = policy.candidate
    if rollout is None:
        raise ValueError(f"{policy.name} has no candidate")
    found = window(samples, rollout.since, config.lookback_days)
    lacking: dict[str, int] = {}
    if CRL in config.metrics:
        found, lacking = with_crl(found, weights)
    counts = {arm: sum(1 for s in found if s.arm == arm) for arm in (CONTROL, CANDIDATE)}
    base = Assessment(
        policy.name, INCONCLUSIVE, "", rollout.stage, rollout.percent, rollout.since, counts
    )
    base = replace(base, newest=max((s.ts for s in found), default=None), method=config.test)
    if known_bad:
        return replace(base, verdict=ROLLBACK, reason=f"known-bad: {known_bad}")
    if not found:
        return replace(base, reason=f"no data since {rollout.since}")
    measured = tuple(measure(rule, found, config) for rule in rules(config.metrics))
    verdict, reason = _verdict(measured, config, overdue=now - parse_time(rollout.since))
    if lacking and verdict != ROLLBACK:  # a loss with a missing term is no evidence of a gain
        named = ", ".join(f"{term} ({n} sample(s))" for term, n in lacking.items())
        verdict, reason = INCONCLUSIVE, f"crl: composite run loss needs the term(s) {named}"
    return replace(base, verdict=verdict, reason=reason, measured=measured)


def _statistic(values: Sequence[float], statistic: str) -> float:
    if statistic == "p95":
        return float(np.percentile(np.asarray(values, dtype=float), 95))
    return float(np.mean(np.asarray(values, dtype=float)))


def measure(rule: Rule, found: Sequence[Sample], config: RolloutLearnerConfig) -> Measured:
    """One metric compared between the control and candidate samples in `found`."""
    arms = {
        arm: [s.metrics[rule.metric] for s in found if s.arm == arm and rule.metric in s.metrics]
        for arm in (CONTROL, CANDIDATE)
    }
    control, candidate = arms[CONTROL], arms[CANDIDATE]
    short = min(len(control), len(candidate)) < config.min_samples
    if short:
        return Measured(rule.metric, rule.statistic, len(control), len(candidate))
    before, after = _statistic(control, rule.statistic), _statistic(candidate, rule.statistic)
    delta = after - before
    relative = delta / abs(before) if before else delta
    improvement = relative if rule.better == "higher" else -relative
    p_value = TESTS[config.test](candidate, control).p_value
    significant = p_value < config.alpha
    if significant and improvement < -rule.max_regression:
        outcome = "regressed"
    elif significant and improvement > rule.margin:
        outcome = "improved"
    else:
        outcome = "no significant difference" if not significant else "within limits"
    return Measured(
        rule.metric,
        rule.statistic,
        len(control),
        len(candidate),
        round(before, 6),
        round(after, 6),
        round(delta, 6),
        round(improvement, 6),
        round(p_value, 6),
        outcome,
    )


def _verdict(
    measured: Sequence[Measured], config: RolloutLearnerConfig, *, overdue: int
) -> tuple[str, str]:
    regressed = [m for m in measured if m.outcome == "regressed"]
    if regressed:
        worst = ", ".join(f"{m.metric} {m.improvement:+.1%} (p={m.p_value:.4f})" for m in regressed)
        return ROLLBACK, f"regression beyond its limit: {worst}"
    short = [m for m in measured if m.outcome == "too few samples"]
    if short:
        counts = ", ".join(f"{m.metric} {m.control_n}/{m.candidate_n}" for m in short)
        return INCONCLUSIVE, (
            f"too few samples (control/candidate: {counts}; needs {config.min_samples} per arm)"
        )
    improved = [m for m in measured if m.outcome == "improved"]
    if improved:
        best = ", ".join(f"{m.metric} {m.improvement:+.1%} (p={m.p_value:.4f})" for m in improved)
        return PROMOTE, f"significant improvement: {best}"
    if overdue >= config.max_duration_days * _DAY:
        return INCONCLUSIVE, (
            f"no significant improvement after {config.max_duration_days} days: a person decides"
        )
    return INCONCLUSIVE, "no significant improvement yet"


def next_stage(rollout: Rollout, stages: Sequence[int]) -> tuple[str, int]:
    """The stage a promotion moves to: the next canary percent, or active at 100."""
    ahead = sorted(p for p in stages if p > (rollout.percent if rollout.stage == CANARY else 0))
    if not ahead or ahead[0] >= 100:
        return ACTIVE, 100
    return CANARY, ahead[0]


def changes(policy: Policy, assessment: Assessment, stages: Sequence[int]) -> tuple[Change, ...]:
    """The bounded edit a verdict makes: the next stage, the candidate's values, or its removal."""
    rollout = policy.candidate
    if rollout is None or assessment.verdict == INCONCLUSIVE:
        return ()
    removal = Change(policy.name, "candidate", candidate_digest(rollout.values), None)
    if assessment.verdict == ROLLBACK:
        return (removal,)
    stage, percent = next_stage(rollout, stages)
    if stage == ACTIVE:
        current = policy.parameters
        values = tuple(
            Change(policy.name, f"parameters.{name}", current[name].value, value)
            for name, value in sorted(rollout.values.items())
            if name in current and current[name].value != value
        )
        return (*values, removal)
    found = []
    if stage != rollout.stage:
        found.append(Change(policy.name, "candidate.stage", rollout.stage, stage))
    found.append(Change(policy.name, "candidate.percent", rollout.percent, percent))
    if assessment.newest is not None:
        found.append(
            Change(policy.name, "candidate.since", rollout.since, format_time(assessment.newest))
        )
    return tuple(found)


def known_bad(entries: Sequence[Recorded]) -> dict[str, str]:
    """Candidates (by digest) a rollout removed as a regression, or whose activation was reverted.

    A rollback step removes the candidate and changes no parameter; an activation that a
    revert undid is known by the promotion the rollback entry names.
    """
    promotions = {e.commit: e for e in entries if isinstance(e, Promotion)}
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, Promotion) and entry.learner == "rollout":
            values = entry.values
            removed = [v["from"] for k, v in values.items() if k.endswith(".candidate")]
            if removed and len(values) == len(removed):
                found[str(removed[0])] = f"rolled back in ledger entry {seq(entry)}"
        elif isinstance(entry, Rollback):
            reverted = promotions.get(entry.reverted)
            if reverted is None or reverted.learner != "rollout":
                continue
            for key, value in reverted.values.items():
                if key.endswith(".candidate"):
                    found[str(value["from"])] = f"reverted in ledger entry {seq(entry)}"
    return found


def daily(samples: Sequence[Sample], metric: str, points: int) -> list[tuple[str, float, float]]:
    """(day, control mean, candidate mean) for the last `points` days both arms measured."""
    days: dict[str, dict[str, list[float]]] = {}
    for sample in samples:
        if metric in sample.metrics:
            day = format_time(sample.ts)[:10]
            days.setdefault(day, {}).setdefault(sample.arm, []).append(sample.metrics[metric])
    rows = [
        (day, float(np.mean(arms[CONTROL])), float(np.mean(arms[CANDIDATE])))
        for day, arms in sorted(days.items())
        if CONTROL in arms and CANDIDATE in arms
    ]
    return rows[-points:]
