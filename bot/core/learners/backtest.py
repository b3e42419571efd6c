"""The backtest learner (000, component 2): from one failure, candidates ranked by the search.

The general bounded search (`bot.core.search`) looks at every learnable thing the failing
case reads and finds the smallest grid move of each that makes the case pass alone (pairs
when no single one does). The candidates come back best first: fewest regressions on the
cases they reach, then fewest grid steps, then least declared cost. The pipeline replays
the best few in that order and keeps the first the gate allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import sandbox, search
from bot.core.gate import SAFETY, AllOf, FixedCase, PassRate, SourceFixed
from bot.core.learners import Candidates, Context, Dropped, Measure, Section, Skip, catalog, configs
from bot.model import Config
from bot.model.config import LearnerSettings
from bot.model.inputs import Input


def ranked(context: Context, subject: str, failure_id: str) -> Candidates:
    """The search's candidates for one failing case, best first, and the knobs that gave none."""
    config = configs.BACKTEST.of(context.config)
    case = context.cases[subject]
    replay = sandbox.Replay(
        context.cases, context.params, context.snapshots, context.evaluators, context.readers
    )
    seeds = context.config.sandbox.seeds
    found = search.search(case, replay, max_replays=config.max_replays, seeds=seeds)
    fixed = {knob.ref for f in found.found for knob, _ in f.moves}
    dropped = tuple(
        Dropped(f"{knob.kind} {knob.ref}", _why_not(found, knob, config.max_replays))
        for knob in found.knobs
        if knob.ref not in fixed
    )
    return Candidates(
        failure_id,
        tuple(f.candidate() for f in found.found),
        dropped,
        source_case=case.id,
        ranks=tuple(f.describe() for f in found.found),
        best=config.sandbox_best,
    )


def _why_not(found: search.Search, knob: search.Knob, budget: int) -> str:
    if found.exhausted:
        return f"not settled: the search spent its {budget} replays first"
    move = "switching it on" if knob.registration else "no move within its bounds"
    verb = "does not make" if knob.registration else "makes"
    if found.pairs and found.found:
        return f"{move} alone {verb} the case pass, nor does any pair with it of the fewest steps"
    if found.pairs:
        return f"{move} {verb} the case pass, alone or with one other knob"
    return f"{move} alone {verb} the case pass"


@dataclass(frozen=True)
class BacktestLearner:
    """One subject per failing case: candidates by the search, judged on the replay."""

    name: str = "backtest"
    inputs: tuple[Input, ...] = catalog.INPUTS["backtest"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["backtest"]
    proposal_types: tuple[str, ...] = search.TYPES

    def enabled(self, config: Config) -> bool:
        return configs.BACKTEST.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        """The failing cases in case order, at most `max_failures` (the rest wait: #18)."""
        cap = configs.BACKTEST.of(context.config).max_failures
        return tuple(f.case_id for f in context.failures[:cap])

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        failure = next((f for f in context.failures if f.case_id == subject), None)
        if failure is None:
            return Skip(f"{subject} does not fail", conclusive=True)
        return ranked(context, subject, failure.failure_id)

    def rules(self) -> AllOf:
        return AllOf(PassRate(), FixedCase(), SourceFixed(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure | None:
        return None

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = BacktestLearner()
