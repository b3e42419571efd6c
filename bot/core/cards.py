"""Skill cards (004): one per component — a case family, a policy, a producer.

A card says what the component is good and bad at, from the backtest, the ledger and the
outcomes; its failure modes (the hypotheses of its failures); its objective trends over 7 and
30 days; and its recent experiments. Rules:
- strength: pass rate >= 0.8; no false alarm among its `quiet` cases; a producer's win rate
  >= 0.6;
- weakness: a miss (an `expect: fire` case that stayed quiet), a false alarm (an `expect: quiet`
  case that fired), an abstain, an error, flapping (a case whose status changed at least twice
  over 30 days ago -> 7 days ago -> now, or a promotion of it rolled back), pass rate < 0.5,
  a producer's win rate < 0.5 or Brier score > 0.25.
So every component with a failing case names at least one weakness.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from bot.core.evaluate import ABSTAIN, ERROR, MISS, Result
from bot.core.experiments import Experiment
from bot.core.learners.forecasts import Performance

FAMILY, POLICY, PRODUCER = "family", "policy", "producer"
STRONG_PASS_RATE, WEAK_PASS_RATE = 0.8, 0.5
STRONG_WIN_RATE, WEAK_WIN_RATE, WEAK_BRIER = 0.6, 0.5, 0.25
RECENT = 5


@dataclass(frozen=True)
class Trend:
    """An objective now and its change over 7 and 30 days (None: nothing to compare with)."""

    name: str
    now: float | None
    delta_7d: float | None
    delta_30d: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "objective": self.name,
            "now": self.now,
            "delta_7d": self.delta_7d,
            "delta_30d": self.delta_30d,
        }


@dataclass(frozen=True)
class Card:
    """What one component is good and bad at, and how it is moving."""

    kind: str
    name: str
    summary: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    failure_modes: tuple[tuple[str, int], ...]
    trends: tuple[Trend, ...]
    experiments: tuple[Experiment, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "summary": self.summary,
            "strengths": list(self.strengths),
            "weaknesses": list(self.weaknesses),
            "failure_modes": [{"hypothesis": h, "cases": n} for h, n in self.failure_modes],
            "trends": [t.as_dict() for t in self.trends],
            "recent_experiments": [e.as_dict() for e in self.experiments],
        }


@dataclass(frozen=True)
class CaseFacts:
    """What a card knows about its cases: results now and before, hypotheses, rollbacks."""

    now: Sequence[Result]
    week_ago: Mapping[str, Result] | None  # by case id; None: no revision that old
    month_ago: Mapping[str, Result] | None
    hypotheses: Mapping[str, str]  # failing case id -> hypothesis
    rolled_back: frozenset[str] = frozenset()  # subjects with a rolled-back promotion


def _ids(results: Sequence[Result]) -> str:
    return ", ".join(r.case_id for r in results)


def _pass_rate(results: Sequence[Result] | Sequence[Result | None]) -> float | None:
    known = [r for r in results if r is not None]
    return round(sum(r.passed for r in known) / len(known), 6) if known else None


def case_card(
    kind: str, name: str, facts: CaseFacts, crl: Trend | None, recent: Sequence[Experiment]
) -> Card:
    """The card of a group of cases (a family, or the cases that read a policy)."""
    results = list(facts.now)
    rate = _pass_rate(results) or 0.0
    trends = [_pass_rate_trend(facts, rate)] + ([crl] if crl else [])
    modes = Counter(facts.hypotheses[r.case_id] for r in results if r.case_id in facts.hypotheses)
    return Card(
        kind,
        name,
        f"{sum(r.passed for r in results)} of {len(results)} cases pass (pass rate {rate:.3f})",
        _case_strengths(results, rate),
        _case_weaknesses(results, rate, facts),
        tuple(sorted(modes.items(), key=lambda item: (-item[1], item[0]))),
        tuple(trends),
        tuple(recent[-RECENT:][::-1]),
    )


def _pass_rate_trend(facts: CaseFacts, now: float) -> Trend:
    def delta(before: Mapping[str, Result] | None) -> float | None:
        if before is None:
            return None
        then = _pass_rate([before.get(r.case_id) for r in facts.now])
        return None if then is None else round(now - then, 6)

    return Trend("pass_rate", now, delta(facts.week_ago), delta(facts.month_ago))


def _case_strengths(results: Sequence[Result], rate: float) -> tuple[str, ...]:
    found = []
    if rate >= STRONG_PASS_RATE:
        found.append(f"high pass rate: {rate:.0%} of its cases pass")
    quiet = [r for r in results if r.expect == "quiet"]
    if quiet and not any(r.status == MISS for r in quiet):
        found.append(f"no false alarms: its {len(quiet)} quiet case(s) stay quiet")
    return tuple(found)


def _case_weaknesses(results: Sequence[Result], rate: float, facts: CaseFacts) -> tuple[str, ...]:
    misses = [r for r in results if r.status == MISS and r.expect == "fire"]
    alarms = [r for r in results if r.status == MISS and r.expect == "quiet"]
    abstains = [r for r in results if r.status == ABSTAIN]
    errors = [r for r in results if r.status == ERROR]
    found = []
    if misses:
        found.append(
            f"misses: {len(misses)} case(s) expected to fire stayed quiet ({_ids(misses)})"
        )
    if alarms:
        found.append(f"frequent false alarms: {len(alarms)} quiet case(s) fired ({_ids(alarms)})")
    if abstains:
        found.append(
            f"frequent abstains: {len(abstains)} case(s) could not decide ({_ids(abstains)})"
        )
    if errors:
        found.append(f"errors: {len(errors)} case(s) could not be evaluated ({_ids(errors)})")
    flapping = _flapping(results, facts)
    if flapping:
        found.append(f"flapping: {', '.join(flapping)}")
    if rate < WEAK_PASS_RATE:
        found.append(f"low pass rate: {rate:.0%}")
    return tuple(found)


def _flapping(results: Sequence[Result], facts: CaseFacts) -> list[str]:
    """Cases whose status changed at least twice over 30d -> 7d -> now, or were rolled back."""
    found = []
    for result in results:
        history = [
            before.get(result.case_id) if before is not None else None
            for before in (facts.month_ago, facts.week_ago)
        ]
        statuses = [r.passed for r in history if r is not None] + [result.passed]
        changes = sum(a != b for a, b in pairwise(statuses))
        if changes >= 2:
            found.append(f"{result.case_id} changed status {changes} times in 30 days")
        elif result.case_id in facts.rolled_back:
            found.append(f"{result.case_id} was promoted and rolled back")
    return found


def producer_card(found: Performance, crl: Trend | None, recent: Sequence[Experiment]) -> Card:
    """A producer's card from its resolved forecasts (003) and run metrics."""
    name, win_rate, brier, forecasts = found.group, found.win_rate, found.brier, found.forecasts
    strengths = [f"high win rate: {win_rate:.0%}"] if win_rate >= STRONG_WIN_RATE else []
    weaknesses = []
    if win_rate < WEAK_WIN_RATE:
        weaknesses.append(f"low win rate: {win_rate:.0%} of {forecasts} forecasts")
    if brier > WEAK_BRIER:
        weaknesses.append(f"poorly calibrated: Brier score {brier:.3f} > {WEAK_BRIER}")
    return Card(
        PRODUCER,
        name,
        f"{forecasts} resolved forecasts, win rate {win_rate:.3f}, Brier score {brier:.3f}",
        tuple(strengths),
        tuple(weaknesses),
        (),
        (Trend("win_rate", win_rate, None, None), *([crl] if crl else [])),
        tuple(recent[-RECENT:][::-1]),
    )


def crl_trend(points: Sequence[tuple[int, float]], now: int) -> Trend | None:
    """Mean composite run loss of the last 7 days, and its change from the 7 (30) days before."""
    day = 86400

    def mean(start: int, end: int) -> float | None:
        values = [loss for at, loss in points if start < at <= end]
        return sum(values) / len(values) if values else None

    if not points:
        return None
    week, month = mean(now - 7 * day, now), mean(now - 30 * day, now)

    def delta(current: float | None, before: float | None) -> float | None:
        return None if current is None or before is None else round(current - before, 6)

    return Trend(
        "crl",
        None if week is None else round(week, 6),
        delta(week, mean(now - 14 * day, now - 7 * day)),
        delta(month, mean(now - 60 * day, now - 30 * day)),
    )
