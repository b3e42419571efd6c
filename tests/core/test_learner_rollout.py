"""The rollout learner's verdicts and lifecycle: plain values, no files."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bot.core.learners import rollout
from bot.core.learners.configs import RolloutLearnerConfig
from bot.model import Policy, Sample, parse_time
from bot.model.entries import Promotion
from bot.model.proposal import Change
from tests.builders import promotion, rejection, rollback, sealed

SINCE = "2026-01-01T00:00:00Z"
NOW = parse_time("2026-01-05T00:00:00Z")


def policy(stage: str = "canary", percent: int = 10, values: Any = None) -> Policy:
    return Policy.from_dict(
        "policies/ranker.yaml",
        {
            "name": "ranker",
            "version": 3,
            "parameters": {
                "cutoff": {"value": 0.5, "min": 0.0, "max": 1.0, "step": 0.05},
                "depth": {"value": 4, "min": 1, "max": 10, "step": 1},
            },
            "candidate": {
                "values": values or {"cutoff": 0.65},
                "stage": stage,
                "percent": percent,
                "since": SINCE,
            },
        },
    )


def samples(
    n: int,
    *,
    quality: float = 0.0,
    latency: float = 1.0,
    n_candidate: int | None = None,
    start: str = "2026-01-01T01:00:00Z",
    seed: int = 7,
) -> list[Sample]:
    """`n` control and `n_candidate` candidate samples, one a minute; candidate shifted."""
    rng = np.random.default_rng(seed)
    t0 = parse_time(start)
    found = []
    for arm, count in (("control", n), ("candidate", n if n_candidate is None else n_candidate)):
        for i in range(count):
            q = 0.7 + rng.normal(0, 0.05) + (quality if arm == "candidate" else 0)
            ms = (200 + rng.normal(0, 20)) * (latency if arm == "candidate" else 1)
            found.append(Sample(t0 + 60 * i, arm, {"latency_ms": ms, "quality": q}))
    return sorted(found, key=lambda s: (s.ts, s.arm))


def assess(found: list[Sample], **overrides: Any) -> rollout.Assessment:
    config = replace(RolloutLearnerConfig(), **overrides)
    return rollout.assess(policy(), found, config, now=NOW)


def test_no_data_is_inconclusive_never_a_pass() -> None:
    found = assess([])
    assert (found.verdict, found.reason) == ("inconclusive", f"no data since {SINCE}")
    assert rollout.changes(policy(), found, (10, 50, 100)) == ()


def test_samples_before_the_stage_began_do_not_count() -> None:
    found = assess(samples(50, quality=0.1, start="2025-12-30T00:00:00Z"))
    assert found.verdict == "inconclusive"
    assert found.samples == {"control": 0, "candidate": 0}


@pytest.mark.parametrize(
    ("control", "candidate", "verdict"),
    [(30, 29, "inconclusive"), (29, 30, "inconclusive"), (30, 30, "promote")],
)
def test_minimum_samples_per_arm(control: int, candidate: int, verdict: str) -> None:
    found = assess(samples(control, quality=0.1, n_candidate=candidate))
    assert found.verdict == verdict
    if verdict == "inconclusive":
        assert "too few samples" in found.reason and "needs 30 per arm" in found.reason


def test_better_candidate_is_promoted_to_the_next_canary_stage() -> None:
    found = assess(samples(60, quality=0.05))
    assert found.verdict == "promote"
    quality = next(m for m in found.measured if m.metric == "quality")
    assert quality.outcome == "improved" and quality.p_value is not None and quality.p_value < 0.05
    newest = "2026-01-01T01:59:00Z"
    assert rollout.changes(policy(), found, (10, 50, 100)) == (
        Change("ranker", "candidate.percent", 10, 50),
        Change("ranker", "candidate.since", SINCE, newest),
    )


def test_shadow_goes_to_the_first_canary_stage() -> None:
    shadow = policy(stage="shadow", percent=0)
    found = rollout.assess(shadow, samples(60, quality=0.05), RolloutLearnerConfig(), now=NOW)
    changes = rollout.changes(shadow, found, (10, 50, 100))
    assert changes[:2] == (
        Change("ranker", "candidate.stage", "shadow", "canary"),
        Change("ranker", "candidate.percent", 0, 10),
    )


def test_the_last_stage_makes_the_values_active_and_removes_the_candidate() -> None:
    last = policy(percent=50, values={"cutoff": 0.65, "depth": 4})
    found = rollout.assess(last, samples(60, quality=0.05), RolloutLearnerConfig(), now=NOW)
    digest = rollout.candidate_digest({"cutoff": 0.65, "depth": 4})
    assert rollout.changes(last, found, (10, 50, 100)) == (
        Change("ranker", "parameters.cutoff", 0.5, 0.65),
        Change("ranker", "candidate", digest, None),
    )
    assert rollout.next_stage(last.candidate, (25, 100)) == ("active", 100)  # type: ignore[arg-type]
    assert rollout.next_stage(last.candidate, (10, 50, 75, 100)) == ("canary", 75)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("shift", "metric"), [({"quality": -0.07}, "quality"), ({"latency": 1.25}, "latency_ms")]
)
def test_regression_beyond_its_limit_rolls_back(shift: dict[str, float], metric: str) -> None:
    found = assess(samples(60, **shift))
    assert found.verdict == "rollback"
    assert metric in found.reason
    digest = rollout.candidate_digest({"cutoff": 0.65})
    assert rollout.changes(policy(), found, (10, 50, 100)) == (
        Change("ranker", "candidate", digest, None),
    )


def test_small_worsening_within_the_limit_does_not_roll_back() -> None:
    found = assess(samples(200, latency=1.05))  # p95 about 5% worse: within 10%
    latency = next(m for m in found.measured if m.metric == "latency_ms")
    assert latency.outcome != "regressed"
    assert found.verdict == "inconclusive"


def test_flat_candidate_is_inconclusive_then_asks_a_person() -> None:
    flat = samples(60, seed=3)
    assert assess(flat).reason == "no significant improvement yet"
    late = rollout.assess(policy(), flat, RolloutLearnerConfig(), now=NOW + 30 * 86400)
    assert late.verdict == "inconclusive"
    assert "after 14 days: a person decides" in late.reason


def test_mann_whitney_by_configuration() -> None:
    found = assess(samples(60, quality=0.05), test="mann_whitney")
    assert (found.verdict, found.method) == ("promote", "mann_whitney")
    assert found.as_dict()["test"] == "mann_whitney"


def test_margin_must_be_exceeded() -> None:
    metrics = {"quality": {"better": "higher", "margin": 0.5}}
    assert assess(samples(60, quality=0.05), metrics=metrics).verdict == "inconclusive"


def test_known_bad_candidate_rolls_back_whatever_the_data() -> None:
    found = rollout.assess(
        policy(), samples(60, quality=0.05), RolloutLearnerConfig(), now=NOW, known_bad="entry 4"
    )
    assert (found.verdict, found.reason) == ("rollback", "known-bad: entry 4")


def test_lookback_keeps_only_recent_samples_of_the_stage() -> None:
    old = samples(40, quality=-0.2, start="2026-01-01T00:10:00Z", seed=1)
    recent = samples(40, quality=0.05, start="2026-01-20T00:00:00Z", seed=2)
    found = rollout.assess(policy(), old + recent, RolloutLearnerConfig(), now=NOW)
    assert found.samples == {"control": 40, "candidate": 40}
    assert found.verdict == "promote"


def test_same_inputs_same_assessment() -> None:
    assert (
        assess(samples(60, quality=0.05)).as_dict() == assess(samples(60, quality=0.05)).as_dict()
    )


def test_rollout_needs_a_candidate_and_moves_since_only_with_data() -> None:
    bare = Policy.from_dict("policies/ranker.yaml", {"name": "ranker", "version": 1})
    with pytest.raises(ValueError, match="ranker has no candidate"):
        rollout.assess(bare, [], RolloutLearnerConfig(), now=NOW)
    promoted = replace(assess(samples(60, quality=0.1)), newest=None)
    assert promoted.verdict == "promote"
    found = rollout.changes(policy(), promoted, (10, 50, 100))
    assert [c.target for c in found] == ["candidate.percent"]


def _promotion(commit: str, learner: str, values: Any) -> Promotion:
    return promotion(commit, learner=learner, values=values)


def test_known_bad_are_rollbacks_by_the_rollout_and_reverted_activations() -> None:
    removal = {"ranker.candidate": {"from": "d-rolled", "to": None}}
    activation = {
        "ranker.candidate": {"from": "d-active", "to": None},
        "ranker.parameters.cutoff": {"from": 0.5, "to": 0.65},
    }
    entries = sealed(  # seq 1 to 10
        _promotion("c1", "rollout", removal),
        _promotion("c2", "rollout", activation),  # an activation is not a rollback ...
        _promotion("c3", "rollout", {"ranker.candidate.percent": {"from": 10, "to": 50}}),
        _promotion("c4", "weights", {"w.candidate": {"from": "d-other", "to": None}}),
        _promotion("c5", "rollout", {}),
        rollback("r6", "c2"),  # ... until a revert undoes it
        rollback("r7", "c3"),  # a stage step names no candidate
        rollback("r8", "c4"),  # another learner's promotion
        rollback("r9", "c-unknown"),
        rejection(3),
    )
    assert rollout.known_bad(entries) == {
        "d-rolled": "rolled back in ledger entry 1",
        "d-active": "reverted in ledger entry 6",
    }
    assert rollout.known_bad([]) == {}


def test_daily_means_per_arm_on_days_both_arms_measured() -> None:
    day = 86400
    t0 = parse_time("2026-01-02T10:00:00Z")
    found = [
        Sample(t0, "control", {"quality": 0.5}),
        Sample(t0 + 60, "control", {"quality": 0.7}),
        Sample(t0 + 120, "candidate", {"quality": 0.9}),
        Sample(t0 + 180, "candidate", {"latency_ms": 5.0}),  # another metric
        Sample(t0 + day, "control", {"quality": 0.4}),  # the candidate missed this day
        Sample(t0 + 2 * day, "candidate", {"quality": 0.8}),
        Sample(t0 + 2 * day + 1, "control", {"quality": 0.6}),
        Sample(t0 + 3 * day, "control", {"quality": 0.1}),
        Sample(t0 + 3 * day, "candidate", {"quality": 0.2}),
    ]
    assert rollout.daily(found, "quality", 5) == [
        ("2026-01-02", pytest.approx(0.6), 0.9),
        ("2026-01-04", 0.6, 0.8),
        ("2026-01-05", 0.1, 0.2),
    ]
    assert rollout.daily(found, "quality", 2) == [
        ("2026-01-04", 0.6, 0.8),
        ("2026-01-05", 0.1, 0.2),
    ]
    assert rollout.daily(found, "latency_ms", 5) == []


WEIGHTS = {"grounding": 0.5, "latency_p95_norm": 0.5}  # the other terms weigh 0: not needed


def test_with_crl_computes_each_lines_loss_by_hand_and_counts_missing_terms() -> None:
    lines = [
        Sample(1, "control", {"grounding": 0.8, "latency_p95_norm": 0.4}),  # 0.5*0.2 + 0.5*0.4
        Sample(2, "candidate", {"grounding": 0.9, "latency_p95_norm": 0.2, "crl": 0.01}),
        Sample(3, "candidate", {"latency_p95_norm": 0.2}),
    ]
    found, lacking = rollout.with_crl(lines, WEIGHTS)
    assert found[0].metrics["crl"] == pytest.approx(0.3)
    assert found[1].metrics["crl"] == 0.01  # a line's own loss is kept
    assert "crl" not in found[2].metrics  # never read as 0
    assert lacking == {"grounding": 1}


def _losses(n: int, shift: float, *, drop: bool = False) -> list[Sample]:
    rng = np.random.default_rng(3)
    found = []
    for i in range(n):
        for arm in ("control", "candidate"):
            terms = {
                "grounding": 0.8 + rng.normal(0, 0.02) + (shift if arm == "candidate" else 0),
                "latency_p95_norm": 0.4 + rng.normal(0, 0.02),
            }
            if drop and arm == "candidate":
                del terms["grounding"]
            found.append(Sample(parse_time(SINCE) + 60 * (i + 1), arm, terms))
    return found


def test_a_lower_composite_run_loss_promotes_and_a_missing_term_never_does() -> None:
    config = RolloutLearnerConfig(metrics={"crl": {"max_regression": 0.1}})
    assert rollout.rules(config.metrics)[0].better == "lower"  # the default for a loss
    better = rollout.assess(policy(), _losses(60, 0.05), config, now=NOW, weights=WEIGHTS)
    assert better.verdict == rollout.PROMOTE and better.reason.startswith(
        "significant improvement: crl"
    )
    worse = rollout.assess(policy(), _losses(60, -0.1), config, now=NOW, weights=WEIGHTS)
    assert worse.verdict == rollout.ROLLBACK
    missing = rollout.assess(
        policy(), _losses(60, 0.05, drop=True), config, now=NOW, weights=WEIGHTS
    )
    assert missing.verdict == rollout.INCONCLUSIVE
    assert missing.reason == "crl: composite run loss needs the term(s) grounding (60 sample(s))"
