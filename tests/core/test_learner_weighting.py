"""The weights learner with hand-computed vectors."""

from __future__ import annotations

import pytest

from bot.core.learners import weighting as learner
from bot.core.learners.configs import WeightsLearnerConfig
from bot.model import Position

DAY = 86400
T0 = 1_750_000_000
CONFIG = WeightsLearnerConfig(min_observations=4, min_pairs=4, window_days=30, max_delta=0.02)
START = {"technical": 0.30, "onchain": 0.25, "sentiment": 0.25, "macro": 0.20}


def position(i: int, sign: int, scores: dict[str, float], closed: int) -> Position:
    return Position(f"p{i}", closed - DAY, closed, float(sign), scores, "bull", ("a",))


def positions(now: int) -> list[Position]:
    outcomes = [+1, +1, -1, -1]
    technical = [1, 1, -1, -1]  # correlation +1
    onchain = [-1, -1, 1, 1]  # correlation -1
    sentiment = [1, -1, 1, -1]  # correlation 0
    return [
        position(
            i,
            outcomes[i],
            {
                "technical": technical[i],
                "onchain": onchain[i],
                "sentiment": sentiment[i],
                "macro": 0.5,
            },
            now - (i + 1) * DAY,
        )
        for i in range(4)
    ]


def test_correlation_delta_clamp_renormalise_by_hand() -> None:
    now = T0 + 100 * DAY
    found = learner.adjust(
        START, [*positions(now), position(9, 1, {}, T0)], now=now, step=0.0001, config=CONFIG
    )
    assert isinstance(found, learner.Adjustment)
    # r = +1, -1, 0, 0 (macro does not vary) -> delta = clamp(r * 0.02) = +0.02, -0.02, 0, 0
    assert found.new == {"macro": 0.2, "onchain": 0.23, "sentiment": 0.25, "technical": 0.32}
    assert found.reasons["technical"] == "correlation +1.000 over 4 positions -> +0.0200"
    assert found.reasons["macro"] == "correlation +0.000 over 4 positions -> +0.0000"
    assert found.phase.name == "full" and found.observations == 4


def test_renormalise_pins_a_domain_at_the_ceiling() -> None:
    # sum 0.98: scaling up would take a to 0.4082 > 0.40, so a is pinned and the rest share 0.60
    result = learner.renormalize(
        {"a": 0.40, "b": 0.05, "c": 0.30, "d": 0.23}, floor=0.05, ceiling=0.40
    )
    assert result["a"] == 0.40
    assert result == pytest.approx(
        {"a": 0.40, "b": 0.05 * 0.6 / 0.58, "c": 0.30 * 0.6 / 0.58, "d": 0.23 * 0.6 / 0.58}
    )
    assert sum(result.values()) == pytest.approx(1.0)


def test_renormalise_pins_a_domain_at_the_floor() -> None:
    # sum 1.02: scaling down would take b to 0.0490 < 0.05, so b is pinned and the rest share 0.95
    result = learner.renormalize(
        {"a": 0.40, "b": 0.05, "c": 0.32, "d": 0.25}, floor=0.05, ceiling=0.40
    )
    assert result["b"] == 0.05
    assert result == pytest.approx(
        {"a": 0.40 * 0.95 / 0.97, "b": 0.05, "c": 0.32 * 0.95 / 0.97, "d": 0.25 * 0.95 / 0.97}
    )


@pytest.mark.parametrize("seed", range(20))
def test_renormalise_always_sums_to_one_within_bounds(seed: int) -> None:
    import random

    rng = random.Random(seed)
    raw = {f"d{i}": rng.uniform(0.0, 0.6) for i in range(rng.randint(3, 8))}
    result = learner.renormalize(raw, floor=0.05, ceiling=0.40)
    assert sum(result.values()) == pytest.approx(1.0)
    assert all(0.05 - 1e-12 <= w <= 0.40 + 1e-12 for w in result.values())
    grid = learner.on_grid(result, step=0.0001, floor=0.05, ceiling=0.40)
    assert round(sum(grid.values()), 9) == 1.0 and all(0.05 <= w <= 0.40 for w in grid.values())


def test_impossible_bounds_are_an_error() -> None:
    with pytest.raises(ValueError, match="cannot sum to 1"):
        learner.renormalize({"a": 0.5, "b": 0.5}, floor=0.05, ceiling=0.40)


def test_on_grid_uses_the_largest_remainder() -> None:
    # 0.4, 0.051724.., 0.310344.., 0.237931.. -> 4000 + 517 + 3103 + 2379 units, one left for c
    result = learner.on_grid(
        learner.renormalize({"a": 0.40, "b": 0.05, "c": 0.30, "d": 0.23}, floor=0.05, ceiling=0.40),
        step=0.0001,
        floor=0.05,
        ceiling=0.40,
    )
    assert result == {"a": 0.4, "b": 0.0517, "c": 0.3104, "d": 0.2379}


@pytest.mark.parametrize(
    ("days", "name", "max_delta"),
    [
        (0, "observe", 0.0),
        (29.9, "observe", 0.0),
        (30, "warm", 0.01),
        (89.9, "warm", 0.01),
        (90, "full", 0.02),
    ],
)
def test_cold_start_phases_by_date(days: float, name: str, max_delta: float) -> None:
    current = learner.phase(T0, T0 + round(days * DAY), CONFIG)
    assert (current.name, current.max_delta) == (name, max_delta)


def test_warm_phase_halves_the_step() -> None:
    now = T0 + 45 * DAY
    found = learner.adjust(
        START, [*positions(now), position(9, 1, {}, T0)], now=now, step=0.0001, config=CONFIG
    )
    assert isinstance(found, learner.Adjustment)
    assert found.new["technical"] == 0.31 and found.new["onchain"] == 0.24


