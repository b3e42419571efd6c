"""Learners: learned state + history in, bounded candidate changes out. One module per learner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.params import Change

# Ties between equally good candidates are broken in this fixed order, then by key and value.
TYPE_ORDER = (
    "threshold_adjustment",
    "window_extension",
    "integrity_filter",
    "tau_adjustment",
    "new_operator",
    "new_metric",
    "weight_adjustment",
    "weights_revert",
    "karma_update",
    "skill_lifecycle",
)


@dataclass(frozen=True)
class Candidate:
    """One bounded change a learner proposes, before it is replayed."""

    proposal_type: str
    changes: tuple[Change, ...]
    rationale: str
    impact: tuple[str, ...] = ()
    manifest: Mapping[str, Any] | None = None
    moves: tuple[tuple[str, str], ...] = field(default=())
    explanation: tuple[Mapping[str, str], ...] = field(default=())  # rows: what moved and why

    @property
    def keys(self) -> tuple[str, ...]:
        """Lock keys: what this candidate writes."""
        return tuple(sorted({c.key for c in self.changes} | {src for src, _ in self.moves}))

    def rank(self) -> tuple[int, str, str]:
        """The fixed tie-break order."""
        return (
            TYPE_ORDER.index(self.proposal_type),
            ",".join(self.keys),
            ",".join(str(c.new) for c in self.changes),
        )

    def describe(self) -> str:
        parts = [c.describe() for c in self.changes] + [f"{a} -> {b}" for a, b in self.moves]
        return f"{self.proposal_type}: {'; '.join(parts)}"


@dataclass(frozen=True)
class Dropped:
    """A candidate the rules produced but that cannot be proposed, and why."""

    description: str
    reason: str
