"""`learnbot propose`, `learnbot sandbox` and `learnbot gate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bot.commands import learners, planning
from bot.commands.evaluation import evaluate, local_history
from bot.commands.output import print_json, status, table, to_json
from bot.config import Settings
from bot.core import jsonline, pipeline
from bot.core.history import History
from bot.core.learners import Candidate
from bot.core.proposal import Proposal
from bot.core.sandbox import Cost
from bot.edges import ledgerfile, render, store, yamldoc
from bot.edges.files import WorktreeFiles
from bot.errors import EXIT_OK, EXIT_PROBLEMS, ConfigError, StateError
from bot.model.report import SandboxReport


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


def load_proposal(path: Path) -> Proposal:
    """A proposal YAML file, as `propose` writes it."""
    try:
        document = yamldoc.parse(path.read_text("utf-8"), path=str(path))
        return Proposal.from_dict(document.data)
    except (OSError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(f"{path}: not a learnbot proposal ({type(exc).__name__}: {exc})") from exc


def run_sandbox(
    settings: Settings, *, proposal_path: Path, runs: int | None, out: Path | None
) -> int:
    """Replay a proposal file against the working tree's history; print the report."""
    proposal = load_proposal(proposal_path)
    evaluated = evaluate(settings)
    shared = planning.setting(evaluated, runs=runs, measured=True)
    candidate = Candidate(
        proposal.proposal_type, proposal.changes, proposal.change_description, moves=proposal.moves
    )
    learner = learners.learner(proposal.learner)
    history, read_at = local_history(settings, evaluated)
    found, _ = learners.context(evaluated, learner, history, read_at)
    judged = pipeline.judge(
        candidate,
        proposal.source_failure_id,
        shared,
        learner.rules(),
        measure=learner.measure(found, proposal.subject),
        source_case=proposal.subject if proposal.subject in evaluated.cases else None,
    )
    report = {**judged.as_dict(), "proposal_id": proposal.proposal_id}
    if out is not None:
        ledgerfile.write_atomic(out, (to_json(report) + "\n").encode("utf-8"))
        status(f"wrote {out}")
    if settings.as_json:
        print_json(report)
    else:
        sys.stdout.write(render_report(settings, report, measured=judged.measured))
    return EXIT_OK if judged.verdict.allowed else EXIT_PROBLEMS


def render_report(
    settings: Settings, report: dict[str, Any], *, measured: tuple[Cost, Cost] | None = None
) -> str:
    """The report as Markdown; measured time and memory only as information, when given."""
    shown = [{"time_ms": c.time_ms, "memory_kb": c.memory_kb} for c in measured or ()]
    return render.render(
        "sandbox.md.j2",
        {"report": report, "measured": shown},
        dirs=render.template_dirs(settings.repo),
    )


def run_gate(settings: Settings, *, report_path: Path, learner: str = "backtest") -> int:
    """Decide on a sandbox report with the configured criteria and the learner's rules."""
    rules = learners.learner(learner).rules()
    try:
        report = SandboxReport.from_dict(jsonline.loads(report_path.read_bytes()))
        files = WorktreeFiles(settings.repo)
        config = store.load_config(files, settings.config_path)
        verdict = rules.check(report, config.gate)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(
            f"{report_path}: not a sandbox report ({type(exc).__name__}: {exc})"
        ) from exc
    if settings.as_json:
        print_json(verdict.as_dict())
    else:
        rows = [
            (c.name, c.value, c.limit, "pass" if c.passed else "FAIL") for c in verdict.criteria
        ]
        sys.stdout.write(table(("criterion", "value", "limit", "verdict"), rows) + "\n")
        sys.stdout.write(("promotion allowed" if verdict.allowed else "promotion refused") + "\n")
    return EXIT_OK if verdict.allowed else EXIT_PROBLEMS
