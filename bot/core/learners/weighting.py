"""Bounded domain weight adjustment from realised outcomes (003, component 2).

1. Cold start, from the first outcome: observe only for `observe_days`; half the maximum
   delta until `warm_days`; the full maximum after.
2. Positions closed in the last `window_days`; fewer than `min_observations`: no change.
   An outcome is the sign of the result; |pnl| < `flat_band` is flat (neither).
3. Per domain, the Pearson correlation between its score at entry and the outcome sign, over
   the non-flat positions that carry the domain; fewer than `min_pairs`: the domain stays.
4. delta = clamp(correlation * max_delta); w = clamp(w + delta, floor, ceiling): the step is
   proportional to the evidence up to the cap (003).
5. Renormalise to sum 1 while keeping floor and ceiling (see `renormalize`).
6. Round to the parameters' step grid so the sum stays exactly 1 (see `on_grid`).
Overfitting protection: when each of the last `degrade_cycles` promoted adjustments did
worse than the weights before it on the positions closed after it, revert to `defaults`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.learners.configs import WeightsLearnerConfig
from bot.model import Position

_DAY = 86400


@dataclass(frozen=True)
class Phase:
    """Where cold start stands: how far a cycle may move a weight."""

    name: str
    max_delta: float
    days: float


def phase(first_outcome: int, now: int, config: WeightsLearnerConfig) -> Phase:
    """observe (no change) -> warm (half the maximum delta) -> full."""
    days = (now - first_outcome) / _DAY
    if days < config.observe_days:
        return Phase("observe", 0.0, days)
    if days < config.warm_days:
        return Phase("warm", config.max_delta / 2, days)
    return Phase("full", config.max_delta, days)


def window(positions: Sequence[Position], now: int, days: int) -> list[Position]:
    """Positions closed in [now - days, now)."""
    start = now - days * _DAY
    return sorted(
        (p for p in positions if start <= p.closed_at < now), key=lambda p: (p.closed_at, p.id)
    )


def correlation(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation; 0 when either side does not vary (nothing to learn from)."""
    if len(x) < 2:
        return 0.0
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def correlations(
    positions: Sequence[Position], domains: Sequence[str], *, flat_band: float
) -> dict[str, tuple[float, int]]:
    """(correlation with the outcome sign, pairs) per domain; flat outcomes are not pairs."""
    found = {}
    for domain in domains:
        pairs = [
            (p.scores[domain], float(p.outcome(flat_band)))
            for p in positions
            if domain in p.scores and p.outcome(flat_band) != 0
        ]
        found[domain] = (correlation([s for s, _ in pairs], [o for _, o in pairs]), len(pairs))
    return found


def delta(value: float, *, max_delta: float) -> float:
    """A correlation translated into a step: clamp(correlation x max_delta)."""
    return _clamp(value * max_delta, -max_delta, max_delta)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def renormalize(weights: Mapping[str, float], *, floor: float, ceiling: float) -> dict[str, float]:
    """Scale to sum 1, pinning any weight that would leave [floor, ceiling] at that bound.

    Repeat: scale the free weights proportionally into what the pinned ones leave; pin the
    ones now outside the bounds. Each round pins at least one weight, so it ends; with
    n * floor <= 1 <= n * ceiling the result sums to 1 with every weight within bounds.
    """
    count = len(weights)
    if not count * floor <= 1 + 1e-12 or not count * ceiling >= 1 - 1e-12:
        raise ValueError(f"{count} weights cannot sum to 1 within [{floor}, {ceiling}]")
    pinned: dict[str, float] = {}
    while True:
        free = {d: w for d, w in weights.items() if d not in pinned}
        room = 1.0 - sum(pinned.values())
        total = sum(free.values())
        scaled = {d: (w * room / total if total > 0 else room / len(free)) for d, w in free.items()}
        out = {
            d: (floor if w < floor else ceiling)
            for d, w in scaled.items()
            if not floor <= w <= ceiling
        }
        if not out:
            return {**pinned, **scaled}
        pinned.update(out)


def on_grid(
    weights: Mapping[str, float], *, step: float, floor: float, ceiling: float
) -> dict[str, float]:
    """Round to multiples of `step` with the sum exactly 1 (largest remainder, ties by name)."""
    units = round(1 / step)
    low, high = math.ceil(round(floor / step, 9)), math.floor(round(ceiling / step, 9))
    raw = {d: w / step for d, w in weights.items()}
    base = {d: min(high, max(low, math.floor(v + 1e-9))) for d, v in raw.items()}
    left = units - sum(base.values())
    order = (
        sorted(raw, key=lambda d: (-(raw[d] - base[d]), d))
        if left > 0
        else sorted(raw, key=lambda d: (raw[d] - base[d], d))
    )
    for domain in order:
        if left == 0:
            break
        step_ = 1 if left > 0 else -1
        if low <= base[domain] + step_ <= high:
            base[domain] += step_
            left -= step_
    return {d: round(u * step, 9) for d, u in sorted(base.items())}


