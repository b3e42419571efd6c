"""Producer karma: an EMA of each producer's outcomes, folded once, in closing order."""

from __future__ import annotations

import pytest

from bot.core.learners import karma
from bot.model import Position

DAY = 86400


def test_karma_ema_over_a_sequence_by_hand() -> None:
    # 0 -> 0.05 -> 0.0975 -> 0.0975 * 0.95 - 0.05 = 0.042625
    assert karma.ema(0.0, [1, 1, -1], 0.05) == pytest.approx(0.042625)
    assert karma.ema(0.5, [], 0.05) == 0.5


def test_karma_folds_only_new_positions_in_closing_order() -> None:
    def pos(i: int, pnl: float, producers: tuple[str, ...]) -> Position:
        return Position(f"p{i}", i * DAY, (i + 1) * DAY, pnl, {"x": 0.1}, "bull", producers)

    seen = [
        pos(0, 5.0, ("a",)),
        pos(2, -1.0, ("a", "b")),
        pos(1, 3.0, ("a", "ghost")),
        pos(3, 0.0, ("b",)),
    ]
    later = pos(9, 1.0, ("a", "b"))  # closed after the clock: not folded in yet
    found = karma.update(
        {"a": 0.0, "b": 0.2},
        [*seen, later],
        since=1 * DAY,
        until=4 * DAY,
        alpha=0.05,
        flat_band=0.01,
    )
    # p0 closed before `since`: left out. In closing order p1 (+1: a, ghost), p2 (-1: a, b),
    # p3 (0: b). a: 0 -> 0.05 -> 0.05 * 0.95 - 0.05 = -0.0025;
    # b: 0.2 -> 0.19 - 0.05 = 0.14 -> 0.14 * 0.95 = 0.133
    assert found.values == {"a": pytest.approx(-0.0025), "b": pytest.approx(0.133)}
    assert found.folded == 3 and found.as_of == 4 * DAY and found.unknown == ("ghost",)


def test_karma_counts_a_pnl_inside_the_flat_band_as_zero() -> None:
    flat = Position("p", 0, DAY, 0.005, {}, "bull", ("a",))
    found = karma.update({"a": 0.2}, [flat], since=None, until=DAY, alpha=0.05, flat_band=0.01)
    assert found.values == {"a": pytest.approx(0.19)}  # 0.2 x 0.95 + 0 x 0.05, not a win
    wide = karma.update({"a": 0.2}, [flat], since=None, until=DAY, alpha=0.05, flat_band=0.001)
    assert wide.values == {"a": pytest.approx(0.24)}
