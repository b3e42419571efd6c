"""`learnbot loop --dry-run`: exactly what `learnbot run` would do, with nothing written.

It plans the default branch read from origin, as `run` does, against the forge's pull
requests: the limits, the proposals waiting for a parameter, the known-bad and rejected
ones, and the invalid files that were left out, each listed. When the working tree holds
learned state the default branch does not, it says so. Without an origin it plans the
working tree (there is no default branch to describe).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.commands import learncache, learners, planning, runplan, shards
from bot.commands.evaluation import evaluate, local_history
from bot.commands.output import print_json, status, table
from bot.commands.workspace import Workspace, open_workspace, worktree_differs
from bot.config import Settings
from bot.core import reconcile
from bot.edges.gitrepo import Clone
from bot.errors import EXIT_INVALID, EXIT_OK, ConfigError, GitError

_VERBS = {
    reconcile.OPEN: "opened",
    reconcile.UPDATE: "updated",
    reconcile.CLOSE: "closed",
}


def run_loop(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    dry_run: bool,
    shard: shards.Shard | None = None,
    out: Path | None = None,
) -> int:
    """Print the plan of the next `run`; write nothing (or one shard's findings into `out`)."""
    if shard is not None or out is not None:
        return _run_shard(settings, environ, shard=shard, out=out)
    if not dry_run:
        raise ConfigError("loop only plans: pass --dry-run (learnbot run opens the pull requests)")
    if not _has_origin(settings):
        return _plan_worktree(settings)
    with open_workspace(settings, environ) as workspace:
        prepared = runplan.prepare(settings, workspace, progress=False)
        differs = worktree_differs(workspace)
        if settings.as_json:
            print_json(_as_json(workspace, prepared, differs))
        else:
            sys.stdout.write(_as_text(workspace, prepared, differs))
    return EXIT_INVALID if prepared.problems else EXIT_OK


def _run_shard(
    settings: Settings, environ: Mapping[str, str], *, shard: shards.Shard | None, out: Path | None
) -> int:
    """Learn one shard's subjects on the default branch and write what was found into `out`."""
    if shard is None or out is None:
        raise ConfigError("loop --shard I/N and --out DIR go together")
    with open_workspace(settings, environ) as workspace:
        evaluated = workspace.evaluated
        learned = learncache.learn(settings, workspace, owns=shards.owns(shard, evaluated))
        path = shards.write(out, shard, workspace.base, learned)
    proposed = sum(1 for step in learned.steps if step.outcome and step.outcome.proposal)
    status(
        f"shard {shard.index}/{shard.count} at {workspace.base[:12]}: {len(learned.steps)} "
        f"subjects learned, {proposed} proposals; written to {path}"
    )
    problems = [*evaluated.problems, *learned.problems]
    return EXIT_INVALID if problems else EXIT_OK


def _has_origin(settings: Settings) -> bool:
    try:
        clone = Clone(settings.repo)
    except GitError:
        return False
    if not any(remote.name == "origin" for remote in clone.repo.remotes):
        return False
    try:
        return clone.remote_sha(clone.default_branch()) is not None
    except GitError:  # nothing pushed yet: there is no default branch to describe
        return False


def _rows(prepared: runplan.Prepared) -> list[tuple[str, str, str, str]]:
    rows = []
    for action in prepared.plan:
        item = prepared.planned.get(action.branch)
        change = "; ".join(c.describe() for c in item.proposal.changes) if item else ""
        what = action.reason if action.kind not in (reconcile.OPEN, reconcile.UPDATE) else change
        rows.append(
            (action.subject, action.kind, f"#{action.number}" if action.number else "", what)
        )
    for outcome in prepared.outcomes:
        if outcome.proposal is None:
            rows.append((outcome.subject, "none", "", outcome.reason))
    return rows


def _counts(plan: Sequence[reconcile.Action]) -> str:
    done = [f"{sum(a.kind == k for a in plan)} {verb}" for k, verb in _VERBS.items()]
    return f"pull requests that would be opened, updated, closed: {', '.join(done)}"


def _as_text(workspace: Workspace, prepared: runplan.Prepared, differs: list[str]) -> str:
    lines = [
        f"plan for {workspace.default} at {workspace.base[:12]} (what `learnbot run` would do)"
    ]
    if differs:
        lines.append(
            f"note: the working tree differs from {workspace.default} in {', '.join(differs)}: "
            f"this plan describes {workspace.default} on origin, not the working tree"
        )
    lines += ["", table(("subject", "action", "pr", "change (or why)"), _rows(prepared)), ""]
    if prepared.problems:
        lines.append("invalid files (left out of the plan, as run leaves them out):")
        lines += [f"  {problem}" for problem in prepared.problems]
        lines.append("")
    lines.append(f"{_counts(prepared.plan)}; nothing was written")
    return "\n".join(lines) + "\n"


def _as_json(
    workspace: Workspace, prepared: runplan.Prepared, differs: list[str]
) -> dict[str, Any]:
    return {
        "revision": workspace.base,
        "default_branch": workspace.default,
        "working_tree_differs": differs,
        "actions": [a.__dict__ for a in prepared.plan],
        "pull_requests": [o.as_dict() for o in prepared.outcomes],
        "problems": [str(p) for p in prepared.problems],
    }


def _plan_worktree(settings: Settings) -> int:
    """No origin: the proposals for the working tree, without a forge to reconcile with."""
    evaluated = evaluate(settings)
    history, read_at = local_history(settings, evaluated)
    outcomes = learners.learn(evaluated, history, read_at).outcomes
    lines = [planning.summary(o) for o in outcomes]
    if settings.as_json:
        print_json(
            {"revision": evaluated.revision, "pull_requests": [o.as_dict() for o in outcomes]}
        )
    else:
        rows = [(x["subject"], x["gate"], "; ".join(x["changes"]) or x["reason"]) for x in lines]
        sys.stdout.write("no default branch on origin: planning the working tree\n\n")
        sys.stdout.write(table(("subject", "proposal", "change (or why none)"), rows) + "\n")
        opened = sum(1 for x in lines if x["proposal_id"])
        for problem in evaluated.problems:
            sys.stdout.write(f"invalid (left out): {problem}\n")
        sys.stdout.write(f"{opened} pull request(s) would be opened; nothing was written\n")
    return EXIT_OK
