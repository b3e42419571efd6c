"""What the demo shows besides the loop: each learner's proposal or why it has none, one pull
request body as reviewers see it, and the dashboard (#16)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.commands import learners
from bot.commands.evaluation import evaluate, local_history
from bot.commands.output import table
from bot.config import Settings
from bot.core.learners.registry import LEARNERS
from bot.edges.forge import MARKER, PullRequest
from bot.edges.local_forge import LocalForge


def learner_rows(settings: Settings, pulls: Sequence[PullRequest]) -> list[tuple[str, str, str]]:
    """One row per configured learner: its pull requests, or why it proposes nothing now."""
    evaluated = evaluate(settings)
    history, read_at = local_history(settings, evaluated)
    config = evaluated.state.config
    rows = []
    for name, each in LEARNERS.items():
        if not each.enabled(config):
            continue
        found, _ = learners.context(evaluated, each, history, read_at)
        if not learners.has_inputs(each, found, config):
            continue
        opened = [p for p in pulls if p.metadata.get("learner") == name]
        if opened:
            numbers = ", ".join(f"#{p.number}" for p in opened)
            rows.append((name, numbers, f"{len(opened)} pull request(s) opened"))
            continue
        learned = learners.learn(evaluated, history, read_at, only=name)
        reasons = [o.reason for o in learned.outcomes if o.reason] + list(learned.notes)
        rows.append((name, "-", _why(name, reasons, reports=bool(learned.sections))))
    return rows


def _why(name: str, reasons: Sequence[str], *, reports: bool) -> str:
    if reasons:
        first = reasons[0].removeprefix(f"{name}: ")
        return first + (f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else "")
    if reports:
        return "nothing to propose now: it reports on the dashboard (below)"
    return "nothing is due this run"


def show_learners(settings: Settings, pulls: Sequence[PullRequest]) -> None:
    sys.stdout.write("\nwhat each configured learner did:\n")
    rows = learner_rows(settings, pulls)
    sys.stdout.write(table(("learner", "pull requests", "proposal, or why none"), rows) + "\n")


def show_artifacts(
    forge: LocalForge, pull: PullRequest, dashboard_label: str, folder: Path | None
) -> None:
    """Print one pull request's body and the dashboard; with `folder`, also write them there."""
    body = MARKER.sub("", forge.pull(pull.number).body).rstrip() + "\n"
    issue = forge.find_issue(label=dashboard_label)
    dashboard = (issue.body.rstrip() + "\n") if issue else "(no dashboard issue)\n"
    for title, text, name in (
        (f"the body of pull request #{pull.number}, as reviewers see it", body, "pull-request.md"),
        ("the dashboard issue, as learnbot keeps it", dashboard, "dashboard.md"),
    ):
        where = ""
        if folder is not None:
            (folder / name).write_text(text, encoding="utf-8")
            where = f" (also in {folder / name})"
        sys.stdout.write(f"\n----- {title}{where} -----\n{text}----- end -----\n")
