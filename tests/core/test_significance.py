"""Welch's t and Mann-Whitney U: vectors computed by hand, checked against what scipy returns."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from bot.core.significance import mann_whitney, welch


def _t_two_sided(t: float, df: float, steps: int = 4000) -> float:
    """1 - 2 * integral of Student's t density from 0 to |t| (Simpson's rule)."""
    scale = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def density(x: float) -> float:
        return scale * (1 + x * x / df) ** (-(df + 1) / 2)

    h = abs(t) / steps
    total = density(0) + density(abs(t))
    total += sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return 1 - 2 * total * h / 3


def _welch_by_hand(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    var_a = sum((x - mean_a) ** 2 for x in a) / (len(a) - 1) / len(a)
    var_b = sum((x - mean_b) ** 2 for x in b) / (len(b) - 1) / len(b)
    t = (mean_a - mean_b) / math.sqrt(var_a + var_b)
    df = (var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    return t, _t_two_sided(t, df)


def test_welch_matches_the_textbook_example() -> None:
    # means 6 and 3, variances 10 and 2.5, n = 5: t = 3 / sqrt(2.5), df = 6.25 / 1.0625
    found = welch([2, 4, 6, 8, 10], [1, 2, 3, 4, 5])
    assert found.statistic == pytest.approx(3 / math.sqrt(2.5), abs=1e-12)
    assert found.p_value == pytest.approx(_t_two_sided(3 / math.sqrt(2.5), 6.25 / 1.0625), abs=1e-7)
    assert found.p_value == pytest.approx(0.107531, abs=1e-6)


@pytest.mark.parametrize(
    ("candidate", "control"),
    [
        ([10.1, 9.8, 10.4, 10.0], [9.5, 9.7, 9.2, 9.9, 9.6, 9.4]),
        ([0.61, 0.64, 0.58, 0.7, 0.66, 0.59, 0.63], [0.6, 0.57, 0.62, 0.55, 0.58, 0.61, 0.56, 0.6]),
        ([120.0, 180.0, 95.0], [100.0, 101.0, 99.0, 100.5, 98.0]),
    ],
)
def test_welch_matches_hand_computation(candidate: list[float], control: list[float]) -> None:
    t, p = _welch_by_hand(candidate, control)
    found = welch(candidate, control)
    assert found.method == "welch"
    assert found.statistic == pytest.approx(t, rel=1e-9)
    assert found.p_value == pytest.approx(p, abs=1e-6)


def test_welch_sign_says_which_arm_is_higher() -> None:
    assert welch([1, 2, 3], [4, 5, 7]).statistic < 0 < welch([4, 5, 7], [1, 2, 3]).statistic


@pytest.mark.parametrize(
    ("candidate", "control", "u", "p"),
    [
        # every candidate above every control: U = 9, exact p = 2 * 1/C(6,3) = 0.1
        ([4, 5, 6], [1, 2, 3], 9.0, 0.1),
        # U = 2 + 3 + 3 = 8; P(U >= 8) = 2/20, two-sided 0.2
        ([3, 5, 6], [1, 2, 4], 8.0, 0.2),
        # U = 0 + 2 + 2 = 4, below the mean 4.5: two-sided min(1, 2 * 10/20) = 1
        ([1, 4, 5], [2, 3, 6], 4.0, 1.0),
    ],
)
def test_mann_whitney_exact_small_samples(
    candidate: list[float], control: list[float], u: float, p: float
) -> None:
    found = mann_whitney(candidate, control)
    assert (found.method, found.statistic) == ("mann_whitney", u)
    assert found.p_value == pytest.approx(p, abs=1e-12)


def _mann_whitney_by_hand(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """U from mid-ranks, normal approximation with tie and continuity corrections."""
    pooled = sorted([*a, *b])
    ranks = {v: (pooled.index(v) + 1 + len(pooled) - pooled[::-1].index(v)) / 2 for v in pooled}
    u = sum(ranks[x] for x in a) - len(a) * (len(a) + 1) / 2
    n = len(pooled)
    ties = sum(pooled.count(v) ** 3 - pooled.count(v) for v in set(pooled))
    sigma = math.sqrt(len(a) * len(b) / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (abs(u - len(a) * len(b) / 2) - 0.5) / sigma
    return u, math.erfc(z / math.sqrt(2))


def test_mann_whitney_with_ties_matches_the_normal_approximation() -> None:
    candidate = [3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 8, 9]
    control = [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7, 8]
    u, p = _mann_whitney_by_hand(candidate, control)
    found = mann_whitney(candidate, control)
    assert found.statistic == pytest.approx(u)
    assert found.p_value == pytest.approx(p, abs=1e-9)
    assert 0.01 < found.p_value < 0.2


def test_constant_samples_give_a_definite_answer() -> None:
    assert welch([1.0] * 5, [1.0] * 5).p_value == 1.0
    assert welch([2.0] * 5, [1.0] * 5).p_value == 0.0
    assert mann_whitney([1.0] * 3, [1.0] * 3).p_value == 1.0
