"""`learnbot gate`: decide on a sandbox report with the configured criteria."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands import learners
from bot.commands.output import print_json, table
from bot.config import Settings
from bot.core import jsonline
from bot.edges import store
from bot.edges.files import WorktreeFiles
from bot.errors import EXIT_OK, EXIT_PROBLEMS, StateError
from bot.model.report import SandboxReport


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
