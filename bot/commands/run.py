"""`learnbot run`: backtest the default branch, propose, and open or update one PR per subject."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.commands import (
    dashboard,
    experimentrates,
    planning,
    pulls,
    queue,
    rejections,
    runplan,
    skillcards,
    watch,
)
from bot.commands.output import print_json, report_problems, status, table
from bot.commands.workspace import Workspace, open_workspace, worktree_differs
from bot.config import Settings
from bot.core import backtest, reconcile
from bot.edges import actions as runtime
from bot.edges import render
from bot.edges.gitrepo import PushRejected
from bot.errors import EXIT_INVALID, EXIT_OK, GitError
from bot.model import format_time


def run(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    dry_run: bool = False,
    from_shards: Sequence[Path] = (),
) -> int:
    """One scheduled run. Exit 0 when it did its job, 2 when some state files were invalid.

    A push that loses a race (another run pushed the same branch first) starts the run over
    on what origin now holds, as promote does: runs converge, so redoing is safe (#18).
    `from_shards`: the learners' findings come from `loop --shard` files, nothing is replayed
    (and a moved default branch is refused rather than redone)."""
    attempt = 0
    while True:
        with open_workspace(settings, environ) as workspace:
            try:
                return _run(settings, workspace, dry_run=dry_run, from_shards=from_shards)
            except PushRejected:
                attempt += 1
                if attempt > workspace.config.git.push_retries:
                    raise GitError(
                        "could not push the proposals: origin kept moving",
                        hint="run learnbot run again",
                    ) from None
        status(f"origin moved during the run (attempt {attempt}): fetching and redoing it")


def _run(
    settings: Settings, workspace: Workspace, *, dry_run: bool, from_shards: Sequence[Path]
) -> int:
    evaluated = workspace.evaluated
    failing = sum(r.failed for r in evaluated.results)
    status(f"backtest at {workspace.base[:12]}: {len(evaluated.results)} cases, {failing} failures")
    if not settings.in_actions and (differs := worktree_differs(workspace)):
        status(
            f"note: run learns from {workspace.default} on origin, and the working tree differs "
            f"in {', '.join(differs[:5])}{', ...' if len(differs) > 5 else ''}: commit and push "
            "them to have them learned from (`learnbot backtest` reads the working tree)"
        )
    prepared = runplan.prepare(settings, workspace, from_shards=from_shards)
    learned, outcomes, problems = prepared.learned, prepared.outcomes, prepared.problems
    for note in learned.notes:
        status(f"  {note}")
    report_problems(settings, problems)
    plan, planned, found = prepared.plan, prepared.planned, prepared.found
    if dry_run:
        _print(settings, plan, workspace)
        return EXIT_OK
    opened = pulls.execute(workspace, plan, planned, found)
    numbers = {pr.branch: pr.number for pr in found if pr.state == "open"} | opened
    watched = watch.watch(workspace)
    for note in watched.notes:
        status(f"  {note}")
    notes = "\n".join(f"- {render.escape(note)}" for note in [*learned.notes, *watched.notes])
    sections = [*learned.sections, *([watched.section] if watched.section else [])]
    extra = [*sections, *([f"### Learners\n\n{notes}\n"] if notes else [])]
    templates = render.template_dirs(settings.repo)
    extra.append(experimentrates.dashboard_section(workspace.history.entries, found, templates))
    extra.append(skillcards.dashboard_section(evaluated, workspace.history, templates))
    deferred = planning.deferred(evaluated)
    body = dashboard.render_dashboard(workspace, outcomes, plan, numbers, extra, deferred=deferred)
    refused = experimentrates.refused_now(outcomes, format_time(evaluated.at))
    board = dashboard.update(workspace, body, refused)
    for happened in queue.update(workspace):
        status(happened)
    rejected = rejections.update(workspace, found)
    if rejected:
        status(rejected)
    _print(settings, plan, workspace)
    status(f"dashboard: {board}")
    usage = workspace.forge.usage
    status(
        f"API requests: {usage.reads} reads, {usage.writes} writes, {usage.not_modified} reads "
        f"answered 304 Not Modified (free of the rate limit) ({workspace.forge.name} forge)"
    )
    summary = backtest.summarize(evaluated.results)
    runtime.set_outputs(
        settings.output_path,
        {
            "proposals-opened": str(len(opened)),
            "failures": str(summary.failures),
            "pass-rate": f"{summary.pass_rate:.6f}",
        },
    )
    runtime.write_summary(settings.summary_path, body)
    return EXIT_INVALID if problems else EXIT_OK


def _print(settings: Settings, plan: Sequence[reconcile.Action], workspace: Workspace) -> None:
    rows = [(a.kind, a.branch, f"#{a.number}" if a.number else "", a.reason) for a in plan]
    if settings.as_json:
        print_json({"base": workspace.base, "actions": [a.__dict__ for a in plan]})
    else:
        sys.stdout.write(table(("action", "branch", "pr", "why"), rows) + "\n")
