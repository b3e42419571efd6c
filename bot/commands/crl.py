"""`learnbot crl`: the composite run loss of every run in the run-metrics file, by component."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bot.commands.output import print_json, status, table
from bot.commands.runloss import losses
from bot.config import Settings
from bot.core import crl
from bot.edges import outcomes, store
from bot.edges.files import WorktreeFiles
from bot.errors import EXIT_INVALID, EXIT_OK
from bot.model import RunMetrics, format_time

SYSTEM = "(system)"


def show(settings: Settings) -> int:
    """Print every component's runs and mean loss (JSON: every run with its contributions)."""
    files = WorktreeFiles(settings.repo)
    objective = store.load_config(files, settings.config_path).objective
    runs, problems = outcomes.runs(files, objective.runs)
    found, missing = losses(runs, objective.weights.as_mapping(), objective.runs)
    problems = sorted({*problems, *missing})
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if settings.as_json:
        print_json({"weights": objective.weights.as_mapping(), "runs": _runs(found)})
    else:
        sys.stdout.write(_table(found) + "\n")
    status(f"{len(found)} runs from {objective.runs}, {len(problems)} problem(s)")
    return EXIT_INVALID if problems else EXIT_OK


def _runs(found: Sequence[tuple[RunMetrics, crl.Loss]]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run.run_id,
            "at": format_time(run.at),
            "component": run.component or None,
            **loss.as_dict(),
        }
        for run, loss in found
    ]


def _table(found: Sequence[tuple[RunMetrics, crl.Loss]]) -> str:
    by_component: dict[str, list[tuple[RunMetrics, crl.Loss]]] = defaultdict(list)
    for run, loss in found:
        by_component[run.component or SYSTEM].append((run, loss))
    rows = []
    for component, items in sorted(by_component.items()):
        latest_run, latest = items[-1]
        mean = sum(loss.value for _, loss in items) / len(items)
        rows.append(
            (
                component,
                len(items),
                format_time(latest_run.at),
                f"{latest.value:.4f}",
                f"{mean:.4f}",
            )
        )
    return table(("component", "runs", "latest", "latest crl", "mean crl"), rows)
