"""Producer karma (003, component 3b): an EMA of the outcomes each producer contributed to.

For every position closed after the karma file's `as_of`, in closing order, each producer
listed on it gets `karma = karma * (1 - alpha) + outcome * alpha`, outcome = the sign of
the realised result (+1, -1, or 0 when flat: |pnl| below `flat_band`, 003).
"""

from __future__ import annotations

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
)
from bot.core.params import on_grid
from bot.model import Config, Policy, Position, format_time, parse_time
from bot.model.config import LearnerSettings
from bot.model.inputs import Input
from bot.model.proposal import Change
from bot.model.report import Consistency


@dataclass(frozen=True)
class KarmaUpdate:
    """The new karma per producer, the outcomes folded in, and producers with no entry."""

    values: Mapping[str, float]
    as_of: int
    folded: int
    unknown: tuple[str, ...]


def ema(karma: float, outcomes: Sequence[int], alpha: float) -> float:
    """Fold outcomes into a karma value, oldest first."""
    for outcome in outcomes:
        karma = karma * (1 - alpha) + outcome * alpha
    return karma


def update(
    karma: Mapping[str, float],
    positions: Sequence[Position],
    *,
    since: int | None,
    until: int,
    alpha: float,
    flat_band: float,
) -> KarmaUpdate:
    """Fold every position closed in (since, until] into the karma of its producers."""
    fresh = sorted(
        (p for p in positions if (since is None or p.closed_at > since) and p.closed_at <= until),
        key=lambda p: (p.closed_at, p.id),
    )
    values = dict(karma)
    unknown: set[str] = set()
    for position in fresh:
        for producer in position.producers:
            if producer not in values:
                unknown.add(producer)
                continue
            values[producer] = ema(values[producer], [position.outcome(flat_band)], alpha)
    last = fresh[-1].closed_at if fresh else (since or 0)
    return KarmaUpdate(
        {k: round(v, 6) for k, v in values.items()}, last, len(fresh), tuple(sorted(unknown))
    )


POSITIONS = catalog.KARMA_POSITIONS


@dataclass(frozen=True)
class KarmaLearner:
    """One subject: the karma policy; the change must equal the EMA recomputed on the base."""

    name: str = "karma"
    inputs: tuple[Input, ...] = catalog.INPUTS["karma"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["karma"]
    proposal_types: tuple[str, ...] = ("karma_update",)

    def enabled(self, config: Config) -> bool:
        return configs.KARMA.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        return (f"karma/{configs.KARMA.of(context.config).policy}",)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        found = _changes(context)
        if isinstance(found, str):
            return Skip(found, conclusive=True)
        policy, changes, folded = found
        notes: tuple[str, ...] = ()
        if folded.unknown:
            unknown = ", ".join(folded.unknown)
            notes = (f"no entry for producer(s) {unknown} in {policy.path}",)
        rows = tuple(
            {"producer": c.target.split(".", 1)[1], "old": f"{c.old:+.6f}", "new": f"{c.new:+.6f}"}
            for c in changes
            if c.target.startswith("parameters.")
            and isinstance(c.old, (int, float))
            and isinstance(c.new, float)
        )
        alpha = configs.KARMA.of(context.config).alpha
        rationale = (
            f"Fold {folded.folded} closed positions into each contributing producer's karma "
            f"(EMA, alpha {alpha})."
        )
        candidate = Candidate("karma_update", changes, rationale, explanation=rows)
        return Candidates(failure_id(self.name, subject, candidate), (candidate,), notes=notes)

    def rules(self) -> AllOf:
        return AllOf(MatchesRecomputation(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure:
        found = _changes(context)
        expected = {} if isinstance(found, str) else {c.key: c.new for c in found[1]}

        def check(candidate: Candidate) -> Consistency:
            actual = {c.key: c.new for c in candidate.changes}
            return Consistency.compare(
                "the karma EMA recomputed from the outcomes", expected, actual
            )

        return check

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = KarmaLearner()


def _changes(context: Context) -> tuple[Policy, tuple[Change, ...], KarmaUpdate] | str:
    """The karma policy, the changes the EMA dictates, and the update (or why none)."""
    config = configs.KARMA.of(context.config)
    policy = context.params.policies.get(config.policy)
    if policy is None or policy.kind != "karma":
        return f"no karma policy {config.policy!r} in policies/"
    folded = update(
        policy.values(),
        context.lines(POSITIONS),
        since=parse_time(policy.as_of) if policy.as_of else None,
        until=context.at,
        alpha=config.alpha,
        flat_band=config.flat_band,
    )
    if folded.folded == 0:
        return "no outcomes closed since the last update"
    snapped = {n: on_grid(folded.values[n], p) for n, p in policy.parameters.items()}
    changes = [  # on the parameter's grid: a step is at least 1e-6 of the range (#18)
        Change(policy.name, f"parameters.{n}", p.value, snapped[n])
        for n, p in sorted(policy.parameters.items())
        if round(snapped[n] - float(p.value), 9) != 0
    ]
    changes.append(Change(policy.name, "as_of", policy.as_of, format_time(folded.as_of)))
    return policy, tuple(changes), folded
