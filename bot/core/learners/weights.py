"""The weights learner (003): closed positions in, a bounded domain weight change out.

The arithmetic is in `weighting`; this module picks the cycle's change (an adjustment, or a
revert to the defaults after consecutive degrading cycles) and measures its objective.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.gate import SAFETY, AllOf, HitRateNotLower, ObjectiveImproves
from bot.core.history import History
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
)
from bot.core.learners import weighting as arithmetic
from bot.core.learners.configs import WeightsLearnerConfig
from bot.model import Config, Policy, Position, parse_time
from bot.model.config import LearnerSettings
from bot.model.entries import Promotion, Rollback
from bot.model.inputs import Input
from bot.model.proposal import Change
from bot.model.report import Objective

POSITIONS = catalog.WEIGHTS_POSITIONS

# (time, weights before, weights after) of one promoted adjustment
Promoted = tuple[int, dict[str, float], dict[str, float]]


@dataclass(frozen=True)
class WeightsLearner:
    name: str = "weights"
    inputs: tuple[Input, ...] = catalog.INPUTS["weights"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["weights"]
    proposal_types: tuple[str, ...] = ("weight_adjustment", "weights_revert")

    def enabled(self, config: Config) -> bool:
        return configs.WEIGHTS.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        return (f"weights/{configs.WEIGHTS.of(context.config).policy}",)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        config = configs.WEIGHTS.of(context.config)
        policy = _policy(context)
        if policy is None:
            return Skip(f"no weights policy {config.policy!r} in policies/")
        positions = context.lines(POSITIONS)
        promoted = _promoted(context, subject, policy)
        if (
            not context.force
            and promoted
            and context.at - promoted[-1][0] < config.cadence_days * 86400
        ):
            return Skip(f"not due (every {config.cadence_days} days)")
        current = policy.values()
        planned = _plan(context, policy, current, positions, promoted)
        if isinstance(planned, str):
            return Skip(planned, conclusive=True)
        new, kind, reasons = planned
        changes = tuple(
            Change(policy.name, f"parameters.{d}", round(current[d], 9), round(new[d], 9))
            for d in sorted(current)
            if round(new[d] - current[d], 9) != 0
        )
        if not changes:
            return Skip("no domain weight moved by a whole step", conclusive=True)
        candidate = Candidate(
            kind,
            changes,
            _rationale(kind, positions, context.at, config),
            impact=_readers(context, changes),
            explanation=_rows(current, new, reasons),
        )
        return Candidates(failure_id(self.name, subject, candidate), (candidate,))

    def rules(self) -> AllOf:
        return AllOf(ObjectiveImproves(), HitRateNotLower(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure | None:
        policy = _policy(context)
        if policy is None:
            return None
        return objective(policy, context.lines(POSITIONS), context)

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = WeightsLearner()


def _policy(context: Context) -> Policy | None:
    policy = context.params.policies.get(configs.WEIGHTS.of(context.config).policy)
    return policy if policy is not None and policy.kind == "weights" else None


def _readers(context: Context, changes: Sequence[Change]) -> tuple[str, ...]:
    return tuple(
        sorted({i for c in changes for i in context.params.readers(c.key, context.cases.values())})
    )


def _rationale(
    kind: str, positions: Sequence[Position], at: int, config: WeightsLearnerConfig
) -> str:
    recent = arithmetic.window(positions, at, config.window_days)
    lead = (
        "Revert the domain weights to the policy's defaults"
        if kind == "weights_revert"
        else "Nudge the domain weights toward the domains that predicted outcomes"
    )
    return f"{lead}: {len(recent)} positions in the last {config.window_days} days."


def _rows(
    current: Mapping[str, float], new: Mapping[str, float], reasons: Mapping[str, str]
) -> tuple[dict[str, str], ...]:
    return tuple(
        {
            "domain": d,
            "old": f"{current[d]:.4f}",
            "new": f"{new[d]:.4f}",
            "delta": f"{new[d] - current[d]:+.4f}",
            "why": reasons[d],
        }
        for d in sorted(current)
    )


def _plan(
    context: Context,
    policy: Policy,
    current: Mapping[str, float],
    positions: Sequence[Position],
    promoted: Sequence[Promoted],
) -> tuple[dict[str, float], str, dict[str, str]] | str:
    """(new weights, proposal type, why each moved), or why nothing changes."""
    config = configs.WEIGHTS.of(context.config)
    step = min(p.step for p in policy.parameters.values())
    flags = arithmetic.degraded(
        promoted, positions, window_days=config.window_days, flat_band=config.flat_band
    )
    if arithmetic.should_revert(flags, config.degrade_cycles) and policy.defaults:
        defaults = arithmetic.on_grid(
            dict(policy.defaults), step=step, floor=config.floor, ceiling=config.ceiling
        )
        why = f"the last {config.degrade_cycles} adjustments each degraded performance"
        return defaults, "weights_revert", dict.fromkeys(current, why)
    adjusted = arithmetic.adjust(current, positions, now=context.at, step=step, config=config)
    if isinstance(adjusted, str):
        return adjusted
    return dict(adjusted.new), "weight_adjustment", dict(adjusted.reasons)


def _promoted(context: Context, subject: str, policy: Policy) -> list[Promoted]:
    """(time, weights before, weights after) of every weights promotion not rolled back."""
    history: History = context.history
    rolled_back = {e.reverted for e in history.of_kind(Rollback)}
    found = []
    for entry in history.of_kind(Promotion):
        if entry.subject != subject or entry.commit in rolled_back:
            continue
        parent = entry.parent or ""
        before = dict(context.values_at(parent, policy.path)) if parent else {}
        after = dict(context.values_at(entry.commit, policy.path))
        if before and after:
            found.append((parse_time(entry.at), before, after))
    return found


def objective(policy: Policy, positions: Sequence[Position], context: Context) -> Measure:
    """The weights sandbox: the conviction's hit rate and correlation, old weights vs new."""
    config = configs.WEIGHTS.of(context.config)
    recent = arithmetic.window(positions, context.at, config.window_days)
    before = policy.values()

    def measure(candidate: Candidate) -> Objective:
        after = dict(before)
        for change in candidate.changes:
            kind, _, name = change.target.partition(".")
            if (
                change.policy == policy.name
                and kind == "parameters"
                and isinstance(change.new, (int, float))
            ):
                after[name] = float(change.new)
        band = config.flat_band
        hit_before, corr_before = arithmetic.objective(before, recent, flat_band=band)
        hit_after, corr_after = arithmetic.objective(after, recent, flat_band=band)
        defaults = policy.defaults
        is_revert = bool(defaults) and all(abs(after[d] - v) < 1e-9 for d, v in defaults.items())
        return Objective(
            name="correlation of the weighted conviction with outcomes",
            before=round(corr_before, 6),
            after=round(corr_after, 6),
            delta=round(corr_after - corr_before, 6),
            hit_rate_before=round(hit_before, 6),
            hit_rate_after=round(hit_after, 6),
            observations=len(recent),
            required=not is_revert,
            maximum=1.0,
        )

    return measure
