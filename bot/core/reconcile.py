"""Desired proposals vs existing pull requests -> what to do, like Renovate, as plain values.

- same proposal on an open PR and its files unchanged: nothing (no writes);
- same subject, new proposal (evidence or base changed): update the branch and the PR;
- an open PR whose failure is fixed on the default branch (or whose case is gone): close it;
- a proposal a PR a person closed unmerged already made for the same evidence: never reopened
  (PRs learnbot closed itself as superseded do not count);
- one writer per key: a new proposal touching a key an open PR holds waits for it;
- limits on open PRs and new PRs per run: the rest is held back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KEEP, UPDATE, OPEN, CLOSE = "keep", "update", "open", "close"
BLOCKED, HELD, REJECTED, EDITED = "blocked", "held", "rejected", "edited"


@dataclass(frozen=True)
class Desired:
    """A pull request the learners want: one per subject (a case, or a learner's target)."""

    branch: str
    subject: str
    proposal_id: str
    failure_id: str
    content: str  # digest of the branch's files for this proposal on the current base
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Existing:
    """A learnbot pull request as found on the forge."""

    number: int
    branch: str
    state: str  # open | closed | merged
    proposal_id: str
    failure_id: str
    content: str
    keys: tuple[str, ...]
    edited_by_person: bool = False
    rejected: bool = False  # closed unmerged by a person, not superseded by learnbot


@dataclass(frozen=True)
class Action:
    kind: str
    branch: str
    subject: str
    number: int | None = None
    reason: str = ""


def reconcile(
    desired: Sequence[Desired],
    existing: Sequence[Existing],
    *,
    closing: Mapping[str, str],
    max_open: int,
    max_new: int,
) -> tuple[Action, ...]:
    """The actions of one run.

    `closing` maps a branch to why its open PR should close when nothing is desired for it
    (fixed on the default branch, no proposal passes any more, the subject is gone); open
    PRs on other branches are kept, so a subject that could not be evaluated loses nothing.
    """
    wanted = {d.branch: d for d in desired}
    open_prs = sorted((e for e in existing if e.state == "open"), key=lambda e: e.number)
    actions: list[Action] = []
    locks: dict[str, int] = {}
    open_count = 0
    for pr in open_prs:
        action = _existing(pr, wanted.get(pr.branch), closing)
        actions.append(action)
        if action.kind != CLOSE:
            open_count += 1
            for key in wanted[pr.branch].keys if pr.branch in wanted else pr.keys:
                locks.setdefault(key, pr.number)
    handled = {pr.branch for pr in open_prs}
    rejected = {e.failure_id: e.number for e in existing if e.rejected}
    rejected.update({e.proposal_id: e.number for e in existing if e.rejected})
    budget = max(0, min(max_new, max_open - open_count))
    for item in sorted(desired, key=lambda d: d.subject):
        if item.branch in handled:
            continue
        action = _new(item, rejected, locks, budget)
        if action.kind == OPEN:
            budget -= 1
            for key in item.keys:
                locks.setdefault(key, -1)
        actions.append(action)
    return tuple(actions)


def _existing(pr: Existing, want: Desired | None, closing: Mapping[str, str]) -> Action:
    if want is None:
        if pr.branch in closing:
            return Action(CLOSE, pr.branch, pr.branch, pr.number, closing[pr.branch])
        return Action(
            KEEP, pr.branch, pr.branch, pr.number, "kept: its subject was not evaluated this run"
        )
    subject = want.subject
    if pr.proposal_id == want.proposal_id and pr.content == want.content:
        return Action(KEEP, pr.branch, subject, pr.number, "up to date")
    if pr.edited_by_person:
        return Action(
            EDITED, pr.branch, subject, pr.number, "a person pushed to the branch: not overwritten"
        )
    return Action(UPDATE, pr.branch, subject, pr.number, "new evidence or base: branch rebuilt")


def _new(
    item: Desired, rejected: Mapping[str, int], locks: Mapping[str, int], budget: int
) -> Action:
    for identity in (item.proposal_id, item.failure_id):
        if identity in rejected:
            number = rejected[identity]
            return Action(
                REJECTED,
                item.branch,
                item.subject,
                number,
                f"closed unmerged in #{number}: not reopened",
            )
    held = [k for k in item.keys if k in locks]
    if held:
        holders = sorted({locks[k] for k in held})
        by = ", ".join(f"#{n}" if n > 0 else "a proposal opened this run" for n in holders)
        why = f"waiting for {by} (one writer per parameter: {', '.join(held)})"
        return Action(BLOCKED, item.branch, item.subject, None, why)
    if budget <= 0:
        return Action(HELD, item.branch, item.subject, None, "held back by the pull request limits")
    return Action(OPEN, item.branch, item.subject, None, "new proposal")
