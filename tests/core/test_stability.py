"""Stability across seeds: 1 - std / |mean|, with the population standard deviation."""

from __future__ import annotations

import math

import pytest

from bot.core import stability


@pytest.mark.parametrize(
    ("values", "mean", "std", "score"),
    [
        ([0.5], 0.5, 0.0, 1.0),
        ([0.4, 0.6], 0.5, 0.1, 0.8),  # population std: divided by n, not n - 1
        ([2.0, 4.0, 6.0], 4.0, round(math.sqrt(8 / 3), 9), round(1 - math.sqrt(8 / 3) / 4, 9)),
        ([-0.4, -0.6], -0.5, 0.1, 0.8),  # the mean's size, not its sign
        ([0.0, 0.0], 0.0, 0.0, 1.0),  # no mean, no spread: stable
        ([-0.1, 0.1], 0.0, 0.1, 0.0),  # no mean, some spread: not
        ([0.1, 0.9, 0.1], round(1.1 / 3, 9), 0.377123617, -0.028518954),  # spread beyond the mean
    ],
)
def test_stability_spread_hand_vectors(
    values: list[float], mean: float, std: float, score: float
) -> None:
    found = stability.spread(values)
    assert found.values == tuple(values)
    assert (found.mean, found.std, found.stability) == (mean, std, score)


def test_stability_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        stability.spread([])
