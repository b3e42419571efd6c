"""A trigger or falsifier as measured: value against threshold, and the evidence behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

COMPARE_DIGITS = 9  # values are rounded before comparison: exactly at the threshold is exact


@dataclass(frozen=True)
class Measured:
    """One condition's outcome: value vs threshold, and the evidence behind it."""

    name: str
    kind: str
    ref: str
    op: str
    threshold: float
    value: float | None
    met: bool
    matched: int
    detail: tuple[tuple[str, Any], ...] = ()

    @property
    def margin(self) -> float:
        """Relative distance from the threshold (inf when there was nothing to measure)."""
        if self.value is None:
            return math.inf
        return abs(self.value - self.threshold) / max(abs(self.threshold), 1e-9)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "parameter": self.ref,
            "op": self.op,
            "threshold": self.threshold,
            "value": self.value,
            "met": self.met,
            "matched_events": self.matched,
            **dict(self.detail),
        }


def compare(value: float | None, op: str, threshold: float) -> bool:
    """`value op threshold` after rounding both; no value never meets a condition."""
    if value is None:
        return False
    a, b = round(value, COMPARE_DIGITS), round(threshold, COMPARE_DIGITS)
    if op == ">=":
        return a >= b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a < b  # "<": the case schema allows only these four
