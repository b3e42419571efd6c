"""`learnbot sandbox`: replay a proposal on historical snapshots and gate it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bot.commands import learners, planning
from bot.commands.evaluation import evaluate, local_history
from bot.commands.output import print_json, status, to_json
from bot.config import Settings
from bot.core import pipeline
from bot.core.learners import Candidate
from bot.edges import ledgerfile, render, yamldoc
from bot.errors import EXIT_OK, EXIT_PROBLEMS, StateError
from bot.model.cost import Cost
from bot.model.proposal import Proposal


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
