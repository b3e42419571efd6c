"""Forecast performance (003, P4): per producer and regime, and a shadow ensemble.

Per group: forecasts, win rate, mean Brier score (confidence - outcome)^2 with outcome 1 for
a correct direction and 0 otherwise, and the correlation between confidence and outcome.
The ensemble learner looks at the calls made on each target: a pattern is the set of
(producer, direction) calls; it learns each pattern's win rate for the majority direction.
It stays in shadow (it reports what it would propose and proposes nothing) until
`activation` resolved forecasts exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.gate import AllOf
from bot.core.learners import Candidates, Context, Measure, Section, Skip, catalog, configs
from bot.core.learners.weighting import correlation
from bot.model import Config, Forecast
from bot.model.config import LearnerSettings
from bot.model.inputs import Input


def brier(confidence: float, correct: bool) -> float:
    """(confidence - outcome)^2: 0 is a perfect call, 1 the worst."""
    return (confidence - (1.0 if correct else 0.0)) ** 2


@dataclass(frozen=True)
class Performance:
    group: str
    forecasts: int
    win_rate: float
    brier: float
    calibration: float  # correlation of confidence with the outcome


def performance(forecasts: Iterable[Forecast], *, by_regime: bool = False) -> list[Performance]:
    """Win rate, mean Brier score and confidence/outcome correlation per producer (and regime)."""
    groups: dict[str, list[Forecast]] = defaultdict(list)
    for forecast in forecasts:
        key = f"{forecast.producer} / {forecast.regime}" if by_regime else forecast.producer
        groups[key].append(forecast)
    return [
        Performance(
            group=key,
            forecasts=len(items),
            win_rate=round(sum(f.correct for f in items) / len(items), 6),
            brier=round(sum(brier(f.confidence, f.correct) for f in items) / len(items), 6),
            calibration=round(
                correlation([f.confidence for f in items], [float(f.correct) for f in items]), 6
            ),
        )
        for key, items in sorted(groups.items())
    ]


@dataclass(frozen=True)
class Pattern:
    calls: tuple[tuple[str, str], ...]
    seen: int
    win_rate: float

    @property
    def key(self) -> str:
        return " + ".join(f"{p} {d}" for p, d in self.calls)


@dataclass(frozen=True)
class Ensemble:
    resolved: int
    activation: int
    patterns: tuple[Pattern, ...]

    @property
    def active(self) -> bool:
        return self.resolved >= self.activation


def ensemble(forecasts: Sequence[Forecast], *, activation: int, min_seen: int = 5) -> Ensemble:
    """Patterns of calls per target and how often their majority direction was right."""
    by_target: dict[str, list[Forecast]] = defaultdict(list)
    for forecast in forecasts:
        by_target[forecast.target].append(forecast)
    tally: dict[tuple[tuple[str, str], ...], list[bool]] = defaultdict(list)
    for calls in by_target.values():
        ups = sum(f.direction == "up" for f in calls)
        if len(calls) < 2 or ups * 2 == len(calls):
            continue
        majority = "up" if ups * 2 > len(calls) else "down"
        truth = next(f.direction if f.correct else _other(f.direction) for f in calls)
        tally[tuple(sorted((f.producer, f.direction) for f in calls))].append(majority == truth)
    patterns = tuple(
        Pattern(calls, len(results), round(sum(results) / len(results), 6))
        for calls, results in sorted(tally.items())
        if len(results) >= min_seen
    )
    return Ensemble(len(forecasts), activation, patterns)


def _other(direction: str) -> str:
    return "down" if direction == "up" else "up"


FORECASTS = catalog.FORECASTS


@dataclass(frozen=True)
class ForecastsLearner:
    """Proposes nothing yet: reports performance, and the ensemble while it is in shadow."""

    name: str = "forecasts"
    inputs: tuple[Input, ...] = catalog.INPUTS["forecasts"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["forecasts"]
    proposal_types: tuple[str, ...] = ()

    def enabled(self, config: Config) -> bool:
        return configs.FORECASTS.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        return ()

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        return Skip("the forecasts learner only reports")

    def rules(self) -> AllOf:
        return AllOf()

    def measure(self, context: Context, subject: str) -> Measure | None:
        return None

    def sections(self, context: Context) -> tuple[Section, ...]:
        found = context.lines(FORECASTS)
        if not found:
            return ()
        config = configs.FORECASTS.of(context.config)
        combined = ensemble(found, activation=config.activation)
        report = {
            "producers": performance(found),
            "regimes": performance(found, by_regime=True),
            "ensemble": combined,
            "shadow": config.shadow or not combined.active,
        }
        return (Section("forecasts.md.j2", report),)


LEARNER = ForecastsLearner()
