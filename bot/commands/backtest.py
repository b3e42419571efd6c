"""`learnbot backtest`: evaluate every case, with the evidence."""

from __future__ import annotations

import sys
from typing import Any

from bot.commands.evaluation import Evaluated, evaluate
from bot.commands.output import print_json, report_problems, table
from bot.config import Settings
from bot.core import backtest
from bot.core.conditions import Measured
from bot.core.evaluate import ERROR, UNKNOWN, Result
from bot.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS


def exit_code(evaluated: Evaluated) -> int:
    """2 when input was invalid, 1 when a case failed or errored, else 0."""
    if evaluated.problems:
        return EXIT_INVALID
    if any(r.failed or r.status == ERROR for r in evaluated.results):
        return EXIT_PROBLEMS
    return EXIT_OK


def report(evaluated: Evaluated) -> dict[str, Any]:
    """The documented JSON shape of a backtest."""
    return {
        "revision": evaluated.revision,
        "run_id": evaluated.run.run_id,
        "at": evaluated.run.at,
        "summary": backtest.summarize(evaluated.results).as_dict(),
        "results": [r.as_dict() for r in evaluated.results],
        "problems": [p.__dict__ for p in evaluated.problems],
    }


def run_backtest(settings: Settings, *, rev: str | None) -> int:
    """Evaluate every case; print a table or JSON."""
    evaluated = evaluate(settings, rev=rev)
    report_problems(settings, evaluated.problems)
    if settings.as_json:
        print_json(report(evaluated))
    else:
        sys.stdout.write(results_table(evaluated.results) + "\n\n")
        sys.stdout.write(summary_line(evaluated) + "\n")
    return exit_code(evaluated)


def results_table(results: tuple[Result, ...]) -> str:
    """One row per case: status, score, confidence, signals, evidence."""
    rows = [
        (
            r.case_id,
            r.status,
            f"{r.score:.2f}",
            r.confidence,
            f"{r.signals}/{r.min_signals}",
            _evidence(r),
        )
        for r in results
    ]
    return table(("case", "status", "score", "conf", "signals", "evidence"), rows)


def _evidence(result: Result) -> str:
    if result.error:
        return f"error: {result.error}"
    parts = [_measured(m) for m in result.triggers]
    parts += [f"falsifier {_measured(m)}" for m in result.falsifiers if m.met]
    parts += list(result.abstain_reasons)
    if result.missing:
        parts.append(f"missing: {result.missing}")
    return "; ".join(parts)


def _measured(measured: Measured) -> str:
    value = "none" if measured.value is None else f"{measured.value:.4g}"
    mark = "yes" if measured.met else "no"
    return f"{measured.name}: {value} {measured.op} {measured.threshold:.4g} {mark}"


def summary_line(evaluated: Evaluated) -> str:
    summary = backtest.summarize(evaluated.results)
    counts = ", ".join(f"{n} {s}" for s, n in summary.counts.items() if n or s != UNKNOWN)
    return (
        f"{summary.total} cases at {evaluated.revision[:12]}: {counts}; "
        f"{summary.failures} failures; pass rate {summary.pass_rate:.3f}"
    )
