"""What the ledger says happened: promotions, rollbacks, rejections, manual changes.

Entry types (each written once per subject commit or pull request):
- promotion: a merged proposal (commit = the merge commit);
- rollback: a revert of a promotion (commit = the revert; `reverted` = the promotion's commit);
- rejection: a learnbot pull request a person closed unmerged;
- labels: a merged labels pull request (new labeled examples);
- manual_change: any other change of learned state on the default branch;
- tamper: a change to a ledger that was not learnbot's append.

The ledger's lines are read into typed entries once (`History.read`); a line that is none
of the kinds exactly stays an `Unknown` with its dict, which no question below counts but
which keeps its place in the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.model.entries import (
    LabelsImport,
    ManualChange,
    Promotion,
    Recorded,
    Rejection,
    Rollback,
    Unknown,
    read,
    seq,
)

T = TypeVar("T")
# the kinds a commit on the default branch writes: each records the pass rate it left
COMMIT_KINDS = (Promotion, Rollback, ManualChange, LabelsImport)


def key(entry: Recorded) -> tuple[str, str]:
    """What makes an entry unique: re-running a command never appends it twice."""
    if isinstance(entry, Unknown):
        subject = entry.data.get("commit") or f"pr#{entry.data.get('pr')}"
    elif isinstance(entry, Rejection):
        subject = f"pr#{entry.pr}"
    else:
        subject = entry.commit
    return (entry.type_, str(subject))


@dataclass(frozen=True)
class History:
    """Ledger entries, oldest first."""

    entries: tuple[Recorded, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[Recorded]) -> History:
        return cls(tuple(entries))

    @classmethod
    def read(cls, lines: Iterable[Mapping[str, Any]]) -> History:
        """The entries of a verified ledger's lines, typed."""
        return cls(tuple(read(line) for line in lines))

    def recorded(self) -> frozenset[tuple[str, str]]:
        return frozenset(key(e) for e in self.entries)

    def of_kind(self, kind: type[T]) -> list[T]:
        """The entries of one kind, oldest first."""
        return [e for e in self.entries if isinstance(e, kind)]

    def known_bad(self) -> dict[str, str]:
        """Proposals promoted and then rolled back: never proposed again on that evidence."""
        return {
            e.proposal_id: f"known-bad: rolled back in ledger entry {seq(e)}"
            for e in self.of_kind(Rollback)
            if e.proposal_id
        }

    def promotion_of(self, commit: str) -> Promotion | None:
        """The promotion recorded for a merge commit (or a proposal's head commit)."""
        for entry in self.of_kind(Promotion):
            if commit in (entry.commit, entry.head):
                return entry
        return None

    def recent_changes(self, count: int) -> list[Promotion | Rollback]:
        """The last `count` promotions and rollbacks, newest first."""
        return [e for e in self.entries if isinstance(e, (Promotion, Rollback))][-count:][::-1]

    def trend(self, count: int) -> list[tuple[str, float]]:
        """(time, pass rate on the default branch) after each recorded change, oldest first."""
        points = [(e.at, float(e.pass_rate)) for e in self.entries if isinstance(e, COMMIT_KINDS)]
        return points[-count:]

    def unbumped(self) -> list[ManualChange]:
        """Manual policy changes that did not bump the version (flagged on the dashboard)."""
        return [e for e in self.of_kind(ManualChange) if e.unbumped]
