"""`learnbot analyze`: analyse every failure (MISS, or ABSTAIN with HIGH confidence)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands.evaluation import evaluate
from bot.commands.failures import write_failure
from bot.commands.output import print_json, report_problems, status, table
from bot.config import Settings
from bot.errors import EXIT_INVALID, EXIT_OK


def run_analyze(settings: Settings, *, rev: str | None, out: Path | None) -> int:
    """Analyse every failure; write JSON and Markdown per failure with --out."""
    evaluated = evaluate(settings, rev=rev)
    report_problems(settings, evaluated.problems)
    failures = evaluated.failures()
    if out is not None:
        for failure in failures:
            write_failure(settings, evaluated, failure, out)
        status(f"{len(failures)} failure analyses written to {out}")
    if settings.as_json:
        print_json([f.as_dict() for f in failures])
    elif out is None:
        rows = [
            (f.case_id, f.backtest_result["status"], f.hypothesis, f.failure_id) for f in failures
        ]
        sys.stdout.write(table(("case", "status", "hypothesis", "failure id"), rows) + "\n")
    return EXIT_INVALID if evaluated.problems else EXIT_OK
