"""The ledger's entries: what `promote` appends, one frozen value per kind.

`to_dict` is what the ledger holds (the core seals it), and `from_dict(entry).to_dict()`
gives back the same JSON, so a typed entry re-serialises to the very bytes on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PROMOTION, ROLLBACK, REJECTION, MANUAL = "promotion", "rollback", "rejection", "manual_change"
LABELS = "labels"
TAMPER = "tamper"
ROLLED_BACK_NOTE = "known-bad: not proposed again for the same evidence"
REJECTED_NOTE = "closed without merging: not proposed again for the same evidence"


@dataclass(frozen=True)
class Seal:
    """Where an entry sits in the chain: set when it is sealed, read back from the file."""

    seq: int
    prev: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "prev": self.prev, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Seal | None:
        if "sha256" not in data:
            return None
        return cls(seq=data["seq"], prev=data["prev"], sha256=data["sha256"])


@dataclass(frozen=True)
class Versions:
    """The policy versions a commit's entry records: (from, to) per policy, and those learnbot
    moved forward because the commit left them at or below a recorded version."""

    moves: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    forwarded: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "versions": {name: {"from": a, "to": b} for name, (a, b) in self.moves.items()}
        }
        if self.forwarded:
            found["forwarded"] = list(self.forwarded)
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Versions:
        moves = {name: (v["from"], v["to"]) for name, v in data.get("versions", {}).items()}
        return cls(moves, tuple(data.get("forwarded", ())))


def _values(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: dict(found) for key, found in data.items()}


@dataclass(frozen=True)
class Promotion:
    """A merged proposal: what changed, who approved and merged it, and whether the merge was
    verified by replaying the merged tree against the tree before it."""

    at: str
    commit: str
    parent: str | None
    head: str | None
    pr: int | None
    proposal_id: str
    failure_id: str
    subject: str
    learner: str
    proposal_type: str
    report_sha256: str
    approvers: tuple[str, ...]
    merged_by: str
    changes: tuple[str, ...]
    values: Mapping[str, Mapping[str, Any]]
    gate: Mapping[str, Any]
    pass_rate: float
    reasons: tuple[str, ...] = ()  # why it is not verified (none: verified)
    regressions: tuple[str, ...] = ()
    forced: tuple[str, ...] = ()  # what a forced merge skipped
    versions: Versions = field(default_factory=Versions)
    seal: Seal | None = None
    type_ = PROMOTION

    def to_dict(self) -> dict[str, Any]:
        return {
            **({"forced": list(self.forced)} if self.forced else {}),
            "verified": not self.reasons,
            "reasons": list(self.reasons),
            "regressions": list(self.regressions),
            "type": self.type_,
            "at": self.at,
            "commit": self.commit,
            "parent": self.parent,
            "head": self.head,
            "pr": self.pr,
            "proposal_id": self.proposal_id,
            "failure_id": self.failure_id,
            "failure_status": "resolved",
            "subject": self.subject,
            "learner": self.learner,
            "proposal_type": self.proposal_type,
            "report_sha256": self.report_sha256,
            "approvers": list(self.approvers),
            "merged_by": self.merged_by,
            "changes": list(self.changes),
            "values": _values(self.values),
            "gate": dict(self.gate),
            "pass_rate": self.pass_rate,
            **self.versions.to_dict(),
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Promotion:
        return cls(
            at=data["at"],
            commit=data["commit"],
            parent=data["parent"],
            head=data["head"],
            pr=data["pr"],
            proposal_id=data["proposal_id"],
            failure_id=data["failure_id"],
            subject=data["subject"],
            learner=data["learner"],
            proposal_type=data["proposal_type"],
            report_sha256=data["report_sha256"],
            approvers=tuple(data["approvers"]),
            merged_by=data["merged_by"],
            changes=tuple(data["changes"]),
            values=_values(data["values"]),
            gate=dict(data["gate"]),
            pass_rate=data["pass_rate"],
            reasons=tuple(data["reasons"]),
            regressions=tuple(data["regressions"]),
            forced=tuple(data.get("forced", ())),
            versions=Versions.from_dict(data),
            seal=Seal.from_dict(data),
        )


@dataclass(frozen=True)
class Rollback:
    """A revert of a promotion: the failure is open again, the proposal known-bad."""

    at: str
    commit: str
    reverted: str
    pr: int | None
    proposal_id: str | None
    failure_id: str | None
    subject: str | None
    learner: str | None
    proposal_type: str | None
    reverted_by: str
    values: Mapping[str, Mapping[str, Any]]
    pass_rate: float
    versions: Versions = field(default_factory=Versions)
    seal: Seal | None = None
    type_ = ROLLBACK

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_,
            "at": self.at,
            "commit": self.commit,
            "reverted": self.reverted,
            "pr": self.pr,
            "proposal_id": self.proposal_id,
            "failure_id": self.failure_id,
            "failure_status": "reopened",
            "subject": self.subject,
            "learner": self.learner,
            "proposal_type": self.proposal_type,
            "reverted_by": self.reverted_by,
            "values": _values(self.values),
            "pass_rate": self.pass_rate,
            "note": ROLLED_BACK_NOTE,
            **self.versions.to_dict(),
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rollback:
        return cls(
            at=data["at"],
            commit=data["commit"],
            reverted=data["reverted"],
            pr=data["pr"],
            proposal_id=data["proposal_id"],
            failure_id=data["failure_id"],
            subject=data["subject"],
            learner=data["learner"],
            proposal_type=data["proposal_type"],
            reverted_by=data["reverted_by"],
            values=_values(data["values"]),
            pass_rate=data["pass_rate"],
            versions=Versions.from_dict(data),
            seal=Seal.from_dict(data),
        )


@dataclass(frozen=True)
class ManualChange:
    """A change of learned state on the default branch that no proposal made."""

    at: str
    commit: str
    author: str
    subject: str
    files: tuple[str, ...]
    values: Mapping[str, Mapping[str, Any]]
    unbumped: tuple[str, ...]  # policies whose values changed without a version bump
    pass_rate: float
    versions: Versions = field(default_factory=Versions)
    seal: Seal | None = None
    type_ = MANUAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_,
            "at": self.at,
            "commit": self.commit,
            "author": self.author,
            "subject": self.subject,
            "files": list(self.files),
            "values": _values(self.values),
            "unbumped": list(self.unbumped),
            "pass_rate": self.pass_rate,
            **self.versions.to_dict(),
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ManualChange:
        return cls(
            at=data["at"],
            commit=data["commit"],
            author=data["author"],
            subject=data["subject"],
            files=tuple(data["files"]),
            values=_values(data["values"]),
            unbumped=tuple(data["unbumped"]),
            pass_rate=data["pass_rate"],
            versions=Versions.from_dict(data),
            seal=Seal.from_dict(data),
        )


@dataclass(frozen=True)
class LabelsImport:
    """A merged labels pull request: new labeled examples reached the default branch."""

    at: str
    commit: str
    parent: str | None
    pr: int | None
    labels: str
    merged_by: str
    files: tuple[str, ...]
    examples: int
    pass_rate: float
    versions: Versions = field(default_factory=Versions)
    seal: Seal | None = None
    type_ = LABELS

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_,
            "at": self.at,
            "commit": self.commit,
            "parent": self.parent,
            "pr": self.pr,
            "labels": self.labels,
            "merged_by": self.merged_by,
            "files": list(self.files),
            "examples": self.examples,
            "pass_rate": self.pass_rate,
            **self.versions.to_dict(),
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LabelsImport:
        return cls(
            at=data["at"],
            commit=data["commit"],
            parent=data["parent"],
            pr=data["pr"],
            labels=data["labels"],
            merged_by=data["merged_by"],
            files=tuple(data["files"]),
            examples=data["examples"],
            pass_rate=data["pass_rate"],
            versions=Versions.from_dict(data),
            seal=Seal.from_dict(data),
        )


@dataclass(frozen=True)
class Rejection:
    """A learnbot pull request a person closed without merging."""

    at: str
    pr: int
    head: str
    proposal_id: str | None
    failure_id: str | None
    subject: str | None
    learner: str | None
    proposal_type: str | None
    seal: Seal | None = None
    type_ = REJECTION

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_,
            "at": self.at,
            "pr": self.pr,
            "head": self.head,
            "proposal_id": self.proposal_id,
            "failure_id": self.failure_id,
            "subject": self.subject,
            "learner": self.learner,
            "proposal_type": self.proposal_type,
            "note": REJECTED_NOTE,
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rejection:
        return cls(
            at=data["at"],
            pr=data["pr"],
            head=data["head"],
            proposal_id=data["proposal_id"],
            failure_id=data["failure_id"],
            subject=data["subject"],
            learner=data["learner"],
            proposal_type=data["proposal_type"],
            seal=Seal.from_dict(data),
        )


@dataclass(frozen=True)
class Tamper:
    """A change to a ledger on the default branch that was not learnbot's append (#18)."""

    at: str
    commit: str
    file: str
    line: int
    reason: str
    seal: Seal | None = None
    type_ = TAMPER

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type_,
            "at": self.at,
            "commit": self.commit,
            "file": self.file,
            "line": self.line,
            "reason": self.reason,
            "note": f"{self.file}:{self.line} changed by {self.commit[:12]}: {self.reason}",
            **(self.seal.to_dict() if self.seal else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tamper:
        return cls(
            at=data["at"],
            commit=data["commit"],
            file=data["file"],
            line=data["line"],
            reason=data["reason"],
            seal=Seal.from_dict(data),
        )


Entry = Promotion | Rollback | ManualChange | LabelsImport | Rejection | Tamper
# a commit's entry: every kind but a rejection records the policy versions it leaves
CommitEntry = Promotion | Rollback | ManualChange | LabelsImport

KINDS: dict[str, Callable[[Mapping[str, Any]], Entry]] = {
    PROMOTION: Promotion.from_dict,
    ROLLBACK: Rollback.from_dict,
    MANUAL: ManualChange.from_dict,
    LABELS: LabelsImport.from_dict,
    REJECTION: Rejection.from_dict,
    TAMPER: Tamper.from_dict,
}


def entry_from_dict(data: Mapping[str, Any]) -> Entry:
    """The typed entry of a ledger line (KeyError for a type or field it lacks)."""
    return KINDS[data["type"]](data)
