"""Judge reliability weights (001/002): how far to trust each LLM judge, learned from labels.

Per agent and judge, over the labeled examples the judge gave a verdict on:
- decay = exp(-age_days x ln 2 / half_life) (7-day half-life: a week-old verdict counts half);
- agreement = the decay-weighted share of verdicts equal to the human label;
- calibration error = mean |confidence - agreed| (confidence in [0, 1], agreed 0 or 1);
- weight = clamp(agreement - 0.5 x calibration error, floor, ceiling) = [0.1, 1.0].
A judge with fewer than `min_examples` labeled verdicts keeps its weight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
    labeled,
)
from bot.core.learners.configs import JudgesLearnerConfig
from bot.model import Config, Policy
from bot.model.config import LearnerSettings
from bot.model.inputs import Input
from bot.model.labels import Example
from bot.model.proposal import Change
from bot.model.report import Consistency

DAY = 86400
PREFIX = "judges/"


@dataclass(frozen=True)
class JudgeStat:
    """One judge's record against the labels, and the weight it earns (None: too few)."""

    judge: str
    examples: int
    agreement: float
    calibration: float
    weight: float | None


def decay(age_days: float, half_life_days: float = JudgesLearnerConfig.half_life_days) -> float:
    """The weight of a verdict `age_days` old: 1 now, 0.5 after one half-life."""
    return math.exp(-max(age_days, 0.0) * math.log(2) / half_life_days)


