"""The judges learner: each judge's weight recomputed from people's labels, one PR per policy.

Hand vectors for the formulas (decay, agreement, calibration, clamp, the per-judge record),
then the learner driven through its `Learner` methods.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.core.gate import AllOf, MatchesRecomputation
from bot.core.learners import Candidate, Candidates, Context, Skip, configs, judges
from bot.core.learners.configs import JudgesLearnerConfig
from bot.core.params import Params
from bot.model import Config, Policy, format_time, parse_time
from bot.model.labels import Example, Verdict
from bot.model.proposal import Change
from bot.model.report import Consistency

NOW = parse_time("2026-01-20T00:00:00Z")
DAY = 86400
LEARNER = judges.LEARNER
SUBJECT = "judges/triage_judges"


def _policy(kind: str = "judges", **values: float) -> Policy:
    weights = {"bad": 0.5, "few": 0.5, "good": 0.5, "idle": 0.5, **values}
    parameters = {n: {"value": v, "min": 0.1, "max": 1.0, "step": 0.05} for n, v in weights.items()}
    data = {"name": "triage_judges", "version": 1, "kind": kind, "parameters": parameters}
    return Policy.from_dict("policies/triage_judges.yaml", data)


def _example(i: int, label: str, verdicts: dict[str, Any], age_days: float = 0) -> dict[str, Any]:
    return {
        "agent": "triage",
        "key": f"k{i}",
        "payload": {},
        "label": label,
        "source": "gold",
        "source_id": f"s{i}",
        "confidence": 100,
        "at": format_time(NOW - round(age_days * DAY)),
        "judges": verdicts,
    }


def _labels(count: int = 6) -> str:
    rows = []
    for i in range(count):
        label = "bad" if i % 2 else "ok"
        other = "ok" if i % 2 else "bad"
        verdicts = {
            "good": {"verdict": label, "confidence": 1.0},
            "bad": {"verdict": other, "confidence": 0.9},
            "ghost": {"verdict": label, "confidence": 1.0},  # not in the policy
        }
        if i < 2:
            verdicts["few"] = {"verdict": label, "confidence": 1.0}
        rows.append(_example(i, label, verdicts))
    # outside the 30-day window: not counted, however wrong
    rows.append(_example(99, "ok", {"good": {"verdict": "bad", "confidence": 1.0}}, 31))
    return "".join(json.dumps(r) + "\n" for r in rows)


def _context(policy: Policy | None = None, labels: str | None = None, **settings: Any) -> Context:
    rules = JudgesLearnerConfig(policies=settings.pop("policies", {"triage": "triage_judges"}))
    config = Config()
    judges = replace(rules, **settings)
    config = replace(config, learners=config.learners.replaced(configs.JUDGES, judges))
    return Context(
        config=config,
        cases={},
        params=Params({"triage_judges": policy or _policy()}),
        snapshots={},
        failures=(),
        at=NOW,
        inputs={
            "labels": (("cases/labels/triage.jsonl", _labels() if labels is None else labels),)
        },
    )


def test_judges_subjects_follow_the_agents_in_order() -> None:
    context = _context(policies={"b_agent": "z_policy", "a_agent": "y_policy"})
    assert LEARNER.subjects(context) == ("judges/y_policy", "judges/z_policy")
    assert LEARNER.enabled(context.config)
    assert LEARNER.sections(context) == ()


def test_judges_reweight_judges_by_agreement_and_calibration() -> None:
    found = LEARNER.candidates(_context(), SUBJECT)
    assert isinstance(found, Candidates)
    (chosen,) = found.items
    assert chosen.proposal_type == "judge_weights"
    assert chosen.changes == (
        Change("triage_judges", "parameters.bad", 0.5, 0.1),  # always wrong, and sure of it
        Change("triage_judges", "parameters.good", 0.5, 1.0),  # always right, and sure of it
    )
    assert chosen.explanation == (
        {"judge": "bad", "old": "0.50", "new": "0.10", "agreement": "0.000",
         "calibration": "0.900", "examples": "6"},
        {"judge": "few", "old": "0.50", "new": "0.50", "agreement": "1.000",
         "calibration": "0.000", "examples": "2"},
        {"judge": "good", "old": "0.50", "new": "1.00", "agreement": "1.000",
         "calibration": "0.000", "examples": "6"},
        {"judge": "idle", "old": "0.50", "new": "0.50", "agreement": "-",
         "calibration": "-", "examples": "0"},
    )  # fmt: skip
    assert chosen.rationale == (
        "Re-weight triage's judges by their agreement with people's labels (up to 6 labeled "
        "verdicts per judge in the last 30 days, 7-day half-life): weight = clamp(agreement "
        "- 0.5 x calibration error, 0.1, 1)."
    )
    assert found.failure_id.startswith("judges_")


def test_judges_too_few_verdicts_everywhere_is_not_conclusive() -> None:
    assert LEARNER.candidates(_context(min_examples=7), SUBJECT) == Skip(
        "no judge has 7 labeled verdicts in the last 30 days"
    )
    assert LEARNER.candidates(_context(labels=""), SUBJECT) == Skip(
        "no judge has 5 labeled verdicts in the last 30 days"
    )


def test_judges_weights_already_earned_are_a_conclusive_skip() -> None:
    settled = _context(_policy(bad=0.1, good=1.0))
    assert LEARNER.candidates(settled, SUBJECT) == Skip(
        "no judge's weight moved by a whole step", conclusive=True
    )


@pytest.mark.parametrize(
    ("context", "subject"),
    [
        (_context(), "judges/other_policy"),  # no agent names it
        (_context(policies={"triage": "missing"}), "judges/missing"),  # not in policies/
        (_context(_policy(kind="thresholds")), SUBJECT),  # not a judges policy
    ],
)
def test_judges_without_a_judges_policy_skip(context: Context, subject: str) -> None:
    name = subject.removeprefix("judges/")
    reason = f"no judges policy {name!r} in policies/ (kind: judges)"
    assert LEARNER.candidates(context, subject) == Skip(reason)


def test_judges_check_recomputes_the_weights() -> None:
    context = _context()
    found = LEARNER.candidates(context, SUBJECT)
    assert isinstance(found, Candidates)
    check = LEARNER.measure(context, SUBJECT)
    rule = "the judge weights recomputed from the labels"
    assert check(found.items[0]) == Consistency(rule, True, "")
    nudged = Candidate(
        "judge_weights", (Change("triage_judges", "parameters.good", 0.5, 0.9),), "r"
    )
    assert check(nudged) == Consistency(
        rule,
        False,
        "triage_judges.bad: None vs 0.1, triage_judges.good: 0.9 vs 1.0",
    )
    nothing = LEARNER.measure(_context(), "judges/other_policy")(nudged)
    assert not nothing.matches


def test_judges_rules_require_the_recomputation() -> None:
    rules = LEARNER.rules()
    assert isinstance(rules, AllOf) and isinstance(rules.rules[0], MatchesRecomputation)


def test_judges_plan_moves_only_policy_judges_with_enough_verdicts() -> None:
    stats = [
        judges.JudgeStat("a", 9, 0.9, 0.1, 0.86),
        judges.JudgeStat("b", 1, 1.0, 0.0, None),
        judges.JudgeStat("c", 9, 0.2, 0.0, 0.2),
    ]
    grid = {"a": (0.1, 1.0, 0.1), "b": (0.1, 1.0, 0.1)}
    assert judges.plan({"a": 0.5, "b": 0.5}, stats, grid) == {"a": 0.9, "b": 0.5}
    assert judges.on_grid(0.3, minimum=0.1, maximum=1.0, step=0.25) == 0.35
    # the grid step past the maximum is clamped back to it
    assert judges.on_grid(1.7, minimum=0.1, maximum=1.0, step=0.25) == 1.0


@pytest.mark.parametrize(
    ("age", "expected"), [(0, 1.0), (7, 0.5), (14, 0.25), (3.5, 2**-0.5), (-1, 1.0)]
)
def test_decay_halves_every_seven_days(age: float, expected: float) -> None:
    assert judges.decay(age) == pytest.approx(expected)


def test_agreement_is_the_decay_weighted_share() -> None:
    assert judges.agreement([True, False, True], [1.0, 0.5, 0.25]) == pytest.approx(1.25 / 1.75)
    assert judges.agreement([], []) == 0.0


def test_calibration_error_is_mean_absolute_gap() -> None:
    error = judges.calibration_error([0.9, 0.8, 0.6], [True, False, True])
    assert error == pytest.approx((0.1 + 0.8 + 0.4) / 3)
    assert judges.calibration_error([], []) == 0.0


@pytest.mark.parametrize(
    ("agreed", "calibration", "expected"),
    [(0.9, 0.2, 0.8), (1.0, 0.0, 1.0), (0.1, 0.5, 0.1), (0.05, 0.0, 0.1), (0.7, 0.3, 0.55)],
)
def test_reliability_clamps_agreement_minus_half_calibration(
    agreed: float, calibration: float, expected: float
) -> None:
    assert judges.reliability(agreed, calibration, floor=0.1, ceiling=1.0) == pytest.approx(
        expected
    )
    assert judges.clamp(1.2, 0.1, 1.0) == 1.0 and judges.clamp(-0.3, 0.1, 1.0) == 0.1


def _labeled(label: str, at: int, **verdicts: tuple[str, float]) -> Example:
    return Example(
        agent="triage",
        key=f"k{at}",
        payload={"x": at},
        label=label,
        source="gold",
        source_id=f"g{at}",
        confidence=100,
        at=at,
        judges={j: Verdict(v, c, at) for j, (v, c) in verdicts.items()},
    )


def test_judge_stats_hand_computed() -> None:
    rows = [
        _labeled("spam", NOW, a=("spam", 0.9), b=("ham", 0.9)),
        _labeled("ham", NOW - 7 * DAY, a=("spam", 0.8), b=("ham", 0.6)),
        _labeled("spam", NOW - 14 * DAY, a=("spam", 1.0)),
        _labeled("spam", NOW - 40 * DAY, a=("ham", 1.0)),  # outside the 30-day window
    ]
    rules = JudgesLearnerConfig(min_examples=3)
    a, b = judges.stats(rows, now=NOW, rules=rules)
    assert (a.judge, a.examples) == ("a", 3)
    assert a.agreement == pytest.approx((1 + 0.25) / (1 + 0.5 + 0.25))
    assert a.calibration == pytest.approx((0.1 + 0.8 + 0.0) / 3)
    assert a.weight == pytest.approx(a.agreement - 0.5 * a.calibration)
    assert (b.examples, b.weight) == (2, None)  # too few examples: it keeps its weight
    new = judges.plan({"a": 0.8, "b": 0.6}, [a, b], {"a": (0.1, 1.0, 0.01), "b": (0.1, 1.0, 0.01)})
    assert new == {"a": round(a.weight or 0, 2), "b": 0.6}
