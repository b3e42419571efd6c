"""A proposal (000, component 2): exactly one bounded change, and the edits it is made of."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Change:
    """One bounded edit of a policy: a parameter value, a registration switch or `as_of`."""

    policy: str
    target: str  # "parameters.<name>", "operators.<name>", "metrics.<name>", "as_of",
    # "candidate.<stage|percent|since>" or "candidate" (its removal: old is its digest)
    old: float | bool | str | None
    new: float | bool | str | None

    @property
    def key(self) -> str:
        """The lock key: one writer per key across open proposals."""
        kind, _, name = self.target.partition(".")
        return f"{self.policy}.{name}" if kind == "parameters" else f"{self.policy}.{self.target}"

    def describe(self) -> str:
        return f"{self.key}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@dataclass(frozen=True)
class Proposal:
    """What a pull request carries: the change, why, what it should do, how it was checked."""

    proposal_id: str
    created_at: str
    source_failure_id: str
    subject: str
    learner: str
    proposal_type: str
    change_description: str
    affected_components: tuple[str, ...]
    changes: tuple[Change, ...]
    versions: Mapping[str, tuple[int, int]]
    expected_delta: Mapping[str, Any]
    validation_plan: Mapping[str, Any]
    evidence_digest: str
    rent_manifest_draft: Mapping[str, Any] | None = None
    moves: tuple[tuple[str, str], ...] = field(default=())
    explanation: tuple[Mapping[str, str], ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        """What this proposal writes: one writer per key across open proposals."""
        return tuple(sorted({c.key for c in self.changes} | {src for src, _ in self.moves}))

    def title(self) -> str:
        """A conventional title: `learnbot(<policy>): <type> for <subject> (<changes>)` (#16)."""
        what = "; ".join(c.describe() for c in self.changes) or f"{len(self.moves)} skill file(s)"
        scope = ",".join(sorted({c.policy for c in self.changes})) or self.learner
        return (
            f"learnbot({scope}): {self.proposal_type.replace('_', ' ')} for {self.subject} ({what})"
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "proposal_id": self.proposal_id,
            "created_at": self.created_at,
            "source_failure_id": self.source_failure_id,
            "subject": self.subject,
            "learner": self.learner,
            "proposal_type": self.proposal_type,
            "change_description": self.change_description,
            "affected_components": list(self.affected_components),
            "changes": [dataclasses.asdict(c) for c in self.changes],
            "versions": {
                name: {"from": a, "to": b} for name, (a, b) in sorted(self.versions.items())
            },
            "expected_delta": dict(self.expected_delta),
            "validation_plan": dict(self.validation_plan),
            "evidence_digest": self.evidence_digest,
        }
        if self.rent_manifest_draft is not None:
            data["rent_manifest_draft"] = dict(self.rent_manifest_draft)
        if self.moves:
            data["moves"] = [{"from": a, "to": b} for a, b in self.moves]
        if self.explanation:
            data["explanation"] = [dict(row) for row in self.explanation]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Proposal:
        return cls(
            proposal_id=data["proposal_id"],
            created_at=data["created_at"],
            source_failure_id=data["source_failure_id"],
            subject=data["subject"],
            learner=data["learner"],
            proposal_type=data["proposal_type"],
            change_description=data["change_description"],
            affected_components=tuple(data["affected_components"]),
            changes=tuple(Change(**c) for c in data["changes"]),
            versions={k: (v["from"], v["to"]) for k, v in data["versions"].items()},
            expected_delta=dict(data["expected_delta"]),
            validation_plan=dict(data["validation_plan"]),
            evidence_digest=data["evidence_digest"],
            rent_manifest_draft=data.get("rent_manifest_draft"),
            moves=tuple((m["from"], m["to"]) for m in data.get("moves", ())),
            explanation=tuple(data.get("explanation", ())),
        )
