"""`learnbot run`: backtest the default branch, propose, and open or update one PR per subject."""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.commands import (
    cards,
    dashboard,
    experiments,
    labelpulls,
    learners,
    planning,
    pulls,
    queue,
    rejections,
    watch,
)
from bot.commands.failures import render_failure
from bot.commands.output import print_json, status, table
from bot.commands.workspace import Workspace, open_workspace, worktree_differs
from bot.config import Settings
from bot.core import backtest, reconcile
from bot.core.pipeline import Outcome
from bot.edges import actions as runtime
from bot.edges import render, store
from bot.edges.forge import PullRequest
from bot.edges.gitrepo import PushRejected
from bot.errors import EXIT_INVALID, EXIT_OK, GitError
from bot.model import Problem, format_time


def run(settings: Settings, environ: Mapping[str, str], *, dry_run: bool = False) -> int:
    """One scheduled run. Exit 0 when it did its job, 2 when some state files were invalid.

    A push that loses a race (another run pushed the same branch first) starts the run over
    on what origin now holds, as promote does: runs converge, so redoing is safe (#18)."""
    attempt = 0
    while True:
        with open_workspace(settings, environ) as workspace:
            try:
                return _run(settings, workspace, dry_run=dry_run)
            except PushRejected:
                attempt += 1
                if attempt > workspace.config.git.push_retries:
                    raise GitError(
                        "could not push the proposals: origin kept moving",
                        hint="run learnbot run again",
                    ) from None
        status(f"origin moved during the run (attempt {attempt}): fetching and redoing it")


@dataclass(frozen=True)
class Prepared:
    """Everything a run decides before it writes: what `run --dry-run` and `loop` show."""

    outcomes: list[Outcome]
    learned: learners.Learned
    problems: list[Problem]
    planned: dict[str, pulls.Planned]
    found: list[PullRequest]
    plan: tuple[reconcile.Action, ...]


def prepare(settings: Settings, workspace: Workspace, *, progress: bool = True) -> Prepared:
    """Backtest, propose, and reconcile with the forge's pull requests; nothing written."""
    evaluated = workspace.evaluated
    deferred = planning.deferred(evaluated)
    if deferred:
        cap = evaluated.state.config.learners.backtest.max_failures
        status(
            f"{len(deferred)} failures beyond learners.backtest.max_failures ({cap}) "
            f"deferred to the next run: {', '.join(deferred)}"
        )
    learned = learners.learn(
        evaluated,
        workspace.history,
        workspace.clone.read_at,
        templates=render.template_dirs(settings.repo),
        progress=progress,
    )
    outcomes = learned.outcomes
    planned = _planned(settings, workspace, outcomes)
    found = workspace.forge.pull_requests(prefix=workspace.config.pull_requests.branch_prefix)
    open_branches = [pr.branch for pr in found if pr.state == "open"]
    limits = workspace.config.pull_requests
    plan = reconcile.reconcile(
        [item.desired() for item in planned.values()],
        [pulls.existing(workspace, pr, planned) for pr in found],
        closing=closing_reasons(workspace, outcomes, open_branches, learned.subjects),
        max_open=limits.max_open,
        max_new=limits.max_new_per_run,
    )
    problems = [*evaluated.problems, *learned.problems]
    return Prepared(outcomes, learned, problems, planned, found, plan)


def _run(settings: Settings, workspace: Workspace, *, dry_run: bool) -> int:
    evaluated = workspace.evaluated
    failing = sum(r.failed for r in evaluated.results)
    status(f"backtest at {workspace.base[:12]}: {len(evaluated.results)} cases, {failing} failures")
    if not settings.in_actions and (differs := worktree_differs(workspace)):
        status(
            f"note: run learns from {workspace.default} on origin, and the working tree differs "
            f"in {', '.join(differs[:5])}{', ...' if len(differs) > 5 else ''}: commit and push "
            "them to have them learned from (`learnbot backtest` reads the working tree)"
        )
    prepared = prepare(settings, workspace)
    learned, outcomes, problems = prepared.learned, prepared.outcomes, prepared.problems
    for note in learned.notes:
        status(f"  {note}")
    _report(settings, problems)
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
    extra.append(experiments.dashboard_section(workspace.history.entries, found, templates))
    extra.append(cards.dashboard_section(evaluated, workspace.history, templates))
    deferred = planning.deferred(evaluated)
    body = dashboard.render_dashboard(workspace, outcomes, plan, numbers, extra, deferred=deferred)
    refused = experiments.refused_now(outcomes, format_time(evaluated.at))
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
        f"API requests: {usage.reads} reads, {usage.writes} writes ({workspace.forge.name} forge)"
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


def _report(settings: Settings, problems: Sequence[Problem]) -> None:
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if settings.in_actions:
        runtime.annotate(problems, sys.stdout)


def _planned(
    settings: Settings, workspace: Workspace, outcomes: Sequence[Outcome]
) -> dict[str, pulls.Planned]:
    evaluated = workspace.evaluated
    failures = {f.failure_id: render_failure(settings, evaluated, f) for f in evaluated.failures()}
    planned = (
        pulls.plan(workspace, o, failures.get(o.source_failure_id)) for o in outcomes if o.proposal
    )
    return {item.branch: item for item in planned}


def closing_reasons(
    workspace: Workspace,
    outcomes: Sequence[Outcome],
    open_branches: Sequence[str],
    owned: Collection[str] = (),
) -> dict[str, str]:
    """Why an open PR should close when nothing is proposed for its subject this run.

    Fixed on the default branch, no proposal passes any more, or the subject is gone. A
    subject whose file is invalid right now, or a learner that was not due, is none of
    these: its PR is kept.
    """
    prefix = workspace.config.pull_requests.branch_prefix
    evaluated = workspace.evaluated
    passing = {r.case_id for r in evaluated.results if r.passed}
    without = {o.subject for o in outcomes if o.proposal is None}
    subjects = {r.case_id for r in evaluated.results} | {o.subject for o in outcomes} | set(owned)
    invalid = {p.path for p in evaluated.problems}
    reasons = {}
    for branch in open_branches:
        subject = branch.removeprefix(prefix)
        path = f"{store.CASE_DIR}/{subject}.yaml"
        if subject.startswith(f"{labelpulls.SUBJECT}/"):
            continue  # labels pull requests close only by a person's hand
        if subject in passing:
            reasons[branch] = f"superseded: the failure is fixed on {workspace.default}"
        elif subject in without:
            reasons[branch] = "superseded: no proposal passes the gate on the current evidence"
        elif subject not in subjects and path not in invalid and evaluated.files.read(path) is None:
            reasons[branch] = "superseded: its subject no longer exists"
    return reasons


def _print(settings: Settings, plan: Sequence[reconcile.Action], workspace: Workspace) -> None:
    rows = [(a.kind, a.branch, f"#{a.number}" if a.number else "", a.reason) for a in plan]
    if settings.as_json:
        print_json({"base": workspace.base, "actions": [a.__dict__ for a in plan]})
    else:
        sys.stdout.write(table(("action", "branch", "pr", "why"), rows) + "\n")
