"""Forecast scoring: Brier scores, performance per producer and regime, the shadow ensemble."""

from __future__ import annotations

import pytest

from bot.core.learners import forecasts
from bot.model import Forecast


def test_brier_scores_by_hand() -> None:
    assert forecasts.brier(0.8, True) == pytest.approx(0.04)
    assert forecasts.brier(0.8, False) == pytest.approx(0.64)
    assert forecasts.brier(0.5, True) == pytest.approx(0.25)


def forecast(
    i: int,
    producer: str,
    confidence: float,
    correct: bool,
    *,
    regime: str = "bull",
    target: str = "t",
    direction: str = "up",
) -> Forecast:
    return Forecast(f"f{i}", target, producer, direction, confidence, correct, regime, i)


def test_performance_per_producer_and_regime() -> None:
    seen = [
        forecast(1, "a", 0.8, True),
        forecast(2, "a", 0.8, False, regime="bear"),
        forecast(3, "b", 0.5, True),
    ]
    by_producer = {p.group: p for p in forecasts.performance(seen)}
    assert by_producer["a"].win_rate == 0.5 and by_producer["a"].brier == pytest.approx(
        (0.04 + 0.64) / 2
    )
    assert by_producer["b"].forecasts == 1
    assert {p.group for p in forecasts.performance(seen, by_regime=True)} == {
        "a / bull",
        "a / bear",
        "b / bull",
    }


def test_ensemble_stays_in_shadow_below_activation() -> None:
    seen = []
    for i in range(6):
        truth_up = i % 3 != 0
        seen += [
            forecast(3 * i, "a", 0.7, truth_up, target=f"t{i}"),
            forecast(3 * i + 1, "b", 0.6, truth_up, target=f"t{i}"),
            forecast(3 * i + 2, "c", 0.6, not truth_up, target=f"t{i}", direction="down"),
        ]
    result = forecasts.ensemble(seen, activation=500)
    assert not result.active and result.resolved == 18
    (pattern,) = result.patterns
    assert (
        pattern.key == "a up + b up + c down"
        and pattern.seen == 6
        and pattern.win_rate == pytest.approx(4 / 6)
    )
    assert forecasts.ensemble(seen, activation=18).active
