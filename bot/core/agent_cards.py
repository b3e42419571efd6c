"""Skill cards for the agents of the active-learning learners (001/002): judges and the rule.

An agent's card reads its labeled examples: how often each judge agrees with people and how
well it is calibrated (the judges learner's formulas, over its window), how often the agent's
rule at the policy's current values (the trainer's features) agrees with people, where the
rule goes wrong, and how many uncertain items wait in its review queue. Rules:
- strength: a judge that agrees with people at least 80% of the time; the rule agreeing with
  at least 80% of the labels;
- weakness: a judge agreeing under 60%, or with a calibration error over 0.3; the rule agreeing
  with under 70%; its false positives and misses; items waiting for review; fewer labeled
  examples than the trainer needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.cards import RECENT, Card, Trend
from bot.core.experiments import Experiment
from bot.core.learners import judges, trainer
from bot.core.learners.configs import JudgesLearnerConfig
from bot.model.labels import Example

AGENT = "agent"
STRONG_AGREEMENT, WEAK_AGREEMENT, WEAK_CALIBRATION = 0.8, 0.6, 0.3
STRONG_RULE, WEAK_RULE = 0.8, 0.7
DAY = 86400


@dataclass(frozen=True)
class Rule:
    """The agent's rule: every feature meets its parameter's current value."""

    features: tuple[trainer.Feature, ...]
    thresholds: tuple[float, ...]
    positive: str


@dataclass(frozen=True)
class AgentFacts:
    """What an agent's card knows: its labels, its rule, its review queue."""

    examples: Sequence[Example]
    rule: Rule | None
    review: int  # uncertain items listed in its review queue
    min_examples: int  # what the trainer needs
    judge_rules: JudgesLearnerConfig


@dataclass(frozen=True)
class RuleRecord:
    """How the rule fares on labeled examples."""

    examples: int
    accuracy: float
    false_positives: int
    misses: int


def rule_record(rule: Rule, examples: Sequence[Example]) -> RuleRecord | None:
    """The rule against the labels (None: no example has every feature)."""
    x, y, _ = trainer.matrix(
        [e.payload for e in examples], [e.label for e in examples], rule.features, rule.positive
    )
    if not len(y):
        return None
    fired = trainer.predict(x, rule.thresholds, rule.features)
    return RuleRecord(
        len(y),
        round(trainer.accuracy(y, fired), 6),
        int((fired & ~y).sum()),
        int((~fired & y).sum()),
    )


def agent_card(
    name: str, facts: AgentFacts, now: int, crl: Trend | None, recent: Sequence[Experiment]
) -> Card:
    """The card of one agent of the label learners."""
    stats = judges.stats(facts.examples, now=now, rules=facts.judge_rules)
    record = rule_record(facts.rule, facts.examples) if facts.rule else None
    strengths = [
        f"reliable judge {s.judge}: agrees with people {s.agreement:.0%} "
        f"(calibration error {s.calibration:.2f}, {s.examples} labels)"
        for s in stats
        if s.weight is not None and s.agreement >= STRONG_AGREEMENT
    ]
    if record and record.accuracy >= STRONG_RULE:
        strengths.append(f"its rule agrees with {record.accuracy:.0%} of {record.examples} labels")
    trends = [t for t in (_rule_trend(facts, now), _judge_trend(facts, now)) if t is not None]
    return Card(
        AGENT,
        name,
        _summary(facts, record),
        tuple(strengths),
        _weaknesses(facts, stats, record),
        _failure_modes(facts.rule, record),
        (*trends, *([crl] if crl else [])),
        tuple(recent[-RECENT:][::-1]),
    )


def _summary(facts: AgentFacts, record: RuleRecord | None) -> str:
    sources = Counter(e.source for e in facts.examples)
    counted = ", ".join(f"{n} {s}" for s, n in sorted(sources.items())) or "none"
    text = f"{len(facts.examples)} labeled examples ({counted})"
    if record is not None:
        text += f", rule accuracy {record.accuracy:.3f}"
    return text


def _weaknesses(
    facts: AgentFacts, stats: Sequence[judges.JudgeStat], record: RuleRecord | None
) -> tuple[str, ...]:
    found = []
    for s in stats:
        if s.weight is None:
            continue
        if s.agreement < WEAK_AGREEMENT:
            found.append(f"unreliable judge {s.judge}: agrees with people {s.agreement:.0%}")
        if s.calibration > WEAK_CALIBRATION:
            found.append(f"poorly calibrated judge {s.judge}: error {s.calibration:.2f}")
    if record is not None and record.accuracy < WEAK_RULE:
        found.append(f"its rule agrees with only {record.accuracy:.0%} of {record.examples} labels")
    if record is not None and record.false_positives:
        found.append(f"false positives: the rule fires on {record.false_positives} label(s)")
    if record is not None and record.misses:
        found.append(f"misses: the rule stays quiet on {record.misses} label(s)")
    if facts.review:
        found.append(f"uncertain judges: {facts.review} item(s) wait in the review queue")
    if facts.rule is not None and len(facts.examples) < facts.min_examples:
        found.append(
            f"few labels: {len(facts.examples)} of the {facts.min_examples} the trainer needs"
        )
    return tuple(found)


def _failure_modes(rule: Rule | None, record: RuleRecord | None) -> tuple[tuple[str, int], ...]:
    if rule is None or record is None:
        return ()
    modes = [
        (f"the rule fires where people did not say {rule.positive}", record.false_positives),
        (f"the rule stays quiet where people said {rule.positive}", record.misses),
    ]
    return tuple(sorted(((m, n) for m, n in modes if n), key=lambda item: (-item[1], item[0])))


def _before(examples: Sequence[Example], at: int) -> list[Example]:
    return [e for e in examples if e.at <= at]


def _rule_trend(facts: AgentFacts, now: int) -> Trend | None:
    """The rule's accuracy on the labels known now, and its change from 7 (30) days ago."""
    if facts.rule is None:
        return None
    rule = facts.rule
    record = rule_record(rule, facts.examples)
    if record is None:
        return None

    def delta(days: int) -> float | None:
        then = rule_record(rule, _before(facts.examples, now - days * DAY))
        return None if then is None else round(record.accuracy - then.accuracy, 6)

    return Trend("rule_accuracy", record.accuracy, delta(7), delta(30))


def _judge_trend(facts: AgentFacts, now: int) -> Trend | None:
    """The judges' mean agreement with people now, and its change from 7 (30) days ago."""

    def mean(at: int) -> float | None:
        stats = judges.stats(_before(facts.examples, at), now=at, rules=facts.judge_rules)
        known = [s.agreement for s in stats if s.weight is not None]
        return round(sum(known) / len(known), 6) if known else None

    current = mean(now)
    if current is None:
        return None

    def delta(days: int) -> float | None:
        then = mean(now - days * DAY)
        return None if then is None else round(current - then, 6)

    return Trend("judge_agreement", current, delta(7), delta(30))
