"""What a run decides before it writes: proposals reconciled with the forge's pull requests.

`run` executes the plan; `loop --dry-run` and `run --dry-run` show it; a rebuild closes what
no longer has a reason to stay open.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.commands import (
    labelpulls,
    learncache,
    learners,
    planning,
    pulls,
    shards,
)
from bot.commands.failures import render_failure
from bot.commands.output import status
from bot.commands.workspace import Workspace
from bot.config import Settings
from bot.core import reconcile
from bot.core.learners import configs
from bot.core.pipeline import Outcome
from bot.edges import store
from bot.edges.forge import PullRequest
from bot.model import Problem


@dataclass(frozen=True)
class Prepared:
    """Everything a run decides before it writes: what `run --dry-run` and `loop` show."""

    outcomes: list[Outcome]
    learned: learners.Learned
    problems: list[Problem]
    planned: dict[str, pulls.Planned]
    found: list[PullRequest]
    plan: tuple[reconcile.Action, ...]


def prepare(
    settings: Settings,
    workspace: Workspace,
    *,
    progress: bool = True,
    from_shards: Sequence[Path] = (),
) -> Prepared:
    """Backtest, propose, and reconcile with the forge's pull requests; nothing written.

    `from_shards`: the learners' findings are read from `loop --shard` files, not learned."""
    evaluated = workspace.evaluated
    deferred = planning.deferred(evaluated)
    if deferred:
        cap = configs.BACKTEST.of(evaluated.state.config).max_failures
        status(
            f"{len(deferred)} failures beyond learners.backtest.max_failures ({cap}) "
            f"deferred to the next run: {', '.join(deferred)}"
        )
    if from_shards:
        learned = shards.read(from_shards, workspace.base)
    else:
        learned = learncache.learn(settings, workspace, progress=progress)
    outcomes = learned.outcomes
    planned = planned_pulls(settings, workspace, outcomes)
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


def planned_pulls(
    settings: Settings, workspace: Workspace, outcomes: Sequence[Outcome]
) -> dict[str, pulls.Planned]:
    """The branch and pull request of every outcome with a proposal, by branch."""
    evaluated = workspace.evaluated
    failures = {f.failure_id: f for f in evaluated.failures()}

    def markdown(failure_id: str) -> Callable[[], str | None]:
        found = failures.get(failure_id)
        return lambda: render_failure(settings, evaluated, found) if found else None

    planned = (
        pulls.plan(workspace, o, markdown(o.source_failure_id)) for o in outcomes if o.proposal
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