def test_observing_and_too_few_observations_propose_nothing() -> None:
    now = T0 + 10 * DAY
    assert learner.adjust(START, positions(now), now=now, step=0.0001, config=CONFIG) == (
        "cold start: observing only (4 of 30 days)"  # the first position closed 4 days ago
    )
    later = T0 + 200 * DAY
    few = [*positions(later)[:3], position(9, 1, {}, T0)]
    assert learner.adjust(START, few, now=later, step=0.0001, config=CONFIG) == (
        "3 positions in the last 30 days, 4 needed"
    )
    assert (
        learner.adjust(START, [], now=later, step=0.0001, config=CONFIG) == "no closed outcomes yet"
    )


def test_objective_hit_rate_and_correlation() -> None:
    now = T0 + 100 * DAY
    hit_rate, corr = learner.objective({"technical": 1.0}, positions(now), flat_band=0.01)
    assert (hit_rate, corr) == (1.0, pytest.approx(1.0))
    assert learner.objective({"onchain": 1.0}, positions(now), flat_band=0.01)[0] == 0.0


def cycle(
    at: int, good: bool
) -> tuple[list[Position], tuple[int, dict[str, float], dict[str, float]]]:
    """An adjustment at `at` from technical-heavy to onchain-heavy weights; the positions after it
    follow technical (so the adjustment degraded) or onchain (so it helped)."""
    before, after = {"technical": 0.4, "onchain": 0.1}, {"technical": 0.1, "onchain": 0.4}
    leader, other = ("onchain", "technical") if good else ("technical", "onchain")
    noise = [0.3, 0.3, -0.3, -0.3]  # uncorrelated with the outcomes 1, -1, 1, -1
    later = [
        position(at + i, sign, {leader: float(sign), other: noise[i]}, at + (i + 1) * DAY)
        for i, sign in enumerate([1, -1, 1, -1])
    ]
    return later, (at, before, after)


def test_overfitting_revert_after_exactly_three_degrading_cycles_not_two() -> None:
    history = [cycle(T0 + k * 10 * DAY, good=False) for k in range(3)]
    flags = learner.degraded(
        [h[1] for h in history], [p for h in history for p in h[0]], window_days=30, flat_band=0.01
    )
    assert flags == [True, True, True]
    assert learner.should_revert(flags, 3)
    assert not learner.should_revert(flags[:2], 3)
    mixed = [cycle(T0, good=True), *[cycle(T0 + k * 10 * DAY, good=False) for k in (1, 2)]]
    flags = learner.degraded(
        [h[1] for h in mixed], [p for h in mixed for p in h[0]], window_days=30, flat_band=0.01
    )
    assert flags == [False, True, True] and not learner.should_revert(flags, 3)


def evidence(now: int, outcomes: list[float], scores: list[float]) -> list[Position]:
    return [
        Position(f"e{i}", now - (i + 2) * DAY, now - (i + 1) * DAY, pnl, {"technical": s}, "", ())
        for i, (pnl, s) in enumerate(zip(outcomes, scores, strict=True))
    ] + [position(99, 1, {}, T0)]


def test_the_step_is_proportional_to_the_correlation_up_to_the_cap() -> None:
    # r = 0.5 -> clamp(0.5 x 0.02) = 0.01: half the cap, not saturated at it
    assert learner.delta(0.5, max_delta=0.02) == pytest.approx(0.01)
    assert learner.delta(0.2, max_delta=0.02) == pytest.approx(0.004)
    assert learner.delta(-1.0, max_delta=0.02) == pytest.approx(-0.02)


def test_a_domain_with_fewer_pairs_than_min_pairs_does_not_move() -> None:
    now = T0 + 100 * DAY
    config = WeightsLearnerConfig(min_observations=4, min_pairs=10, window_days=30)
    signs = [1.0, -1.0] * 6
    rows = [
        Position(f"e{i}", now - (i + 2) * DAY, now - (i + 1) * DAY, sign, scores, "", ())
        for i, sign in enumerate(signs)
        # technical on all twelve closes, onchain (perfectly right too) on six of them only
        for scores in [{"technical": sign, **({"onchain": sign} if i < 6 else {})}]
    ]
    found = learner.adjust(
        START, [*rows, position(99, 1, {}, T0)], now=now, step=0.0001, config=config
    )
    assert isinstance(found, learner.Adjustment)
    assert found.reasons["onchain"].startswith("6 pairs, 10 needed for a correlation: no step")
    assert found.reasons["technical"].startswith("correlation +1.000 over 12 positions")
    few = learner.adjust(
        START, [*rows[:6], position(99, 1, {}, T0)], now=now, step=0.0001, config=config
    )
    assert few == (
        "too few pairs for a correlation "
        "(macro 0, onchain 6, sentiment 0, technical 6; 10 needed per domain)"
    )


def test_flat_outcomes_are_neither_win_nor_loss() -> None:
    assert [Position("p", 0, 1, pnl).outcome(0.01) for pnl in (0.005, -0.009, 0.01, -0.2)] == [
        0,
        0,
        1,
        -1,
    ]
    now = T0 + 100 * DAY
    # the flat 0.005 closes carry a score of -1: counted as wins they would break the correlation
    found = learner.correlations(
        evidence(now, [1.0, -1.0, 0.005, 0.005], [1.0, -1.0, -1.0, -1.0]),
        ["technical"],
        flat_band=0.01,
    )
    assert found["technical"] == (pytest.approx(1.0), 2)
