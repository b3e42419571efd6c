"""What the ledger says happened: promotions, rollbacks, rejections, manual changes.

Entry types (each written once per subject commit or pull request):
- promotion: a merged proposal (commit = the merge commit);
- rollback: a revert of a promotion (commit = the revert; `reverted` = the promotion's commit);
- rejection: a learnbot pull request a person closed unmerged;
- labels: a merged labels pull request (new labeled examples);
- manual_change: any other change of learned state on the default branch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.model.entries import MANUAL, PROMOTION, ROLLBACK


@dataclass(frozen=True)
class History:
    """Ledger entries, oldest first."""

    entries: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def of(cls, entries: Iterable[Mapping[str, Any]]) -> History:
        return cls(tuple(entries))

    def key(self, entry: Mapping[str, Any]) -> tuple[str, str]:
        """What makes an entry unique: re-running a command never appends it twice."""
        subject = entry.get("commit") or f"pr#{entry.get('pr')}"
        return (str(entry["type"]), str(subject))

    def recorded(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.key(e) for e in self.entries)

    def known_bad(self) -> dict[str, str]:
        """Proposals promoted and then rolled back: never proposed again on that evidence."""
        return {
            str(e["proposal_id"]): f"known-bad: rolled back in ledger entry {e['seq']}"
            for e in self.entries
            if e["type"] == ROLLBACK and e.get("proposal_id")
        }

    def promotion_of(self, commit: str) -> Mapping[str, Any] | None:
        """The promotion recorded for a merge commit (or a proposal's head commit)."""
        for entry in self.entries:
            if entry["type"] == PROMOTION and commit in (entry.get("commit"), entry.get("head")):
                return entry
        return None

    def recent(self, types: Iterable[str], count: int) -> list[Mapping[str, Any]]:
        wanted = set(types)
        return [e for e in self.entries if e["type"] in wanted][-count:][::-1]

    def trend(self, count: int) -> list[tuple[str, float]]:
        """(time, pass rate on the default branch) after each recorded change, oldest first."""
        points = [
            (str(e.get("at", "")), float(e["pass_rate"])) for e in self.entries if "pass_rate" in e
        ]
        return points[-count:]

    def unbumped(self) -> list[Mapping[str, Any]]:
        """Manual policy changes that did not bump the version (flagged on the dashboard)."""
        return [e for e in self.entries if e["type"] == MANUAL and e.get("unbumped")]

    def of_type(self, type_: str) -> list[Mapping[str, Any]]:
        return [e for e in self.entries if e["type"] == type_]
