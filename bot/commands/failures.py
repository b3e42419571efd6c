"""A failure analysis as Markdown and JSON files (shared by analyze and run)."""

from __future__ import annotations

from pathlib import Path

from bot.commands.evaluation import Evaluated
from bot.commands.output import to_json
from bot.config import Settings
from bot.core.analyze import FailureAnalysis
from bot.edges import ledgerfile, render


def render_failure(settings: Settings, evaluated: Evaluated, failure: FailureAnalysis) -> str:
    """A failure analysis as Markdown."""
    case = evaluated.cases[failure.case_id]
    context = {"failure": failure.as_dict(), "case": {"description": case.description}}
    return render.render("failure.md.j2", context, dirs=render.template_dirs(settings.repo))


def write_failure(
    settings: Settings, evaluated: Evaluated, failure: FailureAnalysis, out: Path
) -> None:
    stem = out / failure.failure_id
    ledgerfile.write_atomic(stem.with_suffix(".json"), (to_json(failure.as_dict()) + "\n").encode())
    ledgerfile.write_atomic(
        stem.with_suffix(".md"), render_failure(settings, evaluated, failure).encode()
    )
