"""Producer karma (003, component 3b): an EMA of the outcomes each producer contributed to.

For every position closed after the karma file's `as_of`, in closing order, each producer
listed on it gets `karma = karma * (1 - alpha) + outcome * alpha`, outcome = the sign of
the realised result (+1, -1, or 0 when flat).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.model import Position


@dataclass(frozen=True)
class KarmaUpdate:
    """The new karma per producer, the outcomes folded in, and producers with no entry."""

    values: Mapping[str, float]
    as_of: int
    folded: int
    unknown: tuple[str, ...]


def ema(karma: float, outcomes: Sequence[int], alpha: float) -> float:
    """Fold outcomes into a karma value, oldest first."""
    for outcome in outcomes:
        karma = karma * (1 - alpha) + outcome * alpha
    return karma


def update(
    karma: Mapping[str, float],
    positions: Sequence[Position],
    *,
    since: int | None,
    until: int,
    alpha: float,
) -> KarmaUpdate:
    """Fold every position closed in (since, until] into the karma of its producers."""
    fresh = sorted(
        (p for p in positions if (since is None or p.closed_at > since) and p.closed_at <= until),
        key=lambda p: (p.closed_at, p.id),
    )
    values = dict(karma)
    unknown: set[str] = set()
    for position in fresh:
        for producer in position.producers:
            if producer not in values:
                unknown.add(producer)
                continue
            values[producer] = ema(values[producer], [position.sign], alpha)
    last = fresh[-1].closed_at if fresh else (since or 0)
    return KarmaUpdate(
        {k: round(v, 6) for k, v in values.items()}, last, len(fresh), tuple(sorted(unknown))
    )
