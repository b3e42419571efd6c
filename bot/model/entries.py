"""The ledger's entries: what `promote` appends, one frozen value per kind.

Each kind is declared by its fields alone, in the order of the keys the ledger holds; a
field's metadata (`Key`) says what differs from a plain value: the key's name on disk, a
conversion (tuples are lists on disk), a key left out when empty, a value derived from the
other fields, and values that write their own keys in place (`versions`, the chain's `seal`).
Fields with `init=False` are written for readers of the file and never read back.
`to_dict` is what the ledger holds (the core seals it), and `from_dict(entry).to_dict()`
gives back the same JSON in the same key order, so a typed entry re-serialises to the very
bytes on disk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from typing import Any, Self

PROMOTION, ROLLBACK, REJECTION, MANUAL = "promotion", "rollback", "rejection", "manual_change"
LABELS = "labels"
TAMPER = "tamper"
ROLLED_BACK_NOTE = "known-bad: not proposed again for the same evidence"
REJECTED_NOTE = "closed without merging: not proposed again for the same evidence"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Key:
    """How one field is written to the ledger and read back."""

    name: str = ""  # the key on disk ("": the field's name)
    dump: Callable[[Any], Any] = _same
    load: Callable[[Any], Any] = _same
    omit_empty: bool = False  # an empty value is left out; an absent key reads as the default
    spliced: bool = False  # dump gives keys to merge in place; load reads the whole entry
    derive: Callable[[Any], Any] | None = None  # computed from the other fields, never read


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


def _key(found: Field[Any]) -> Key:
    key: Key = found.metadata.get("key", Key())
    return key


@dataclass(frozen=True)
class Fields:
    """`to_dict`/`from_dict` read off the dataclass fields and their `Key` metadata."""

    def __post_init__(self) -> None:
        for found in fields(self):
            derive = _key(found).derive
            if derive is not None:
                object.__setattr__(self, found.name, derive(self))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for found in fields(self):
            key, value = _key(found), getattr(self, found.name)
            if key.spliced:
                data.update(key.dump(value))
            elif value or not key.omit_empty:
                data[key.name or found.name] = key.dump(value)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The entry of a ledger line (KeyError for a field it lacks)."""
        loaded: dict[str, Any] = {}
        for found in fields(cls):
            key = _key(found)
            name = key.name or found.name
            if found.init and not (key.omit_empty and name not in data):
                loaded[found.name] = key.load(data if key.spliced else data[name])
        return cls(**loaded)


def _nested(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: dict(found) for key, found in data.items()}


def _dump_seal(seal: Seal | None) -> dict[str, Any]:
    return seal.to_dict() if seal else {}


def _derived(derive: Callable[[Any], Any]) -> dict[str, Key]:
    """A value computed from the other fields (its default stands until `__post_init__`)."""
    return {"key": Key(derive=derive)}


# field metadata; a plain `field(...)` at each use, so that mypy reads the constructor
TYPE = {"key": Key(name="type")}  # the entry's `type`, one per kind (`type_`: not the builtin)
LISTED = {"key": Key(dump=list, load=tuple)}  # a tuple, a list on disk
LISTED_IF_ANY = {"key": Key(dump=list, load=tuple, omit_empty=True)}
VALUES = {"key": Key(dump=_nested, load=_nested)}  # per `policy.name`: {"from": .., "to": ..}
MAPPING = {"key": Key(dump=dict, load=dict)}
VERSIONS = {"key": Key(dump=Versions.to_dict, load=Versions.from_dict, spliced=True)}
SEAL = {"key": Key(dump=_dump_seal, load=Seal.from_dict, spliced=True)}


def _verified(entry: Promotion) -> bool:
    return not entry.reasons


@dataclass(frozen=True)
class Promotion(Fields):
    """A merged proposal: what changed, who approved and merged it, and whether the merge was
    verified by replaying the merged tree against the tree before it."""

    # what a forced merge skipped; the flags come first in the key order the ledger has
    forced: tuple[str, ...] = field(default=(), kw_only=True, metadata=LISTED_IF_ANY)
    verified: bool = field(default=True, init=False, metadata=_derived(_verified))
    # why it is not verified (none: verified)
    reasons: tuple[str, ...] = field(default=(), kw_only=True, metadata=LISTED)
    regressions: tuple[str, ...] = field(default=(), kw_only=True, metadata=LISTED)
    type_: str = field(default=PROMOTION, init=False, metadata=TYPE)
    at: str
    commit: str
    parent: str | None
    head: str | None
    pr: int | None
    proposal_id: str
    failure_id: str
    failure_status: str = field(default="resolved", init=False)
    subject: str
    learner: str
    proposal_type: str
    report_sha256: str
    approvers: tuple[str, ...] = field(metadata=LISTED)
    merged_by: str
    changes: tuple[str, ...] = field(metadata=LISTED)
    values: Mapping[str, Mapping[str, Any]] = field(metadata=VALUES)
    gate: Mapping[str, Any] = field(metadata=MAPPING)
    pass_rate: float
    versions: Versions = field(default_factory=Versions, metadata=VERSIONS)
    seal: Seal | None = field(default=None, metadata=SEAL)