def agreement(agreed: Sequence[bool], weights: Sequence[float]) -> float:
    """The weighted share of verdicts that agreed with the label (0 with no weight at all)."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w for a, w in zip(agreed, weights, strict=True) if a) / total


def calibration_error(confidences: Sequence[float], agreed: Sequence[bool]) -> float:
    """Mean |confidence - agreed|: 0 for a judge exactly as sure as it is right."""
    if not confidences:
        return 0.0
    pairs = zip(confidences, agreed, strict=True)
    return sum(abs(c - (1.0 if a else 0.0)) for c, a in pairs) / len(confidences)


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def reliability(agreed: float, calibration: float, *, floor: float, ceiling: float) -> float:
    """weight = clamp(agreement - 0.5 x calibration error, floor, ceiling)."""
    return clamp(agreed - 0.5 * calibration, floor, ceiling)


def stats(examples: Sequence[Example], *, now: int, rules: JudgesLearnerConfig) -> list[JudgeStat]:
    """Every judge seen on the labeled examples of the window, by name."""
    seen: dict[str, list[tuple[bool, float, float]]] = {}
    for example in examples:
        if now - example.at > rules.window_days * DAY:
            continue
        for judge, verdict in example.judges.items():
            at = verdict.at if verdict.at is not None else example.at
            weight = decay((now - at) / DAY, rules.half_life_days)
            seen.setdefault(judge, []).append(
                (verdict.verdict == example.label, verdict.confidence, weight)
            )
    found = []
    for judge in sorted(seen):
        rows = seen[judge]
        agreed = [a for a, _, _ in rows]
        share = agreement(agreed, [w for _, _, w in rows])
        error = calibration_error([c for _, c, _ in rows], agreed)
        enough = len(rows) >= rules.min_examples
        earned = reliability(share, error, floor=rules.floor, ceiling=rules.ceiling)
        found.append(JudgeStat(judge, len(rows), share, error, earned if enough else None))
    return found


def on_grid(value: float, *, minimum: float, maximum: float, step: float) -> float:
    """The nearest value on min + k x step within [min, max]."""
    k = round((clamp(value, minimum, maximum) - minimum) / step)
    return round(clamp(minimum + k * step, minimum, maximum), 9)


def plan(
    current: Mapping[str, float], found: Sequence[JudgeStat], grid: Mapping[str, tuple[float, ...]]
) -> dict[str, float]:
    """The new weight of every judge in the policy (unchanged without enough examples)."""
    new = dict(current)
    for stat in found:
        if stat.weight is None or stat.judge not in current:
            continue
        minimum, maximum, step = grid[stat.judge]
        new[stat.judge] = on_grid(stat.weight, minimum=minimum, maximum=maximum, step=step)
    return new


@dataclass(frozen=True)
class JudgesLearner:
    """One subject per agent: its judges policy; the change must equal the recomputation."""

    name: str = "judges"
    inputs: tuple[Input, ...] = catalog.INPUTS["judges"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["judges"]
    proposal_types: tuple[str, ...] = ("judge_weights",)

    def enabled(self, config: Config) -> bool:
        return configs.JUDGES.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        policies = configs.JUDGES.of(context.config).policies
        return tuple(f"{PREFIX}{policy}" for _, policy in sorted(policies.items()))

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        found = _update(context, subject)
        if isinstance(found, str):
            return Skip(found)
        agent, policy, changes, stats_ = found
        if all(s.weight is None for s in stats_):
            rules = configs.JUDGES.of(context.config)
            return Skip(
                f"no judge has {rules.min_examples} labeled verdicts in the last "
                f"{rules.window_days} days"
            )
        if not changes:
            return Skip("no judge's weight moved by a whole step", conclusive=True)
        candidate = Candidate(
            "judge_weights",
            changes,
            _rationale(context.config, agent, stats_),
            explanation=_rows(policy, stats_, changes),
        )
        return Candidates(failure_id(self.name, subject, candidate), (candidate,))

    def rules(self) -> AllOf:
        return AllOf(MatchesRecomputation(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure:
        found = _update(context, subject)
        expected = {} if isinstance(found, str) else {c.key: c.new for c in found[2]}

        def check(candidate: Candidate) -> Consistency:
            actual = {c.key: c.new for c in candidate.changes}
            rule = "the judge weights recomputed from the labels"
            return Consistency.compare(rule, expected, actual)

        return check

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = JudgesLearner()


def _update(
    context: Context, subject: str
) -> tuple[str, Policy, tuple[Change, ...], list[JudgeStat]] | str:
    """The subject's agent, policy, weight changes and per-judge record (or why none)."""
    name = subject.removeprefix(PREFIX)
    agents = [a for a, p in configs.JUDGES.of(context.config).policies.items() if p == name]
    policy = context.params.policies.get(name)
    if not agents or policy is None or policy.kind != "judges":
        return f"no judges policy {name!r} in policies/ (kind: judges)"
    found = stats(
        labeled.examples(context, agents[0]),
        now=context.at,
        rules=configs.JUDGES.of(context.config),
    )
    grid = {n: (p.minimum, p.maximum, p.step) for n, p in policy.parameters.items()}
    new = plan(policy.values(), found, grid)
    changes = tuple(
        Change(policy.name, f"parameters.{judge}", policy.parameters[judge].value, value)
        for judge, value in sorted(new.items())
        if round(value - float(policy.parameters[judge].value), 9) != 0
    )
    return agents[0], policy, changes, found


def _rationale(config: Config, agent: str, found: Sequence[JudgeStat]) -> str:
    rules = configs.JUDGES.of(config)
    labeled_ = max((s.examples for s in found), default=0)
    return (
        f"Re-weight {agent}'s judges by their agreement with people's labels (up to "
        f"{labeled_} labeled verdicts per judge in the last {rules.window_days} days, "
        f"{rules.half_life_days:g}-day half-life): weight = clamp(agreement - 0.5 x "
        f"calibration error, {rules.floor:g}, {rules.ceiling:g})."
    )


def _rows(
    policy: Policy, found: Sequence[JudgeStat], changes: Sequence[Change]
) -> tuple[Mapping[str, str], ...]:
    new = {c.target.split(".", 1)[1]: c.new for c in changes}
    by_judge = {s.judge: s for s in found}
    rows = []
    for judge, parameter in sorted(policy.parameters.items()):
        stat = by_judge.get(judge)
        value = new.get(judge, parameter.value)
        rows.append(
            {
                "judge": judge,
                "old": f"{float(parameter.value):.2f}",
                "new": f"{float(value):.2f}" if isinstance(value, (int, float)) else str(value),
                "agreement": f"{stat.agreement:.3f}" if stat else "-",
                "calibration": f"{stat.calibration:.3f}" if stat else "-",
                "examples": str(stat.examples) if stat else "0",
            }
        )
    return tuple(rows)
