"""What every replay of a run shares, and how `loop --dry-run` summarises an outcome."""

from __future__ import annotations

from typing import Any

from bot.commands.evaluation import Evaluated
from bot.core import crl, pipeline, sandbox
from bot.core.learners import configs
from bot.edges import meter, outcomes
from bot.model import RunMetrics, format_time


def setting(
    evaluated: Evaluated, *, runs: int | None = None, measured: bool = False
) -> pipeline.Setting:
    """What every replay of this run shares (time and memory measured only when asked)."""
    replay = sandbox.Replay(
        evaluated.cases, evaluated.params, evaluated.snapshots, evaluated.evaluators
    )
    return pipeline.Setting(
        replay=replay,
        config=evaluated.state.config,
        at=format_time(evaluated.at),
        meter=meter.measure if measured else sandbox.unmetered,
        runs=runs,
        run=_system_run(evaluated),
    )


def _system_run(evaluated: Evaluated) -> RunMetrics | None:
    """The latest system-wide run metrics, read only when the CRL rule is configured."""
    config = evaluated.state.config
    if config.gate.max_crl_delta is None:
        return None
    runs, _ = outcomes.runs(evaluated.files, config.objective.runs)  # validate reports problems
    return crl.latest_system_run(runs)


def deferred(evaluated: Evaluated) -> tuple[str, ...]:
    """The failing cases beyond `learners.backtest.max_failures`: not analysed this run (#18:
    each failure replays its candidates, and thousands of them would take hours)."""
    config = configs.BACKTEST.of(evaluated.state.config)
    if not config.enabled:
        return ()
    return tuple(f.case_id for f in evaluated.failures()[config.max_failures :])


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
