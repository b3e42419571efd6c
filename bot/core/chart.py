"""The data of a proposal's chart: measured values of the source case and its neighbours (#16).

A reviewer sees at a glance where the old and the new threshold cut the cases that read the
changed parameter. Pure and deterministic: neighbours are the cases whose measured value is
nearest the source case's, ties broken by case id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.evaluate import Result
from bot.model.proposal import Change

NEIGHBOURS = 9


@dataclass(frozen=True)
class ThresholdChart:
    """Measured values per case (ascending) against a parameter's old and new value."""

    parameter: str
    old: float
    new: float
    source: str
    cases: tuple[str, ...]
    values: tuple[float, ...]

    @property
    def low(self) -> float:
        return min(0.0, *self.values, self.old, self.new)

    @property
    def high(self) -> float:
        top = max(*self.values, self.old, self.new)
        return top + (abs(top - self.low) * 0.1 or 1.0)


def threshold_chart(
    changes: Sequence[Change], results: Sequence[Result], source: str
) -> ThresholdChart | None:
    """The chart of the first numeric parameter change that the source case measures."""
    for change in changes:
        numeric = _number(change.old) is not None and _number(change.new) is not None
        if not numeric or not change.target.startswith("parameters."):
            continue
        measured = _measured(results, change.key)
        if source not in measured:
            continue
        chosen = _nearest(measured, source)
        ordered = sorted(chosen, key=lambda case: (measured[case], case))
        return ThresholdChart(
            parameter=change.key,
            old=float(change.old),  # type: ignore[arg-type]
            new=float(change.new),  # type: ignore[arg-type]
            source=source,
            cases=tuple(ordered),
            values=tuple(measured[case] for case in ordered),
        )
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _measured(results: Sequence[Result], ref: str) -> dict[str, float]:
    """Each case's first measured value compared with `ref` (cases measuring nothing left out)."""
    found: dict[str, float] = {}
    for result in results:
        for measured in (*result.triggers, *result.falsifiers):
            value = measured.value
            if measured.ref != ref or value is None or not math.isfinite(value):
                continue
            if result.case_id not in found:
                found[result.case_id] = float(value)
    return found


def _nearest(measured: dict[str, float], source: str) -> list[str]:
    others = sorted(
        (case for case in measured if case != source),
        key=lambda case: (abs(measured[case] - measured[source]), case),
    )
    return [source, *others[:NEIGHBOURS]]
