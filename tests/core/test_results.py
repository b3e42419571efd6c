"""A pending result: its verdict at once, its evidence built once when first read."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.conditions import Measured
from bot.core.results import Evidence, Pending, Result

MEASURED = Measured("t", "count", "p.x", ">=", 3.0, 5.0, True, 5, (("metric", "x"),))
EVIDENCE = Evidence((MEASURED,), (), 7, 2, 1, {"synthetic_share": 0.0}, (), (10, 20), None, "")
VERDICT = ("c1", "HIT", 1.0, "HIGH", True, "fire")


class Columns:
    """A source that counts how often it is asked for evidence."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def evidence(self, at: int) -> Evidence:
        self.asked.append(at)
        return EVIDENCE

    def window(self, at: int) -> tuple[int, int]:
        return EVIDENCE.window


def _eager() -> Result:
    return Result(*VERDICT[:4], fired=True, expect="fire", **EVIDENCE._asdict())


def test_results_pending_builds_its_evidence_once_and_only_when_read() -> None:
    source = Columns()
    pending = Pending.of(VERDICT, source, 3)
    assert (pending.status, pending.score, pending.passed, pending.failed) == (
        "HIT",
        1.0,
        True,
        False,
    )
    assert source.asked == []
    assert pending.triggers == (MEASURED,)
    assert (pending.signals, pending.window, pending.falsifiers) == (7, (10, 20), ())
    assert source.asked == [3]


def test_results_pending_reads_its_window_without_building_its_evidence() -> None:
    """The cost model reads every replayed case's window and nothing else of its evidence."""
    source = Columns()
    pending = Pending.of(VERDICT, source, 3)
    assert pending.window == (10, 20) and source.asked == []
    assert pending.triggers == (MEASURED,) and source.asked == [3]
    assert pending == _eager() and hasattr(Pending, "window")


def test_results_pending_equals_the_result_with_its_evidence() -> None:
    pending, eager = Pending.of(VERDICT, Columns(), 0), _eager()
    assert pending == eager and eager == pending
    assert pending.as_dict() == eager.as_dict()
    assert repr(pending) == repr(eager)
    assert pending != Pending.of(("c1", "MISS", 0.0, "HIGH", False, "fire"), Columns(), 0)
    assert pending != "c1"
    with pytest.raises(TypeError):
        hash(pending)


def test_results_pending_is_replaced_and_frozen_like_a_result() -> None:
    pending = Pending.of(VERDICT, Columns(), 0)
    changed = dataclasses.replace(pending, status="MISS", score=0.0)
    assert changed == dataclasses.replace(_eager(), status="MISS", score=0.0)
    assert changed.triggers == (MEASURED,)
    assert dataclasses.is_dataclass(pending) and hasattr(Pending, "triggers")
    with pytest.raises(dataclasses.FrozenInstanceError):
        pending.status = "MISS"  # type: ignore[misc]
