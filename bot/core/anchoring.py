"""The ledger anchored to git history: every change to a ledger on the default branch must be
an append by learnbot's ledger commit whose trailer names the ledger head after it (#18).

A ledger that only verifies against itself can be rewritten wholesale (entries deleted,
approvers changed, every hash recomputed) and still verify. History pins it: each commit that
changed the file is judged on its own diff, so the first rewritten line is named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core import ledger
from bot.model.ledger import LedgerChange
from bot.model.trailers import LEDGER as LEDGER_TRAILER

_HEAD = re.compile(r"\bhead ([0-9a-f]{64})\b")


@dataclass(frozen=True)
class Finding:
    """A change to a ledger that was not learnbot's append, with the line it broke."""

    sha: str
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sha[:12]}: {self.reason}"


def trailer_head(trailers: Mapping[str, tuple[str, ...]]) -> str | None:
    """The ledger head a ledger commit's trailer names (None without exactly one such trailer)."""
    values = trailers.get(LEDGER_TRAILER, ())
    if len(values) != 1:
        return None
    found = _HEAD.search(values[0])
    return found.group(1) if found else None


def check(changes: Sequence[LedgerChange], *, author_email: str) -> list[Finding]:
    """Every change that is not learnbot's append, oldest first."""
    return [f for f in (_judge(c, author_email) for c in changes) if f is not None]


def _judge(change: LedgerChange, author_email: str) -> Finding | None:
    def finding(line: int, reason: str) -> Finding:
        return Finding(change.sha, change.path, line, reason)

    if change.after == change.before:  # created empty, or only its mode changed
        return None
    if not change.after.startswith(change.before):
        rewritten = ledger.verify(change.after, committed=change.before).problem
        line = rewritten.line if rewritten else 1
        return finding(line, "rewrites history: a ledger commit may only append")
    first_new = change.before.count(b"\n") + 1
    if change.author_email.lower() != author_email.lower():
        return finding(first_new, f"appended by {change.author_email}, not by learnbot")
    head = trailer_head(change.trailers)
    if head is None:
        return finding(first_new, f"appended without one {LEDGER_TRAILER} trailer naming its head")
    verified = ledger.verify_appended(change.before, change.after)
    if verified.problem is not None:
        return finding(verified.problem.line, verified.problem.reason)
    if verified.tail.sha256 != head:
        ends = verified.tail.sha256[:16]
        return finding(first_new, f"the trailer names head {head[:16]}, the ledger ends at {ends}")
    return None
