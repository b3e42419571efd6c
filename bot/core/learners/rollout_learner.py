"""The rollout learner in the one pipeline (001, 004): one subject per policy with a candidate,
its online metrics per arm -> the one pull request the verdict dictates (next stage,
activation or rollback), judged on matching the step `check` recomputes from the base branch.

The verdict and the lifecycle are in `bot.core.learners.rollout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.gate import SAFETY, AllOf, MatchesRecomputation
from bot.core.learners import (
    Candidate,
    Candidates,
    Context,
    Measure,
    Section,
    Skip,
    catalog,
    configs,
    failure_id,
    rollout,
)
from bot.model import Config, Policy, Sample
from bot.model.config import LearnerSettings
from bot.model.inputs import Input
from bot.model.report import Consistency
from bot.model.rollout import CANARY

PREFIX = "rollout/"
METRICS = catalog.METRICS
_TYPES = {rollout.ROLLBACK: "rollout_rollback", CANARY: "rollout_stage"}


def _policy(context: Context, subject: str) -> Policy | None:
    found = context.params.policies.get(subject.removeprefix(PREFIX))
    return found if found is not None and found.candidate is not None else None


def _samples(context: Context, policy: str) -> list[Sample]:
    found = context.folder(METRICS).get(policy, ())
    return sorted(found, key=lambda s: (s.ts, s.arm))


def assess(context: Context, policy: Policy) -> rollout.Assessment:
    """The verdict on a policy's candidate from its metrics and the ledger's known-bad list."""
    assert policy.candidate is not None
    digest = rollout.candidate_digest(policy.candidate.values)
    bad = rollout.known_bad(context.history.entries).get(digest, "")
    config = configs.ROLLOUT.of(context.config)
    samples = _samples(context, policy.name)
    weights = context.config.objective.weights.as_mapping()
    return rollout.assess(policy, samples, config, now=context.at, known_bad=bad, weights=weights)


def _candidate(policy: Policy, found: rollout.Assessment, stages: Sequence[int]) -> Candidate:
    assert policy.candidate is not None
    changes = rollout.changes(policy, found, stages)
    if found.verdict == rollout.ROLLBACK:
        kind, lead = _TYPES[rollout.ROLLBACK], "Roll the candidate back (known-bad)"
    else:
        stage, percent = rollout.next_stage(policy.candidate, stages)
        kind = _TYPES.get(stage, "rollout_activation")
        lead = (
            "Make the candidate's values active (100%); the values they replace are archived"
            if stage == rollout.ACTIVE
            else f"Promote the candidate to {stage} at {percent}%"
        )
    rows = tuple(
        {
            "metric": m.metric,
            "statistic": m.statistic,
            "control": _shown(m.control),
            "candidate": _shown(m.candidate),
            "change": "" if m.improvement is None else f"{m.improvement:+.2%}",
            "p-value": "" if m.p_value is None else f"{m.p_value:.4f}",
            "outcome": m.outcome,
        }
        for m in found.measured
    )
    return Candidate(kind, changes, f"{lead}: {found.reason}.", explanation=rows)


def _shown(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


@dataclass(frozen=True)
class RolloutLearner:
    """One subject per policy carrying a candidate."""

    name: str = "rollout"
    inputs: tuple[Input, ...] = catalog.INPUTS["rollout"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["rollout"]
    proposal_types: tuple[str, ...] = ("rollout_rollback", "rollout_stage", "rollout_activation")

    def enabled(self, config: Config) -> bool:
        return configs.ROLLOUT.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        policies = context.params.policies
        return tuple(PREFIX + n for n in sorted(policies) if policies[n].candidate is not None)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        policy = _policy(context, subject)
        if policy is None:
            return Skip(f"{subject.removeprefix(PREFIX)}: no candidate", conclusive=True)
        found = assess(context, policy)
        if found.verdict == rollout.INCONCLUSIVE:
            return Skip(f"{policy.name}: {found.verdict}: {found.reason}", conclusive=True)
        candidate = _candidate(policy, found, configs.ROLLOUT.of(context.config).stages)
        return Candidates(failure_id(self.name, subject, candidate), (candidate,))

    def rules(self) -> AllOf:
        return AllOf(MatchesRecomputation(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure:
        policy = _policy(context, subject)
        expected: dict[str, Any] = {}
        if policy is not None:
            stages = configs.ROLLOUT.of(context.config).stages
            changes = rollout.changes(policy, assess(context, policy), stages)
            expected = {c.key: c.new for c in changes}

        def check(candidate: Candidate) -> Consistency:
            actual = {c.key: c.new for c in candidate.changes}
            rule = "the rollout step the online metrics dictate"
            if not expected:
                return Consistency(rule, False, "the metrics dictate no step")
            return Consistency.compare(rule, expected, actual)

        return check

    def sections(self, context: Context) -> tuple[Section, ...]:
        config = configs.ROLLOUT.of(context.config)
        points = context.config.dashboard.trend_points
        rows = []
        for subject in self.subjects(context):
            policy = _policy(context, subject)
            assert policy is not None
            samples = _samples(context, policy.name)
            if rollout.CRL in config.metrics:
                weights = context.config.objective.weights.as_mapping()
                samples = rollout.with_crl(samples, weights)[0]
            charts = [
                _chart(metric, rollout.daily(samples, metric, points))
                for metric in sorted(config.metrics)
            ]
            rows.append({**assess(context, policy).as_dict(), "charts": [c for c in charts if c]})
        return (Section("rollouts.md.j2", {"rollouts": rows}),) if rows else ()


def _chart(metric: str, rows: Sequence[tuple[str, float, float]]) -> dict[str, Any] | None:
    """One metric's daily means per arm, with a y range that shows both lines."""
    if not rows:
        return None
    low = min(min(c, t) for _, c, t in rows)
    high = max(max(c, t) for _, c, t in rows)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return {
        "metric": metric,
        "days": [day[5:] for day, _, _ in rows],
        "control": [c for _, c, _ in rows],
        "candidate": [t for _, _, t in rows],
        "low": low - pad,
        "high": high + pad,
    }


LEARNER = RolloutLearner()
