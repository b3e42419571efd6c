"""From an evaluated tree to one outcome per failure: candidates -> sandbox -> gate -> choice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.app.evaluation import Evaluated
from bot.app.output import status
from bot.core import pipeline, sandbox
from bot.core.analyze import FailureAnalysis
from bot.core.learners import backtest as backtest_learner
from bot.edges import meter
from bot.model import format_time


def setting(
    evaluated: Evaluated, *, runs: int | None = None, measured: bool = True
) -> pipeline.Setting:
    """What every replay of this run shares."""
    replay = sandbox.Replay(
        evaluated.cases, evaluated.params, evaluated.snapshots, evaluated.evaluators
    )
    return pipeline.Setting(
        replay=replay,
        config=evaluated.state.config,
        at=format_time(evaluated.at),
        meter=meter.measure if measured else sandbox.unmetered,
        runs=runs,
    )


def propose_for(
    failure: FailureAnalysis,
    evaluated: Evaluated,
    shared: pipeline.Setting,
    excluded: Mapping[str, str] | None = None,
) -> pipeline.Outcome:
    """The backtest learner on one failure: exactly one proposal, or none with the reason."""
    case = evaluated.cases[failure.case_id]
    context = backtest_learner.Context(
        case=case,
        params=evaluated.params,
        snapshot=evaluated.snapshots[case.snapshot_sha256],
        cases=evaluated.cases,
    )
    found, dropped = backtest_learner.candidates(failure, context)
    return pipeline.propose(
        case.id,
        failure.failure_id,
        found,
        shared,
        learner="backtest",
        excluded=excluded or {},
        dropped=dropped,
        source_case=case.id,
    )


def plan(
    evaluated: Evaluated, *, excluded: Mapping[str, str] | None = None, progress: bool = False
) -> list[pipeline.Outcome]:
    """One outcome per failing case, in case order (progress on stderr when asked)."""
    shared = setting(evaluated)
    if not evaluated.state.config.learners.backtest.enabled:
        return []
    failures = evaluated.failures()
    outcomes = []
    for index, failure in enumerate(failures, start=1):
        outcome = propose_for(failure, evaluated, shared, excluded)
        if progress:
            found = "a proposal" if outcome.proposal else f"no proposal: {outcome.reason}"
            status(f"  [{index}/{len(failures)}] {failure.case_id}: {found}")
        outcomes.append(outcome)
    return outcomes


def summary(outcome: pipeline.Outcome) -> dict[str, Any]:
    """One line of `loop --dry-run`: the PR it would open, or why not."""
    proposal = outcome.proposal
    changes = [c.describe() for c in proposal.changes] if proposal else []
    moves = [f"{a} -> {b}" for a, b in proposal.moves] if proposal else []
    return {
        "subject": outcome.subject,
        "failure_id": outcome.source_failure_id,
        "proposal_id": proposal.proposal_id if proposal else None,
        "title": proposal.title() if proposal else None,
        "changes": changes + moves,
        "gate": "pass" if proposal else "none",
        "reason": outcome.reason,
    }
