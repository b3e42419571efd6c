"""Rollouts as values (001, 004): a policy's candidate, its stage and the arms it is measured on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SHADOW, CANARY = "shadow", "canary"
CONTROL, CANDIDATE = "control", "candidate"
ARMS = (CONTROL, CANDIDATE)


@dataclass(frozen=True)
class Rollout:
    """A policy's `candidate:` block: the values under test, their stage and traffic share."""

    values: Mapping[str, float]
    stage: str
    percent: int
    since: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rollout:
        return cls(
            values={k: data["values"][k] for k in sorted(data["values"])},
            stage=data["stage"],
            percent=int(data["percent"]),
            since=data["since"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "values": dict(self.values),
            "stage": self.stage,
            "percent": self.percent,
            "since": self.since,
        }
