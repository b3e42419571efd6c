"""Right after a promotion: rebuild the open proposals whose evidence the merge changed.

A proposal branch cut before a merge that touched its policy, cases or snapshots is stale:
merging it would put a combination on the default branch that was never replayed. Rather
than wait for the next scheduled run, `promote` re-plans the failing cases that have an
open pull request, on the commit it just recorded, and updates (or closes as superseded)
only those whose proposal or branch content changed. The others are left alone: no
rebase storms (DESIGN invariant 8).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from bot.commands import learners, planning, pulls
from bot.commands.evaluation import evaluate
from bot.commands.failures import render_failure
from bot.commands.output import status
from bot.commands.runplan import closing_reasons
from bot.commands.workspace import Workspace
from bot.core import pipeline, reconcile
from bot.core.history import History
from bot.edges.forge import OPEN

_REBUILT = (reconcile.UPDATE, reconcile.CLOSE)
BACKTEST = "backtest"


def _replan(workspace: Workspace, subjects: Sequence[str]) -> list[pipeline.Outcome]:
    """The backtest learner's outcome for each of these failing cases (passing ones: none)."""
    backtest = learners.learner(BACKTEST)
    found, _ = learners.context(
        workspace.evaluated, backtest, workspace.history, workspace.clone.read_at
    )
    learned = learners.Learned()
    shared = planning.setting(workspace.evaluated)
    excluded = workspace.history.known_bad()
    for subject in [s for s in backtest.subjects(found) if s in subjects]:
        learners.propose(backtest, found, subject, shared, excluded=excluded, learned=learned)
    return learned.outcomes


def rebuild_open(
    workspace: Workspace, *, tip: str, entries: Sequence[Mapping[str, Any]]
) -> tuple[reconcile.Action, ...]:
    """Update or close the open backtest proposals whose evidence changed at `tip`."""
    prefix = workspace.config.pull_requests.branch_prefix
    found = workspace.forge.pull_requests(prefix=prefix)
    subjects = {p.branch.removeprefix(prefix) for p in found if p.state == OPEN}
    if not subjects & set(workspace.evaluated.cases):
        return ()  # no open proposal for a failing case: nothing a merge can make stale
    evaluated = evaluate(workspace.settings, rev=tip)
    current = dataclasses.replace(
        workspace, base=tip, evaluated=evaluated, history=History.of(entries)
    )
    cases = {r.case_id for r in evaluated.results}
    outcomes = _replan(current, sorted(subjects & cases))
    failures = {f.failure_id: f for f in evaluated.failures()}
    planned = {}
    for outcome in outcomes:
        if outcome.proposal is not None:
            failure = failures.get(outcome.source_failure_id)
            markdown = render_failure(workspace.settings, evaluated, failure) if failure else None
            item = pulls.plan(current, outcome, markdown)
            planned[item.branch] = item
    mine = [prefix + s for s in sorted(subjects & cases)]
    plan = reconcile.reconcile(
        [item.desired() for item in planned.values()],
        [pulls.existing(current, pr, planned) for pr in found],
        closing=closing_reasons(current, outcomes, mine),
        max_open=workspace.config.pull_requests.max_open,
        max_new=0,
    )
    actions = tuple(a for a in plan if a.kind in _REBUILT and a.branch in mine)
    pulls.execute(current, actions, planned, found)
    for action in actions:
        status(f"  #{action.number} {action.branch}: {action.reason}")
    return actions