@dataclass(frozen=True)
class Adjustment:
    """One cycle's proposal: new weights and why each moved."""

    old: Mapping[str, float]
    new: Mapping[str, float]
    reasons: Mapping[str, str]
    phase: Phase
    observations: int


def adjust(
    weights: Mapping[str, float],
    positions: Sequence[Position],
    *,
    now: int,
    step: float,
    config: WeightsLearnerConfig,
) -> Adjustment | str:
    """The bounded adjustment for this cycle, or why there is none."""
    if not positions:
        return "no closed outcomes yet"
    current = phase(min(p.closed_at for p in positions), now, config)
    if current.max_delta == 0:
        return f"cold start: observing only ({current.days:.0f} of {config.observe_days} days)"
    recent = window(positions, now, config.window_days)
    if len(recent) < config.min_observations:
        needed = config.min_observations
        return f"{len(recent)} positions in the last {config.window_days} days, {needed} needed"
    found = correlations(recent, sorted(weights), flat_band=config.flat_band)
    if all(n < config.min_pairs for _, n in found.values()):
        counts = ", ".join(f"{d} {n}" for d, (_, n) in found.items())
        return f"too few pairs for a correlation ({counts}; {config.min_pairs} needed per domain)"
    steps = {
        d: delta(r, max_delta=current.max_delta) if n >= config.min_pairs else 0.0
        for d, (r, n) in found.items()
    }
    moved = {d: _clamp(w + steps[d], config.floor, config.ceiling) for d, w in weights.items()}
    new = on_grid(
        renormalize(moved, floor=config.floor, ceiling=config.ceiling),
        step=step,
        floor=config.floor,
        ceiling=config.ceiling,
    )
    reasons = {d: _reason(*found[d], new[d] - weights[d], config) for d in sorted(weights)}
    return Adjustment(dict(weights), new, reasons, current, len(recent))


def _reason(r: float, pairs: int, moved: float, config: WeightsLearnerConfig) -> str:
    if pairs < config.min_pairs:
        return (
            f"{pairs} pairs, {config.min_pairs} needed for a correlation: no step -> {moved:+.4f}"
        )
    return f"correlation {r:+.3f} over {pairs} positions -> {moved:+.4f}"


def conviction(weights: Mapping[str, float], position: Position) -> float:
    return sum(w * position.scores.get(d, 0.0) for d, w in weights.items())


def objective(
    weights: Mapping[str, float], positions: Sequence[Position], *, flat_band: float
) -> tuple[float, float]:
    """(hit rate of the weighted conviction's sign, its correlation with the outcome sign).

    Both over the positions that are not flat.
    """
    decided = [(p, p.outcome(flat_band)) for p in positions if p.outcome(flat_band) != 0]
    if not decided:
        return 0.0, 0.0
    values = [conviction(weights, p) for p, _ in decided]
    hits = sum((v > 0) == (o > 0) for v, (_, o) in zip(values, decided, strict=True))
    return hits / len(decided), correlation(values, [float(o) for _, o in decided])


def degraded(
    adjustments: Sequence[tuple[int, Mapping[str, float], Mapping[str, float]]],
    positions: Sequence[Position],
    *,
    window_days: int,
    flat_band: float,
) -> list[bool]:
    """For each promoted adjustment (time, before, after): did it do worse on what came next?

    Rolling performance is the objective's correlation on the positions closed in the
    `window_days` after the adjustment (up to the next one).
    """
    found = []
    for index, (at, before, after) in enumerate(adjustments):
        until = (
            adjustments[index + 1][0] if index + 1 < len(adjustments) else at + window_days * _DAY
        )
        later = [p for p in positions if at <= p.closed_at < min(until, at + window_days * _DAY)]
        score = (objective(w, later, flat_band=flat_band)[1] for w in (after, before))
        found.append(bool(later) and next(score) < next(score))
    return found


def should_revert(flags: Sequence[bool], cycles: int) -> bool:
    """The last `cycles` promoted adjustments each degraded performance."""
    return len(flags) >= cycles and all(flags[-cycles:])
