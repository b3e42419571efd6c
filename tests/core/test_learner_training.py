"""The trainer learner: its subjects, candidates or skips, and the evidence `check` re-derives."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

import pytest

from bot.core.gate import AllOf, CostIncrease
from bot.core.learners import Candidate, Candidates, Context, Skip, configs, training
from bot.core.learners.configs import TrainerLearnerConfig
from bot.model import Config, format_time
from bot.model.proposal import Change
from bot.model.report import Training
from tests.builders import END, params, policy
from tests.core.test_learner_families import CASES, SNAP

AGENT = {
    "positive": "bad",
    "model": "tree",
    "depth": 2,
    "features": {"risk": {"parameter": "p.limit"}},
}
LEARNER = training.LEARNER


def _examples(count: int = 60, agent: str = "triage") -> str:
    """People label an item bad from a risk of 0.7 up; the policy says 0.5."""
    lines = []
    for i in range(count):
        risk = round(i / count, 4)
        payload: dict[str, Any] = {"risk": risk} if i % 10 else {"risk": "n/a"}
        lines.append(
            {
                "agent": agent,
                "key": f"k{i}",
                "payload": payload,
                "label": "bad" if risk >= 0.7 else "ok",
                "source": "gold" if i % 3 else "review",
                "source_id": f"s{i}",
                "confidence": 90,
                "at": format_time(END),
            }
        )
    return "".join(json.dumps(line) + "\n" for line in lines)


def _context(
    *, agents: dict[str, Any] | None = None, text: str | None = None, **trainer: Any
) -> Context:
    settings = TrainerLearnerConfig(
        agents={"triage": AGENT} if agents is None else agents,
        families={"f": {"model": "tree", "depth": 2}, "empty": {}},
        min_examples=trainer.pop("min_examples", 20),
        **trainer,
    )
    config = Config()
    config = replace(config, learners=config.learners.replaced(configs.TRAINER, settings))
    labels = text if text is not None else _examples()
    return Context(
        config=config,
        cases=CASES,
        params=params(policy()),
        snapshots={SNAP.sha256: SNAP},
        failures=(),
        at=END,
        inputs={"labels": (("cases/labels/triage.jsonl", labels),)},
    )


def test_training_subjects_are_agents_then_families_sorted() -> None:
    context = _context(agents={"b": AGENT, "a": AGENT})
    assert LEARNER.subjects(context) == (
        "trainer/a",
        "trainer/b",
        "trainer/family/empty",
        "trainer/family/f",
    )
    assert LEARNER.enabled(context.config)
    assert not LEARNER.enabled(
        replace(
            Config(),
            learners=Config().learners.replaced(
                configs.TRAINER, TrainerLearnerConfig(enabled=False)
            ),
        )
    )
    assert LEARNER.sections(context) == ()


def test_training_spec_reads_defaults_and_sorts_features() -> None:
    spec = training.Spec.from_config(
        "a",
        {
            "positive": 1,
            "features": {"z": {"parameter": "p.x"}, "b": {"parameter": "p.y", "op": "<"}},
        },
    )
    assert (spec.positive, spec.model, spec.depth) == ("1", "tree", 3)
    assert [(f.name, f.parameter, f.op) for f in spec.features] == [
        ("b", "p.y", "<"),
        ("z", "p.x", ">="),
    ]


def test_training_candidate_moves_the_threshold_to_the_labels() -> None:
    found = LEARNER.candidates(_context(), "trainer/triage")
    assert isinstance(found, Candidates)
    (chosen,) = found.items
    assert chosen.proposal_type == "trained_thresholds"
    assert [(c.key, c.old, c.new) for c in chosen.changes] == [("p.limit", 0.5, 0.7)]
    assert chosen.impact == ()  # no case reads p.limit
    assert chosen.explanation[0] == {
        "feature": "risk",
        "parameter": "p.limit",
        "rule": "risk >= value",
        "old": "0.5",
        "new": "0.7",
        "importance": "1.000",
    }
    # six examples lack a numeric risk: 54 train; sources and labels are counted over all 60
    assert chosen.rationale.startswith(
        "Fit triage's rule to people's labels with a decision tree (depth 2): 54 training "
        "examples (sources: gold 40, review 20; labels: bad 18, ok 42); held-out accuracy "
    )
    assert chosen.rationale.endswith("(5-fold).")
    assert found.failure_id.startswith("trainer_")


def test_training_rationale_names_a_logistic_model() -> None:
    spec = training.Spec.from_config("triage", {**AGENT, "model": "logistic"})
    found = training.fit(_context(), spec)
    assert isinstance(found, training.Fitted)
    assert "with a logistic regression:" in training.rationale(spec, found)


@pytest.mark.parametrize(
    ("agents", "subject", "reason"),
    [
        ({}, "trainer/triage", "no trainer settings for this agent"),
        (
            {"triage": {**AGENT, "features": {"risk": {"parameter": "p.nothing"}}}},
            "trainer/triage",
            "p.nothing: no such parameter for feature 'risk'",
        ),
        (
            {"triage": {**AGENT, "features": {"risk": {"parameter": "q.limit"}}}},
            "trainer/triage",
            "q.limit: no such parameter for feature 'risk'",
        ),
        (
            {"other": AGENT},
            "trainer/other",
            "0 usable labeled examples for other (0 lack a feature), 20 needed",
        ),
    ],
)
def test_training_skips_say_why(agents: dict[str, Any], subject: str, reason: str) -> None:
    assert LEARNER.candidates(_context(agents=agents), subject) == Skip(reason)


def test_training_too_few_examples_counts_those_lacking_a_feature() -> None:
    found = LEARNER.candidates(_context(min_examples=55), "trainer/triage")
    assert found == Skip("54 usable labeled examples for triage (6 lack a feature), 55 needed")


def test_training_thresholds_already_fitted_are_a_conclusive_skip() -> None:
    settled = replace(
        policy(),
        parameters={
            **policy().parameters,
            "limit": replace(policy().parameters["limit"], value=0.7),
        },
    )
    context = replace(_context(), params=params(settled))
    assert LEARNER.candidates(context, "trainer/triage") == Skip(
        "the fitted thresholds equal the current ones", conclusive=True
    )


def test_training_family_subject_proposes_the_family_wide_threshold() -> None:
    found = LEARNER.candidates(_context(), "trainer/family/f")
    assert isinstance(found, Candidates)
    (chosen,) = found.items
    assert chosen.proposal_type == "family_thresholds"
    assert [(c.key, c.new) for c in chosen.changes] == [("p.min_count", 2)]
    assert LEARNER.candidates(_context(), "trainer/family/g") == Skip(
        "no trainer settings for family 'g'"
    )
    assert LEARNER.candidates(_context(), "trainer/family/empty") == Skip(
        "family 'empty' has 0 case(s), 4 needed"
    )


def test_training_family_already_fitted_is_a_conclusive_skip() -> None:
    settled = replace(
        policy(),
        parameters={
            **policy().parameters,
            "min_count": replace(policy().parameters["min_count"], value=2),
        },
    )
    context = replace(_context(), params=params(settled))
    assert LEARNER.candidates(context, "trainer/family/f") == Skip(
        "the fitted thresholds equal the current ones", conclusive=True
    )


def test_training_without_scikit_learn_proposes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if the extra were not installed
    reason = 'the trainer needs scikit-learn: pip install "learnbot[train]"'
    assert LEARNER.candidates(_context(), "trainer/triage") == Skip(reason)
    assert LEARNER.candidates(_context(), "trainer/family/f") == Skip(reason)
    measured = LEARNER.measure(_context(), "trainer/triage")(_candidate(("p.limit", 0.5, 0.7)))
    assert isinstance(measured, Training)
    assert (measured.matches, measured.difference, measured.examples) == (False, reason, 0)


def _candidate(*changes: tuple[str, float, float]) -> Candidate:
    return Candidate(
        "trained_thresholds",
        tuple(
            Change(k.split(".")[0], f"parameters.{k.split('.')[1]}", a, b) for k, a, b in changes
        ),
        "r",
    )


def test_training_measure_compares_the_diff_with_the_refit() -> None:
    context = _context()
    measure = LEARNER.measure(context, "trainer/triage")
    same = measure(_candidate(("p.limit", 0.5, 0.7)))
    assert isinstance(same, Training)
    assert same.matches and same.difference == ""
    assert same.delta == round(same.after - same.before, 6) and same.delta > 0.02
    assert (same.min_delta, same.folds, same.examples) == (0.02, 5, 54)
    assert same.label_distribution == {"bad": 18, "ok": 42}
    assert same.sources == {"gold": 40, "review": 20}
    assert same.feature_importances == {"risk": 1.0}
    assert same.trade_off == ()
    other = measure(_candidate(("p.limit", 0.5, 0.9)))
    assert isinstance(other, Training)
    assert not other.matches and other.difference == "p.limit: 0.9 vs 0.7"
    unknown = LEARNER.measure(_context(agents={}), "trainer/triage")(_candidate())
    assert isinstance(unknown, Training)
    assert unknown.difference == "no trainer settings for this agent"


def test_training_measure_of_a_family_carries_its_trade_off() -> None:
    found = LEARNER.measure(_context(), "trainer/family/f")(_candidate(("p.min_count", 3, 2)))
    assert isinstance(found, Training)
    assert found.matches
    assert found.trade_off == ("f_edge", "g_other")
    assert found.label_distribution == {"fire": 3, "quiet": 2}
    assert found.sources == {"cases": 5}
    missing = LEARNER.measure(_context(), "trainer/family/g")(_candidate(("p.min_count", 3, 2)))
    assert isinstance(missing, Training)
    assert not missing.matches and missing.trade_off == ()
    assert missing.difference == "no trainer settings for family 'g'"


def test_training_rules_judge_accuracy_refit_protection_cost_and_stability() -> None:
    rules = LEARNER.rules()
    assert isinstance(rules, AllOf)
    names = [r.name if isinstance(r, CostIncrease) else type(r).__name__ for r in rules.rules]
    assert names == [
        "AccuracyGain",
        "RefitMatches",
        "Protected",
        "work_increase",
        "declared_time_increase",
        "declared_memory_increase",
        "Stable",
    ]
