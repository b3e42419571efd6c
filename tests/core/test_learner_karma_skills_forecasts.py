from __future__ import annotations

import pytest

from bot.core.learners import forecasts, karma, skills
from bot.model import Forecast, Position, SkillsLearnerConfig

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


@pytest.mark.parametrize(
    ("state", "value", "moved_to"),
    [
        ("pending", 3, "active"),
        ("pending", 2, None),
        ("pending", 9, "active"),
        ("active", -3, "archived"),
        ("active", -2, None),
        ("active", 3, None),
        ("archived", -9, None),
    ],
)
def test_skill_transitions_exactly_at_three_and_minus_three(
    state: str, value: int, moved_to: str | None
) -> None:
    config = SkillsLearnerConfig()
    found, _ = skills.moves({f"policies/skills/{state}/x.md": f"# X\nscore: {value}\n"}, config)
    assert [m.target for m in found] == ([f"policies/skills/{moved_to}/x.md"] if moved_to else [])


def test_skill_score_must_be_within_the_first_lines() -> None:
    late = "\n" * 40 + "score: 5\n"
    found, unscored = skills.moves({"policies/skills/pending/late.md": late}, SkillsLearnerConfig())
    assert found == () and unscored == ("policies/skills/pending/late.md",)
    assert skills.score("intro\n  score:  -4  \nscore: 9", 40) == -4


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