@dataclass(frozen=True)
class Rollback(Fields):
    """A revert of a promotion: the failure is open again, the proposal known-bad."""

    type_: str = field(default=ROLLBACK, init=False, metadata=TYPE)
    at: str
    commit: str
    reverted: str
    pr: int | None
    proposal_id: str | None
    failure_id: str | None
    failure_status: str = field(default="reopened", init=False)
    subject: str | None
    learner: str | None
    proposal_type: str | None
    reverted_by: str
    values: Mapping[str, Mapping[str, Any]] = field(metadata=VALUES)
    pass_rate: float
    note: str = field(default=ROLLED_BACK_NOTE, init=False)
    versions: Versions = field(default_factory=Versions, metadata=VERSIONS)
    seal: Seal | None = field(default=None, metadata=SEAL)


@dataclass(frozen=True)
class ManualChange(Fields):
    """A change of learned state on the default branch that no proposal made."""

    type_: str = field(default=MANUAL, init=False, metadata=TYPE)
    at: str
    commit: str
    author: str
    subject: str
    files: tuple[str, ...] = field(metadata=LISTED)
    values: Mapping[str, Mapping[str, Any]] = field(metadata=VALUES)
    # policies whose values changed without a version bump
    unbumped: tuple[str, ...] = field(metadata=LISTED)
    pass_rate: float
    versions: Versions = field(default_factory=Versions, metadata=VERSIONS)
    seal: Seal | None = field(default=None, metadata=SEAL)


@dataclass(frozen=True)
class LabelsImport(Fields):
    """A merged labels pull request: new labeled examples reached the default branch."""

    type_: str = field(default=LABELS, init=False, metadata=TYPE)
    at: str
    commit: str
    parent: str | None
    pr: int | None
    labels: str
    merged_by: str
    files: tuple[str, ...] = field(metadata=LISTED)
    examples: int
    pass_rate: float
    versions: Versions = field(default_factory=Versions, metadata=VERSIONS)
    seal: Seal | None = field(default=None, metadata=SEAL)


@dataclass(frozen=True)
class Rejection(Fields):
    """A learnbot pull request a person closed without merging."""

    type_: str = field(default=REJECTION, init=False, metadata=TYPE)
    at: str
    pr: int
    head: str
    proposal_id: str | None
    failure_id: str | None
    subject: str | None
    learner: str | None
    proposal_type: str | None
    note: str = field(default=REJECTED_NOTE, init=False)
    seal: Seal | None = field(default=None, metadata=SEAL)


def _tamper_note(entry: Tamper) -> str:
    return f"{entry.file}:{entry.line} changed by {entry.commit[:12]}: {entry.reason}"


@dataclass(frozen=True)
class Tamper(Fields):
    """A change to a ledger on the default branch that was not learnbot's append (#18)."""

    type_: str = field(default=TAMPER, init=False, metadata=TYPE)
    at: str
    commit: str
    file: str
    line: int
    reason: str
    note: str = field(default="", init=False, metadata=_derived(_tamper_note))
    seal: Seal | None = field(default=None, metadata=SEAL)


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


@dataclass(frozen=True)
class Unknown:
    """A ledger line that is none of the kinds exactly (another kind, a field missing or
    another shape, a key the kind does not have): kept as its dict, never dropped or
    rewritten, since the ledger is append-only and hash-chained."""

    data: Mapping[str, Any]

    @property
    def type_(self) -> str:
        return str(self.data.get("type"))

    @property
    def seal(self) -> Seal | None:
        return Seal.from_dict(self.data)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


Recorded = Entry | Unknown


def read(data: Mapping[str, Any]) -> Recorded:
    """A ledger line as a typed entry when it re-serialises to the very same dict."""
    kind = KINDS.get(str(data.get("type")))
    try:
        found = kind(data) if kind else None
    except (KeyError, TypeError, ValueError, AttributeError):
        found = None
    return found if found is not None and found.to_dict() == data else Unknown(data)


def seq(entry: Recorded) -> int | None:
    """The entry's place in the chain (None until it is sealed)."""
    return entry.seal.seq if entry.seal else None
