"""Labeled examples and judge evaluations as values (001/002): what people and judges said."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.model.state import format_time, parse_time

SOURCES = ("approvals", "feedback", "gold", "review", "synthetic")


@dataclass(frozen=True)
class Verdict:
    """One judge's verdict on an item; `confidence` is a probability in [0, 1]."""

    verdict: str
    confidence: float
    at: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        at = data.get("at")
        return cls(str(data["verdict"]), float(data["confidence"]), parse_time(at) if at else None)

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"verdict": self.verdict, "confidence": self.confidence}
        if self.at is not None:
            found["at"] = format_time(self.at)
        return found


@dataclass(frozen=True)
class Example:
    """One labeled example: a feature snapshot and what a person (or gold set) said it is."""

    agent: str
    key: str
    payload: Mapping[str, Any]
    label: str
    source: str
    source_id: str
    confidence: int
    at: int
    notes: str = ""
    judges: Mapping[str, Verdict] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Example:
        return cls(
            agent=data["agent"],
            key=str(data["key"]),
            payload=dict(data["payload"]),
            label=str(data["label"]),
            source=data["source"],
            source_id=str(data["source_id"]),
            confidence=int(data["confidence"]),
            at=parse_time(data["at"]),
            notes=data.get("notes", ""),
            judges={k: Verdict.from_dict(v) for k, v in sorted(data.get("judges", {}).items())},
        )

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "agent": self.agent,
            "key": self.key,
            "payload": dict(self.payload),
            "label": self.label,
            "source": self.source,
            "source_id": self.source_id,
            "confidence": self.confidence,
            "notes": self.notes,
            "at": format_time(self.at),
        }
        if self.judges:
            found["judges"] = {k: v.as_dict() for k, v in sorted(self.judges.items())}
        return found


@dataclass(frozen=True)
class Evaluation:
    """A recent evaluation of an (unlabelled) item by several judges."""

    agent: str
    key: str
    payload: Mapping[str, Any]
    judges: Mapping[str, Verdict]
    at: int

    @classmethod
    def from_dict(cls, agent: str, data: Mapping[str, Any]) -> Evaluation:
        return cls(
            agent=agent,
            key=str(data["key"]),
            payload=dict(data.get("payload", {})),
            judges={k: Verdict.from_dict(v) for k, v in sorted(data["judges"].items())},
            at=parse_time(data["at"]),
        )
