"""The review sampler: hand vectors for entropy and variance, the uncertainty score, the queue."""

from __future__ import annotations

import math

import pytest

from bot.core.learners import sampler
from bot.model import parse_time
from bot.model.labels import Evaluation, Verdict

NOW = parse_time("2026-01-20T00:00:00Z")
DAY = 86400


@pytest.mark.parametrize(
    ("shares", "judges_", "expected"),
    [
        ([0.5, 0.5], 2, 1.0),
        (
            [2 / 3, 1 / 3],
            3,
            (-(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)) / math.log2(3),
        ),
        ([1.0], 3, 0.0),
        ([1.0], 1, 0.0),
        ([0.25, 0.25, 0.25, 0.25], 4, 1.0),
    ],
)
def test_entropy_is_normalised(shares: list[float], judges_: int, expected: float) -> None:
    assert sampler.entropy(shares, judges_) == pytest.approx(expected)


def test_weighted_variance_hand_vectors() -> None:
    assert sampler.weighted_variance([0.2, 0.8], [1, 1]) == pytest.approx(0.09)
    assert sampler.weighted_variance([0.2, 0.8], [3, 1]) == pytest.approx(0.0675)
    assert sampler.weighted_variance([0.5], [1]) == 0.0


def test_score_picks_the_largest_method() -> None:
    split = {"a": Verdict("spam", 0.9), "b": Verdict("ham", 0.9)}
    assert sampler.score(split, {}) == (1.0, "disagreement")
    unsure = {"a": Verdict("spam", 0.3), "b": Verdict("spam", 0.4)}
    assert sampler.score(unsure, {}) == (pytest.approx(0.65), "low_confidence")
    spread = {"a": Verdict("spam", 0.95), "b": Verdict("spam", 0.25)}
    assert sampler.score(spread, {}) == (pytest.approx(0.49), "variance")
    # weights move the verdict shares: a trusted judge outweighs two weak ones
    weighted = {"a": Verdict("x", 0.9), "b": Verdict("y", 0.9), "c": Verdict("y", 0.9)}
    value, method = sampler.score(weighted, {"a": 0.8, "b": 0.1, "c": 0.1})
    shares = [0.8, 0.2]
    assert method == "disagreement"
    assert value == pytest.approx(round(-sum(p * math.log2(p) for p in shares) / math.log2(3), 6))


def test_sample_keeps_recent_unlabelled_top_n() -> None:
    def evaluation(key: str, days: float, a: str, b: str) -> Evaluation:
        at = NOW - int(days * DAY)
        verdicts = {"a": Verdict(a, 0.9), "b": Verdict(b, 0.9)}
        return Evaluation("triage", key, {"s": key}, verdicts, at)

    items = [
        evaluation("t1", 1, "x", "y"),
        evaluation("t2", 2, "x", "y"),
        evaluation("t3", 8, "x", "y"),  # too old
        evaluation("t4", 1, "x", "x"),  # nobody is unsure
        evaluation("t5", 1, "x", "y"),  # already labeled
    ]
    found = sampler.sample(items, {}, labeled={"t5"}, now=NOW, days=7, top=1)
    assert [(s.key, s.method) for s in found] == [("t1", "disagreement")]
    assert [s.key for s in sampler.sample(items, {}, labeled=(), now=NOW, top=10)] == [
        "t1",
        "t2",
        "t5",
    ]


def test_sample_judges_an_item_by_its_latest_evaluation() -> None:
    def evaluation(days: float, a: str, b: str) -> Evaluation:
        verdicts = {"a": Verdict(a, 0.9), "b": Verdict(b, 0.9)}
        return Evaluation("triage", "t", {}, verdicts, NOW - int(days * DAY))

    split, agreed = evaluation(1, "x", "y"), evaluation(3, "x", "x")
    for items in ([split, agreed], [agreed, split]):  # whatever the order they come in
        (found,) = sampler.sample(items, {}, labeled=(), now=NOW)
        assert (found.key, found.method) == ("t", "disagreement")
    settled = evaluation(0.5, "y", "y")
    assert sampler.sample([split, settled], {}, labeled=(), now=NOW) == []
    assert sampler.sample([settled, split], {}, labeled=(), now=NOW) == []
