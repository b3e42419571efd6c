"""The watch after a promotion: which promotions are watched, and the verdict on their metrics."""

from __future__ import annotations

from typing import Any

import numpy as np

from bot.core import watch
from bot.core.learners.configs import RolloutLearnerConfig
from bot.model import Sample, format_time, parse_time
from bot.model.entries import Promotion, Seal
from tests import builders

AT = "2026-02-01T00:00:00Z"


def promotion(seq: int, at: str = AT, **values: Any) -> Promotion:
    return builders.promotion(
        f"c{seq}",
        parent=f"p{seq}",
        at=at,
        values=values or {"ranker.boost": {"from": 1.5, "to": 2.0}},
        seal=Seal(seq, "0" * 64, "0" * 64),
    )


def control(start: int, n: int, *, quality: float, seed: int, arm: str = "control") -> list[Sample]:
    rng = np.random.default_rng(seed)
    return [
        Sample(
            start + 600 * i,
            arm,
            {"quality": quality + rng.normal(0, 0.03), "latency_ms": 200 + rng.normal(0, 10)},
        )
        for i in range(n)
    ]


def test_only_promotions_of_active_values_within_the_period_are_watched() -> None:
    now = parse_time(AT) + 86400
    entries = [
        promotion(1),
        promotion(2, **{"ranker.candidate.percent": {"from": 10, "to": 50}}),
        promotion(3, at="2026-01-01T00:00:00Z"),
        promotion(4, at="2026-02-03T00:00:00Z"),
        promotion(5, **{"a.x": {"from": 1, "to": 2}, "b.y": {"from": 1, "to": 2}}),
        promotion(6),
        builders.rollback("r7", "c6", seal=Seal(7, "0" * 64, "0" * 64)),
    ]
    found = watch.under_watch(entries, now=now, days=7)
    assert [(e.commit, p) for e, p in found] == [("c1", "ranker"), ("c5", "a"), ("c5", "b")]
    assert watch.under_watch(entries, now=now, days=0) == []


def test_worse_after_the_merge_is_a_regression() -> None:
    at = parse_time(AT)
    samples = control(at - 86400, 60, quality=0.8, seed=1) + control(
        at + 60, 60, quality=0.7, seed=2
    )
    found = watch.judge(promotion(1), "ranker", samples, RolloutLearnerConfig())
    assert found.verdict == "regressed"
    assert found.reason.startswith("worse after the merge: quality -1")
    assert (found.before, found.after) == (60, 60)
    assert found.as_dict()["samples"] == {"before": 60, "after": 60}
    assert found.as_dict()["seq"] == 1 and found.as_dict()["commit"] == "c1"


def test_same_or_better_holds_and_candidate_samples_do_not_count() -> None:
    at = parse_time(AT)
    samples = (
        control(at - 86400, 60, quality=0.8, seed=3)
        + control(at + 60, 60, quality=0.82, seed=4)
        + control(at + 60, 60, quality=0.1, seed=5, arm="candidate")
    )
    found = watch.judge(promotion(1), "ranker", samples, RolloutLearnerConfig())
    assert (found.verdict, found.reason) == ("holding", "no significant regression")


def test_too_few_samples_keeps_watching_and_old_samples_are_outside_the_span() -> None:
    at = parse_time(AT)
    old = control(at - 30 * 86400, 60, quality=0.9, seed=6)
    samples = old + control(at + 60, 60, quality=0.5, seed=7)
    found = watch.judge(promotion(1), "ranker", samples, RolloutLearnerConfig())
    assert found.verdict == "watching" and found.before == 0
    assert "too few samples yet" in found.reason
    assert format_time(at) == AT
