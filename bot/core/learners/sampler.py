"""Uncertainty sampling (001/002): which recent, unlabelled items people should label first.

Per item, from its judges' verdicts and confidences and the judges' reliability weights:
- disagreement: the weighted verdict shares' entropy -sum p log2 p over log2(judges);
- low confidence: 1 - weighted mean confidence, when that mean is below 0.6;
- variance: the weighted variance of the confidences over its maximum, 0.25.
The item's uncertainty is the largest of the three; its method names which one.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.model.labels import Evaluation, Verdict

DAY = 86400
METHODS = ("disagreement", "low_confidence", "variance")


@dataclass(frozen=True)
class Scored:
    """An item in the review queue."""

    key: str
    uncertainty: float
    method: str
    evaluation: Evaluation


def entropy(shares: Sequence[float], judges: int) -> float:
    """-sum p log2 p normalised by log2(judges): 0 when all agree, 1 at the most spread."""
    if judges < 2:
        return 0.0
    found = -sum(p * math.log2(p) for p in shares if p > 0)
    return min(found / math.log2(judges), 1.0)


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else 0.0


def weighted_variance(values: Sequence[float], weights: Sequence[float]) -> float:
    """sum w (x - mean)^2 / sum w."""
    mean = weighted_mean(values, weights)
    return weighted_mean([(v - mean) ** 2 for v in values], weights)


def score(
    verdicts: Mapping[str, Verdict], weights: Mapping[str, float], *, low: float = 0.6
) -> tuple[float, str]:
    """(uncertainty, method) of one item."""
    names = sorted(verdicts)
    w = [weights.get(n, 1.0) for n in names]
    total = sum(w) or 1.0
    shares: dict[str, float] = {}
    for name, weight in zip(names, w, strict=True):
        shares[verdicts[name].verdict] = shares.get(verdicts[name].verdict, 0.0) + weight / total
    confidences = [verdicts[n].confidence for n in names]
    mean = weighted_mean(confidences, w)
    values = {
        "disagreement": entropy(list(shares.values()), len(names)),
        "low_confidence": 1.0 - mean if mean < low else 0.0,
        "variance": min(weighted_variance(confidences, w) / 0.25, 1.0),
    }
    method = max(METHODS, key=lambda m: (values[m], -METHODS.index(m)))
    return round(values[method], 6), method


def sample(
    evaluations: Sequence[Evaluation],
    weights: Mapping[str, float],
    *,
    labeled: Collection[str],
    now: int,
    days: int = 7,
    top: int = 20,
    low: float = 0.6,
) -> list[Scored]:
    """The `top` most uncertain unlabelled items of the last `days`, most uncertain first."""
    latest: dict[str, Evaluation] = {}
    for item in evaluations:
        if item.key in labeled or not 0 <= now - item.at <= days * DAY:
            continue
        if item.key not in latest or item.at >= latest[item.key].at:
            latest[item.key] = item
    found = []
    for key, item in latest.items():
        uncertainty, method = score(item.judges, weights, low=low)
        if uncertainty > 0:
            found.append(Scored(key, uncertainty, method, item))
    found.sort(key=lambda s: (-s.uncertainty, s.key))
    return found[:top]
