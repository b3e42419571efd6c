"""Realised outcomes as values: closed positions, resolved forecasts (003), rollout metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.model.state import parse_time


@dataclass(frozen=True)
class Position:
    """A closed position, attributed back to the conviction that opened it."""

    id: str
    opened_at: int
    closed_at: int
    pnl: float
    scores: Mapping[str, float] = field(default_factory=dict)
    regime: str = ""
    producers: tuple[str, ...] = ()

    def order_problem(self) -> tuple[str, str] | None:
        """(JSON pointer, message) when it closed before it opened, else None."""
        if self.closed_at < self.opened_at:
            return "/closed_at", f"{self.id}: closed before it opened"
        return None

    def outcome(self, flat_band: float) -> int:
        """+1 for a gain, -1 for a loss, 0 when |pnl| < `flat_band` (flat: neither, 003)."""
        if abs(self.pnl) < flat_band:
            return 0
        return (self.pnl > 0) - (self.pnl < 0)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Position:
        return cls(
            id=data["id"],
            opened_at=parse_time(data["opened_at"]),
            closed_at=parse_time(data["closed_at"]),
            pnl=float(data["realized_pnl"]),
            scores={k: float(v) for k, v in sorted(data["domain_scores"].items())},
            regime=data["regime"],
            producers=tuple(data["producers"]),
        )


@dataclass(frozen=True)
class Forecast:
    """A producer's directional call and how it resolved."""

    id: str
    target: str
    producer: str
    direction: str
    confidence: float
    correct: bool
    regime: str
    resolved_at: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Forecast:
        return cls(
            id=data["id"],
            target=data["target"],
            producer=data["producer"],
            direction=data["direction"],
            confidence=float(data["confidence"]),
            correct=bool(data["direction_correct"]),
            regime=data["regime"],
            resolved_at=parse_time(data["resolved_at"]),
        )


@dataclass(frozen=True)
class RunMetrics:
    """One run's metrics: the terms of its composite run loss (004)."""

    run_id: str
    at: int
    terms: Mapping[str, float]
    component: str = ""
    line: int = 0  # where it is in its file, to name it in errors

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], line: int = 0) -> RunMetrics:
        return cls(
            run_id=data["run_id"],
            at=parse_time(data["at"]),
            terms={k: float(v) for k, v in sorted(data["metrics"].items())},
            component=data.get("component", ""),
            line=line,
        )


@dataclass(frozen=True)
class Sample:
    """One line of `cases/outcomes/rollouts/<policy>.jsonl`: an arm's metrics at a time."""

    ts: int
    arm: str
    metrics: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sample:
        metrics = {k: float(v) for k, v in sorted(data.items()) if k not in ("ts", "arm")}
        return cls(ts=parse_time(data["ts"]), arm=data["arm"], metrics=metrics)
