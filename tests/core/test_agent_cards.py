"""Skill cards of the label agents: the rule against the labels, the judges, the review queue."""

from __future__ import annotations

import dataclasses
import random

import pytest

from bot.core import agent_cards
from bot.core.learners import trainer
from bot.core.learners.configs import JudgesLearnerConfig
from bot.model.labels import Example, Verdict

DAY = 86400
NOW = 100 * DAY
RULE = agent_cards.Rule((trainer.Feature("score", "p.min", ">="),), (50.0,), "escalate")


def example(
    index: int, score: float, label: str, *, age_days: float = 1.0, **verdicts: str
) -> Example:
    at = int(NOW - age_days * DAY)
    return Example(
        agent="router",
        key=f"t-{index}",
        payload={"score": score},
        label=label,
        source="gold" if index % 2 else "approvals",
        source_id=f"s-{index}",
        confidence=100,
        at=at,
        judges={j: Verdict(v, 0.9, at) for j, v in verdicts.items()},
    )


def test_rule_record_counts_false_positives_and_misses_by_hand() -> None:
    examples = [
        example(1, 60, "escalate"),  # fires, right
        example(2, 55, "ignore"),  # fires, wrong: a false positive
        example(3, 40, "escalate"),  # quiet, wrong: a miss
        example(4, 30, "ignore"),  # quiet, right
        example(5, 50, "escalate"),  # exactly at the threshold fires
    ]
    record = agent_cards.rule_record(RULE, examples)
    assert record == agent_cards.RuleRecord(5, 0.6, 1, 1)
    without = [dataclasses.replace(example(6, 0, "x"), payload={})]
    assert agent_cards.rule_record(RULE, without) is None  # no example has the feature


def test_agent_card_names_reliable_and_unreliable_judges_and_the_rules_errors() -> None:
    examples = [
        example(
            i,
            60 if i % 4 else 40,
            "escalate" if i % 3 else "ignore",
            good="escalate" if i % 3 else "ignore",
            coin="escalate" if i % 2 else "ignore",
        )
        for i in range(40)
    ]
    facts = agent_cards.AgentFacts(examples, RULE, 3, 50, JudgesLearnerConfig())
    card = agent_cards.agent_card("router", facts, NOW, None, ())
    assert card.kind == "agent" and card.key == "agent-router"
    assert card.summary.startswith("40 labeled examples (20 approvals, 20 gold), rule accuracy")
    assert any(s.startswith("reliable judge good: agrees with people 100%") for s in card.strengths)
    assert any(w.startswith("unreliable judge coin") for w in card.weaknesses)
    assert "uncertain judges: 3 item(s) wait in the review queue" in card.weaknesses
    assert "few labels: 40 of the 50 the trainer needs" in card.weaknesses
    record = agent_cards.rule_record(RULE, examples)
    assert record is not None
    modes = dict(card.failure_modes)
    assert modes["the rule fires where people did not say escalate"] == record.false_positives
    assert modes["the rule stays quiet where people said escalate"] == record.misses


def test_agent_card_trends_compare_with_the_labels_known_7_and_30_days_ago() -> None:
    old = [example(i, 60, "ignore", age_days=20, good="ignore") for i in range(10)]  # rule wrong
    new = [example(100 + i, 60, "escalate", age_days=1, good="escalate") for i in range(10)]
    facts = agent_cards.AgentFacts([*old, *new], RULE, 0, 5, JudgesLearnerConfig(min_examples=5))
    card = agent_cards.agent_card("router", facts, NOW, None, ())
    trends = {t.name: t for t in card.trends}
    rule = trends["rule_accuracy"]
    assert (rule.now, rule.delta_7d, rule.delta_30d) == (0.5, 0.5, None)  # 0.5 now, 0.0 a week ago
    assert trends["judge_agreement"].now == 1.0
    assert not any(w.startswith("few labels") for w in card.weaknesses)


def test_agent_cards_on_hundreds_of_labels_of_a_generated_agent() -> None:
    rng = random.Random(7)
    examples = []
    for i in range(400):
        score = rng.uniform(0, 100)
        label = "escalate" if score >= 70 else "ignore"  # people escalate from 70
        judge = label if rng.random() < 0.95 else ("ignore" if label == "escalate" else "escalate")
        examples.append(example(i, score, label, age_days=rng.uniform(0, 25), steady=judge))
    facts = agent_cards.AgentFacts(examples, RULE, 0, 50, JudgesLearnerConfig())
    card = agent_cards.agent_card("ticket_router", facts, NOW, None, ())
    record = agent_cards.rule_record(RULE, examples)
    assert record is not None and record.misses == 0  # the rule at 50 escalates everything >= 70
    assert record.false_positives == sum(50 <= e.payload["score"] < 70 for e in examples)
    assert any(w.startswith("false positives: the rule fires on") for w in card.weaknesses)
    assert any(s.startswith("reliable judge steady") for s in card.strengths)
    assert record.accuracy == pytest.approx(1 - record.false_positives / 400)


def test_agent_card_of_a_rule_that_agrees_with_every_label() -> None:
    examples = [
        example(i, 60 if i % 2 else 40, "escalate" if i % 2 else "ignore") for i in range(6)
    ]
    facts = agent_cards.AgentFacts(examples, RULE, 0, 5, JudgesLearnerConfig())
    card = agent_cards.agent_card("router", facts, NOW, None, ())
    assert card.strengths == ("its rule agrees with 100% of 6 labels",)
    assert card.weaknesses == () and card.failure_modes == ()
    assert [t.name for t in card.trends] == ["rule_accuracy"]  # no judge: no judge trend


def test_agent_card_without_a_rule_or_enough_verdicts_says_only_what_it_knows() -> None:
    # two verdicts per judge: under the five a weight needs, so no judge is judged
    examples = [example(i, 60, "escalate", good="ignore") for i in range(2)]
    facts = agent_cards.AgentFacts(examples, None, 0, 50, JudgesLearnerConfig())
    card = agent_cards.agent_card("router", facts, NOW, None, ())
    assert card.summary == "2 labeled examples (1 approvals, 1 gold)"
    assert (card.strengths, card.weaknesses, card.failure_modes, card.trends) == ((), (), (), ())
    # a rule no labeled example measures has no record either
    blind = agent_cards.Rule((trainer.Feature("risk", "p.risk", ">="),), (1.0,), "escalate")
    unmeasured = agent_cards.agent_card(
        "router", dataclasses.replace(facts, rule=blind), NOW, None, ()
    )
    assert unmeasured.summary == "2 labeled examples (1 approvals, 1 gold)"
    assert unmeasured.failure_modes == () and unmeasured.trends == ()
    assert unmeasured.weaknesses == ("few labels: 2 of the 50 the trainer needs",)
