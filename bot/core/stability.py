"""Stability of an objective across seeds (004's offline replayer): 1 - std / mean.

The standard deviation is the population one (divided by n): the seeds replayed are the whole
population being described, not a sample of a larger one. A mean of 0 leaves the ratio
undefined: stability is then 1 when every value is equal and 0 otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.model.report import Spread


def spread(values: Sequence[float]) -> Spread:
    """Mean, population standard deviation and stability of the values (at least one)."""
    if not values:
        raise ValueError("stability needs at least one value")
    mean = math.fsum(values) / len(values)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
    return Spread(tuple(values), round(mean, 9), round(std, 9), score(mean, std))


def score(mean: float, std: float) -> float:
    """1 - std / |mean|; with a zero mean, 1 for no spread and 0 for any."""
    if abs(mean) < 1e-12:
        return 1.0 if std < 1e-12 else 0.0
    return round(1.0 - std / abs(mean), 9)
