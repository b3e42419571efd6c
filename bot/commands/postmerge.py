"""Post-merge verification at the edges: the facts of a merge, and the revert pull requests.

The rules are in `bot.core.verification`; this module gathers what they judge (the branch
the merge came from, the check on its head, the replay) and opens the revert pull request
for every promotion the ledger records as `verified: false` and nobody rolled back yet.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from bot.commands import guard, reverts
from bot.commands.output import status
from bot.commands.review import Review
from bot.commands.workspace import Workspace
from bot.config import Settings
from bot.core import protection, verification
from bot.edges import actions, render
from bot.edges.forge import scoped_title
from bot.errors import GitError
from bot.model import Problem
from bot.model.entries import Promotion, Recorded, Rollback, seq


def verify_merge(
    workspace: Workspace, review: Review | None, *, parent: str, tip: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(why the merge is not verified, the cases it regressed) for a merged proposal."""
    stale_since: str | None = None
    check_problems: tuple[str, ...] = ("the merged head is unknown: its check cannot be read",)
    if tip is not None:
        name = workspace.config.checks.name
        check = guard.check_seen(workspace.forge, tip, name)
        moved = _moved_since_check(workspace, check, parent)
        check_problems = protection.problems(check, name=name, head=tip, stale=moved)
        try:
            # a passed check replayed on this very learned state vouches for the combination
            vouched = check is not None and check.success and bool(check.base) and not moved
            stale_since = None if vouched else _stale_since(workspace, parent, tip)
        except GitError:  # e.g. a squash merge whose branch was deleted before promote ran
            check_problems += (f"the merged head {tip[:12]} is gone: its base cannot be compared",)
    merged = verification.Merged(
        stale_since=stale_since,
        check_problems=check_problems,
        scope_problems=review.problems if review is not None else (),
        report=review.judged.as_dict() if review is not None and review.judged else None,
    )
    return verification.verify(merged), verification.regressions(merged.report)


def _stale_since(workspace: Workspace, parent: str, tip: str) -> str | None:
    base = workspace.clone.merge_base(parent, tip)
    return base if guard.learned_state_moved(workspace.clone, base, parent) else None


def _moved_since_check(
    workspace: Workspace, check: protection.CheckSeen | None, parent: str
) -> bool:
    """Whether the learned state changed between the base the check replayed on and `parent`."""
    if check is None or not check.base:
        return False
    try:
        return guard.learned_state_moved(workspace.clone, check.base, parent)
    except GitError:
        return True  # the base it ran on is gone: it cannot vouch for this state


def pending(entries: Sequence[Recorded]) -> list[Promotion]:
    """Unverified promotions nobody rolled back yet."""
    rolled = {e.reverted for e in entries if isinstance(e, Rollback)}
    return [
        e for e in entries if isinstance(e, Promotion) and not e.verified and e.commit not in rolled
    ]


def open_reverts(workspace: Workspace, entries: Sequence[Recorded], *, onto: str) -> dict[str, int]:
    """A revert pull request for each pending unverified promotion that has none (any state)."""
    requests = [_request(entry) for entry in pending(entries)]
    opened, notes = reverts.open_reverts(workspace, requests, onto=onto)
    for note in notes:
        status(note)
    return opened


def _request(entry: Promotion) -> reverts.Request:
    what = f"#{entry.pr}" if entry.pr else entry.commit[:12]
    subject = entry.subject or "-"
    scopes = {c.split(".", 1)[0] for c in entry.changes} or {"ledger"}
    return reverts.Request(
        entry=entry,
        title=scoped_title(scopes, f"revert the unverified promotion of {what} ({subject})"),
        reasons=entry.reasons,
        template="revert_unverified.md.j2",
        context={"regressions": list(entry.regressions)},
    )


def report_unverified(
    settings: Settings,
    workspace: Workspace,
    unverified: Sequence[Promotion],
    reverts: Mapping[str, int],
) -> None:
    """Fail visibly: one line (and annotation) per unverified promotion, and a step summary."""
    path = workspace.config.ledger
    problems = []
    lines = []
    for entry in unverified:
        what = f"#{entry.pr}" if entry.pr else entry.commit[:12]
        revert = reverts.get(entry.commit)
        opened = f"; revert pull request #{revert} opened" if revert else ""
        message = f"the promotion of {what} is not verified: {'; '.join(entry.reasons)}{opened}"
        problems.append(Problem(path, seq(entry) or 0, "", message))
        lines.append(f"- ledger entry {seq(entry)}: {message}")
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if not problems:
        return
    if settings.in_actions:
        actions.annotate(problems, sys.stdout)
    summary = "### Unverified promotions\n\n" + "\n".join(render.escape(x) for x in lines)
    actions.write_summary(settings.summary_path, summary + "\n")
