"""`learnbot propose`: the one bounded proposal for a failure, as YAML."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands import learners, planning
from bot.commands.evaluation import evaluate
from bot.commands.output import status, to_json
from bot.config import Settings
from bot.core.history import History
from bot.edges import ledgerfile, yamldoc
from bot.errors import EXIT_OK, EXIT_PROBLEMS, ConfigError


def run_propose(settings: Settings, *, failure_id: str, out: Path | None) -> int:
    """Write the one proposal for a failure (by failure id or case id) as YAML."""
    evaluated = evaluate(settings)
    failures = [f for f in evaluated.failures() if failure_id in (f.failure_id, f.case_id)]
    if not failures:
        known = ", ".join(f.failure_id for f in evaluated.failures()) or "none"
        raise ConfigError(f"--failure {failure_id}: no such failure (failures now: {known})")
    backtest = learners.learner("backtest")
    found, _ = learners.context(evaluated, backtest, History(), _no_history)
    shared = planning.setting(evaluated)
    outcome = learners.propose(
        backtest, found, failures[0].case_id, shared, excluded={}, learned=learners.Learned()
    )
    assert outcome is not None  # a failing case always gets candidates or a conclusive reason
    for candidate, reason in outcome.considered:
        status(f"rejected {candidate}: {reason}")
    if outcome.proposal is None:
        status(f"{failures[0].case_id}: no proposal: {outcome.reason}")
        return EXIT_PROBLEMS
    data = outcome.proposal.as_dict()
    _emit(to_json(data) + "\n" if settings.as_json else yamldoc.dump(data), out)
    return EXIT_OK


def _no_history(commit: str, path: str) -> bytes | None:
    return None


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        ledgerfile.write_atomic(out, text.encode("utf-8"))
        status(f"wrote {out}")
