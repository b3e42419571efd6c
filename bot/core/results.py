"""The outcome of one case: its verdict at once, its evidence when first read.

A backtest decides every case but reads the evidence (measured conditions, signals, reasons)
of few: the failures it analyses and the reports it renders. The batched evaluator returns
`Pending` results, which hold a reference to the batch's columns and build their evidence
from them on first access; they equal, and behave as, the `Result` with that evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple, Protocol

from bot.core.conditions import Measured

HIT, MISS, ABSTAIN, ERROR, UNKNOWN = "HIT", "MISS", "ABSTAIN", "ERROR", "UNKNOWN"
HIGH, MED, LOW = "HIGH", "MED", "LOW"


@dataclass(frozen=True)
class Result:
    """The outcome of one case under one set of parameters."""

    case_id: str
    status: str
    score: float
    confidence: str
    fired: bool = False
    expect: str = "fire"
    triggers: tuple[Measured, ...] = ()
    falsifiers: tuple[Measured, ...] = ()
    signals: int = 0
    min_signals: int = 0
    excluded_synthetic: int = 0
    integrity: Mapping[str, float] = field(default_factory=dict)
    abstain_reasons: tuple[str, ...] = ()
    window: tuple[int, int] = (0, 0)
    error: str | None = None
    missing: str = ""  # UNKNOWN: what the snapshot lacks

    @property
    def passed(self) -> bool:
        return self.status == HIT

    @property
    def failed(self) -> bool:
        """A failure to analyse: MISS, or ABSTAIN with HIGH confidence (000)."""
        return self.status == MISS or (self.status == ABSTAIN and self.confidence == HIGH)

    def outcome(self) -> tuple[str, float, str]:
        """What stabilization compares across runs."""
        return (self.status, round(self.score, 6), self.confidence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "status": self.status,
            "score": self.score,
            "confidence": self.confidence,
            "fired": self.fired,
            "expect": self.expect,
            "triggers": [m.as_dict() for m in self.triggers],
            "falsifiers": [m.as_dict() for m in self.falsifiers],
            "signals": {
                "count": self.signals,
                "min": self.min_signals,
                "excluded_synthetic": self.excluded_synthetic,
            },
            "integrity": dict(self.integrity),
            "abstain_reasons": list(self.abstain_reasons),
            "window": {"start": self.window[0], "end": self.window[1]},
            "error": self.error,
            "missing": self.missing,
        }


class Evidence(NamedTuple):
    """A result's fields after its verdict, in `Result`'s order."""

    triggers: tuple[Measured, ...]
    falsifiers: tuple[Measured, ...]
    signals: int
    min_signals: int
    excluded_synthetic: int
    integrity: Mapping[str, float]
    abstain_reasons: tuple[str, ...]
    window: tuple[int, int]
    error: str | None
    missing: str


class Source(Protocol):
    """Columns the evidence of a batch's results is built from."""

    def evidence(self, at: int) -> Evidence: ...

    def window(self, at: int) -> tuple[int, int]: ...  # without building the rest


_UNSET = object()
_VERDICT = ("case_id", "status", "score", "confidence", "fired", "expect")
Verdict = tuple[str, str, float, str, bool, str]


class _Field:
    """An evidence field of a pending result: built from its source on first read."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, result: Pending | None, owner: type | None = None) -> Any:
        if result is None:
            return self
        found = result.__dict__.get(self.name, _UNSET)
        if found is _UNSET:
            source, at = result.__dict__.pop("_source")
            result.__dict__.update(source.evidence(at)._asdict())
            found = result.__dict__[self.name]
        return found

    def __set__(self, result: Pending, value: Any) -> None:
        result.__dict__[self.name] = value  # Result's __init__, as dataclasses.replace calls it


class _WindowField(_Field):
    """The window: read for every replayed case by the cost model, so read on its own."""

    def __get__(self, result: Pending | None, owner: type | None = None) -> Any:
        if result is None:
            return self
        found = result.__dict__.get(self.name, _UNSET)
        if found is _UNSET:
            source, at = result.__dict__["_source"]
            found = result.__dict__[self.name] = source.window(at)
        return found


class Pending(Result):
    """A result whose evidence is built from the batch's columns when first read."""

    @classmethod
    def of(cls, verdict: Verdict, source: Source, at: int) -> Pending:
        """The result of the batch's case `at`: its verdict now, `source.evidence(at)` later."""
        result = object.__new__(cls)
        result.__dict__.update(zip(_VERDICT, verdict, strict=True), _source=(source, at))
        return result

    @classmethod
    def many(cls, verdicts: Iterable[Verdict], source: Source) -> tuple[Pending, ...]:
        """`of` for every verdict of a batch, in order (the batch's case `at` is the at-th)."""
        found = []
        new = object.__new__
        for at, (case_id, status, score, confidence, fired, expect) in enumerate(verdicts):
            result = new(cls)
            fields_ = result.__dict__
            fields_["case_id"] = case_id
            fields_["status"] = status
            fields_["score"] = score
            fields_["confidence"] = confidence
            fields_["fired"] = fired
            fields_["expect"] = expect
            fields_["_source"] = (source, at)
            found.append(result)
        return tuple(found)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return _values(self) == _values(other)

    __hash__ = None  # type: ignore[assignment]  # as Result's: its integrity is a dict

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(Result))
        return f"Result({shown})"


for _name in Evidence._fields:
    setattr(Pending, _name, _WindowField(_name) if _name == "window" else _Field(_name))


def _values(result: Result) -> tuple[Any, ...]:
    return tuple(getattr(result, f.name) for f in fields(Result))
