"""The commit trailers learnbot writes and reads: every `Learnbot-...` key, built and parsed here.

A proposal's metadata travels in its commit's trailers (they work on every forge); the
ledger commit carries one trailer of its own, so `promote` knows where it left off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PROPOSAL = "Learnbot-Proposal"
FAILURE = "Learnbot-Failure"
REPORT = "Learnbot-Report-Sha256"
LEARNER = "Learnbot-Learner"
TYPE = "Learnbot-Type"
SUBJECT = "Learnbot-Subject"
CHANGE = "Learnbot-Change"
LEDGER = "Learnbot-Ledger"


@dataclass(frozen=True)
class ProposalTrailers:
    """What a proposal commit declares: which proposal, for what, by whom, changing which keys."""

    proposal_id: str
    failure_id: str = ""
    report_sha256: str = ""
    learner: str = ""
    proposal_type: str = ""
    subject: str = ""
    changes: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        """The trailer lines, in the order they are written."""
        return (
            f"{PROPOSAL}: {self.proposal_id}",
            f"{FAILURE}: {self.failure_id}",
            f"{REPORT}: {self.report_sha256}",
            f"{LEARNER}: {self.learner}",
            f"{TYPE}: {self.proposal_type}",
            f"{SUBJECT}: {self.subject}",
            *[f"{CHANGE}: {key}" for key in self.changes],
        )

    @classmethod
    def parse(cls, trailers: Mapping[str, Sequence[str]]) -> ProposalTrailers | None:
        """The proposal a commit's trailers declare, or None when they declare none."""
        if not trailers.get(PROPOSAL):
            return None

        def first(key: str) -> str:
            values = trailers.get(key, ())
            return values[0] if values else ""

        return cls(
            proposal_id=first(PROPOSAL),
            failure_id=first(FAILURE),
            report_sha256=first(REPORT),
            learner=first(LEARNER),
            proposal_type=first(TYPE),
            subject=first(SUBJECT),
            changes=tuple(trailers.get(CHANGE, ())),
        )


def parse(message: str) -> dict[str, tuple[str, ...]]:
    """`Key: value` lines of the last paragraph of a commit message, by key."""
    found: dict[str, list[str]] = {}
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return {}
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.replace("-", "").isalnum():
            found.setdefault(key, []).append(value.strip())
    return {key: tuple(values) for key, values in found.items()}


def ledger_line(count: int, base: str, head: str) -> str:
    """The trailer of learnbot's ledger commit: it names the ledger head after the commit, so
    `ledger verify --history` can tie the file to the commit that wrote it (#18)."""
    return f"{LEDGER}: {count} entries through {base}, head {head}"
