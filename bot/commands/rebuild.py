"""Right after a promotion: rebuild the open proposals whose evidence the merge changed.

A proposal branch cut before a merge that touched what it was derived from (its policy,
cases, snapshots, or the outcomes, labels and metrics a learner reads) is stale: merging it
would put a combination on the default branch that was never replayed. Rather than wait for
the next scheduled run, `promote` re-plans every open learnbot proposal on the commit it
just recorded, through the learner registry (whatever learner made it), and updates (or
closes as superseded) only those whose proposal or branch content changed. The others are
left alone: no rebase storms (DESIGN invariant 8).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.commands import learners, pulls
from bot.commands.evaluation import evaluate
from bot.commands.output import status
from bot.commands.runplan import closing_reasons, planned_pulls
from bot.commands.workspace import Workspace
from bot.core import reconcile, scope
from bot.core.history import History
from bot.core.learners.registry import LEARNERS
from bot.edges import inputs
from bot.edges.forge import OPEN, PullRequest
from bot.errors import GitError
from bot.model.entries import Recorded

_REBUILT = (reconcile.UPDATE, reconcile.CLOSE)
BACKTEST = "backtest"


def rebuild_open(
    workspace: Workspace, *, tip: str, entries: Sequence[Recorded]
) -> tuple[reconcile.Action, ...]:
    """Update or close the open learnbot proposals whose evidence changed at `tip`."""
    prefix = workspace.config.pull_requests.branch_prefix
    found = workspace.forge.pull_requests(prefix=prefix)
    stale = [p for p in found if p.state == OPEN and _stale(workspace, p, tip)]
    subjects = sorted(p.branch.removeprefix(prefix) for p in stale)
    if not subjects:
        return ()
    evaluated = evaluate(workspace.settings, rev=tip)
    current = dataclasses.replace(
        workspace, base=tip, evaluated=evaluated, history=History.of(entries)
    )
    learned = learners.learn(
        evaluated,
        current.history,
        workspace.clone.read_at,
        subjects=set(subjects),
    )
    planned = planned_pulls(workspace.settings, current, learned.outcomes)
    mine = [prefix + s for s in subjects]
    plan = reconcile.reconcile(
        [item.desired() for item in planned.values()],
        [pulls.existing(current, pr, planned) for pr in found],
        closing=closing_reasons(current, learned.outcomes, mine, learned.subjects),
        max_open=workspace.config.pull_requests.max_open,
        max_new=0,
    )
    actions = tuple(a for a in plan if a.kind in _REBUILT and a.branch in mine)
    pulls.execute(current, actions, planned, found)
    for action in actions:
        status(f"  #{action.number} {action.branch}: {action.reason}")
    return actions


def _stale(workspace: Workspace, pull: PullRequest, tip: str) -> bool:
    """Whether a change since the branch's base may have moved the proposal's evidence.

    A case proposal replays cases and snapshots under every policy they read, so any change
    of learned state may: it is re-planned, and kept when its replay and files are the same.
    Another learner's proposal reads its declared inputs and the policies it writes; it is
    re-planned only when one of those changed (its proposal can depend on the run's clock,
    and re-planning it at another time would rebuild it for nothing).
    """
    if not pull.metadata.get("proposal_id"):
        return False  # not a learner's proposal (a labels import): nothing to re-plan
    found = LEARNERS.get(str(pull.metadata.get("learner", "")))
    head = workspace.clone.remote_sha(pull.branch)
    if found is None or found.name == BACKTEST or head is None:
        return True
    try:
        base = workspace.clone.merge_base(head, tip)
    except GitError:
        return True
    changed = {p for _, old, new in workspace.clone.changed_files(base, tip) for p in (old, new)}
    keys = [str(k) for k in pull.metadata.get("keys", ())]
    written = [
        k if k.startswith(scope.POLICY_DIR) else scope.policy_path(k.split(".")[0]) for k in keys
    ]
    evidence = [*inputs.paths(workspace.config, found.inputs), *written]
    return any(p == e or (e.endswith("/") and p.startswith(e)) for p in changed for e in evidence)
