"""What a push to the default branch means for the ledger (the `promote` command's core).

Every commit on the default branch's first-parent chain since learnbot last recorded is one
of: learnbot's own ledger commit (skipped), a merged proposal (promotion), a revert of a
promotion (rollback), or any other change of learned state (manual change). Pull requests
a person closed unmerged are rejections. Entries are keyed by commit or pull request, so running
promote again appends nothing twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core import versions
from bot.core.history import History
from bot.core.scope import is_policy_file, policy_name
from bot.model.entries import (
    REJECTION,
    CommitEntry,
    Entry,
    LabelsImport,
    ManualChange,
    Promotion,
    Rejection,
    Rollback,
)
from bot.model.trailers import ProposalTrailers


@dataclass(frozen=True)
class Observed:
    """One commit on the default branch, as promote sees it."""

    sha: str
    at: str
    author: str
    subject: str
    proposal: ProposalTrailers | None  # the merged proposal's trailers, if any
    proposal_head: str | None = None
    reverts: str | None = None
    pr: int | None = None
    approvers: tuple[str, ...] = ()
    versions_before: Mapping[str, int] = field(default_factory=dict)
    versions_after: Mapping[str, int] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    pass_rate: float = 0.0
    gate: Mapping[str, Any] | None = None
    changes: tuple[str, ...] = ()
    parent: str | None = None
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    forced: tuple[str, ...] = ()  # what a forced merge skipped (from its merge commit)
    # post-merge verification of a promotion: (reasons it is not verified, cases it regressed)
    verification: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    labels: str | None = None  # a merged labels pull request's import id
    examples: int = 0


@dataclass(frozen=True)
class Closed:
    """A learnbot pull request a person closed without merging."""

    number: int
    head: str
    metadata: Mapping[str, Any]


@dataclass(frozen=True)
class Decision:
    """The entries to append and the versions the ledger commit must bump (forwarded)."""

    entries: tuple[Entry, ...]
    bumps: Mapping[str, int]

    def payloads(self) -> tuple[dict[str, Any], ...]:
        """The entries as the ledger holds them, ready to seal."""
        return tuple(entry.to_dict() for entry in self.entries)


def decide(
    commits: Sequence[Observed], closed: Sequence[Closed], history: History, *, at: str
) -> Decision:
    """Entries for everything not recorded yet, oldest commit first, then rejections.

    Every entry that changes a policy gets a version past all recorded ones (`versions`).
    """
    recorded = set(history.recorded())
    entries: list[Entry] = []
    bumps: dict[str, int] = {}
    seen = versions.highest(history.entries)
    known = history
    for commit in commits:
        entry = _entry(commit, known)
        if entry is None or (entry.type_, commit.sha) in recorded:
            continue
        names = versions.touched(commit.values, commit.versions_before, commit.versions_after)
        moved = versions.forward(
            names,
            before=commit.versions_before,
            after=commit.versions_after,
            seen=seen,
            bumps=bumps,
        )
        entry = dataclasses.replace(entry, versions=moved)
        entries.append(entry)
        known = History.of([*known.entries, entry])
    for pull in closed:
        if (REJECTION, f"pr#{pull.number}") in recorded:
            continue
        entries.append(_rejection(pull, at))
    return Decision(tuple(entries), bumps)


def _entry(commit: Observed, history: History) -> CommitEntry | None:
    if commit.proposal is not None:
        return _promotion(commit, commit.proposal)
    if commit.labels is not None:
        return _labels(commit)
    reverted = history.promotion_of(commit.reverts) if commit.reverts else None
    if reverted is not None:
        return _rollback(commit, reverted)
    if commit.changed:
        return _manual(commit)
    return None


def _values(commit: Observed) -> dict[str, dict[str, Any]]:
    return {key: dict(v) for key, v in sorted(commit.values.items())}


def _promotion(commit: Observed, trailers: ProposalTrailers) -> Promotion:
    reasons, regressed = commit.verification or (("not verified after the merge",), ())
    return Promotion(
        at=commit.at,
        commit=commit.sha,
        parent=commit.parent,
        head=commit.proposal_head,
        pr=commit.pr,
        proposal_id=trailers.proposal_id,
        failure_id=trailers.failure_id,
        subject=trailers.subject,
        learner=trailers.learner,
        proposal_type=trailers.proposal_type,
        report_sha256=trailers.report_sha256,
        approvers=commit.approvers,
        merged_by=commit.author,
        changes=commit.changes,
        values=_values(commit),
        gate=dict(commit.gate or {}),
        pass_rate=commit.pass_rate,
        reasons=reasons,
        regressions=regressed,
        forced=commit.forced,
    )


def _rollback(commit: Observed, promotion: Promotion) -> Rollback:
    return Rollback(
        at=commit.at,
        commit=commit.sha,
        reverted=promotion.commit,
        pr=promotion.pr,
        proposal_id=promotion.proposal_id,
        failure_id=promotion.failure_id,
        subject=promotion.subject,
        learner=promotion.learner,
        proposal_type=promotion.proposal_type,
        reverted_by=commit.author,
        values=_values(commit),
        pass_rate=commit.pass_rate,
    )


def _manual(commit: Observed) -> ManualChange:
    names = {policy_name(p) for p in commit.changed if is_policy_file(p)}
    unbumped = sorted(
        name
        for name in names
        if name in commit.versions_after
        and commit.versions_after[name] <= commit.versions_before.get(name, 0)
    )
    return ManualChange(
        at=commit.at,
        commit=commit.sha,
        author=commit.author,
        subject=commit.subject,
        files=commit.changed,
        values=_values(commit),
        unbumped=tuple(unbumped),
        pass_rate=commit.pass_rate,
    )


def _labels(commit: Observed) -> LabelsImport:
    """A merged labels pull request: new labeled examples reached the default branch."""
    return LabelsImport(
        at=commit.at,
        commit=commit.sha,
        parent=commit.parent,
        pr=commit.pr,
        labels=commit.labels or "",
        merged_by=commit.author,
        files=commit.changed,
        examples=commit.examples,
        pass_rate=commit.pass_rate,
    )


def _rejection(pull: Closed, at: str) -> Rejection:
    metadata = pull.metadata
    return Rejection(
        at=at,
        pr=pull.number,
        head=pull.head,
        proposal_id=metadata.get("proposal_id"),
        failure_id=metadata.get("failure_id"),
        subject=metadata.get("subject"),
        learner=metadata.get("learner"),
        proposal_type=metadata.get("type"),
    )
