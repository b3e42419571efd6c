"""Composite run loss and seed stability: hand-computed vectors."""

from __future__ import annotations

import pytest

from bot.core import crl
from bot.core.stability import score, spread

TERMS = {
    "gate_pass_rate": 0.8,
    "contradiction_rate": 0.1,
    "grounding": 0.9,
    "cost_over_budget_pct": 0.2,
    "latency_p95_norm": 0.5,
    "security_criticals": 1,
    "api_breakages": 2,
    "db_migration_fail": 0,
    "rag_coverage": 0.6,
}
PERFECT = {**dict.fromkeys(crl.TERMS, 0.0), "gate_pass_rate": 1, "grounding": 1, "rag_coverage": 1}
WORST_RATES = {
    **dict.fromkeys(crl.TERMS, 1.0),
    "gate_pass_rate": 0,
    "grounding": 0,
    "rag_coverage": 0,
}


def test_crl_hand_vector_with_the_default_weights() -> None:
    # 0.2*0.2 + 0.15*0.1 + 0.15*0.1 + 0.15*0.2 + 0.1*0.5 + 0.1*1 + 0.05*2 + 0.05*0 + 0.05*0.4
    loss = crl.compute(TERMS)
    assert loss.value == pytest.approx(0.37, abs=1e-9)
    assert loss.contributions["gate_pass_rate"] == pytest.approx(0.04)
    assert loss.contributions["rag_coverage"] == pytest.approx(0.02)
    assert loss.contributions["api_breakages"] == pytest.approx(0.1)


@pytest.mark.parametrize(("terms", "expected"), [(PERFECT, 0.0), (WORST_RATES, 1.0)])
def test_crl_bounds_with_the_default_weights(terms: dict[str, float], expected: float) -> None:
    assert crl.compute(terms).value == pytest.approx(expected)
    assert sum(crl.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_crl_with_configured_weights_reads_only_weighted_terms() -> None:
    weights = {**dict.fromkeys(crl.TERMS, 0.0), "gate_pass_rate": 1.0, "security_criticals": 0.5}
    loss = crl.compute({"gate_pass_rate": 0.75, "security_criticals": 2}, weights)
    assert loss.value == pytest.approx(0.25 + 1.0)
    assert set(loss.contributions) == {"gate_pass_rate", "security_criticals"}


def test_crl_missing_term_is_an_error_naming_it_never_zero() -> None:
    terms = {k: v for k, v in TERMS.items() if k not in ("grounding", "rag_coverage")}
    with pytest.raises(crl.MissingTerm) as raised:
        crl.compute(terms, where="runs.jsonl:3")
    assert raised.value.terms == ("grounding", "rag_coverage")
    assert "runs.jsonl:3" in str(raised.value) and "grounding, rag_coverage" in str(raised.value)


def test_crl_delta_is_candidate_minus_baseline() -> None:
    better = crl.compute({**TERMS, "gate_pass_rate": 0.9})
    assert crl.delta(crl.compute(TERMS), better) == pytest.approx(-0.02)


@pytest.mark.parametrize(
    ("values", "mean", "std", "stability"),
    [
        ([0.8, 0.8, 0.8], 0.8, 0.0, 1.0),
        ([0.9, 0.5, 0.7], 0.7, 0.163299316, 0.766715263),
        ([1.0, 0.0], 0.5, 0.5, 0.0),
        ([2, 4, 4, 4, 5, 5, 7, 9], 5.0, 2.0, 0.6),
        ([0.0, 0.0, 0.0], 0.0, 0.0, 1.0),
        ([0.2, -0.2], 0.0, 0.2, 0.0),
        ([-0.5, -0.5, -0.2], -0.4, 0.141421356, 0.646446609),
    ],
)
def test_stability_hand_vectors(
    values: list[float], mean: float, std: float, stability: float
) -> None:
    found = spread(values)
    assert (found.mean, found.std) == (pytest.approx(mean), pytest.approx(std))
    assert found.stability == pytest.approx(stability)


def test_stability_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one"):
        spread([])
    assert score(1.0, 0.05) == pytest.approx(0.95)


def test_crl_loss_and_spread_as_dicts() -> None:
    loss = crl.Loss(0.25, {"a": 0.25})
    assert loss.as_dict() == {"crl": 0.25, "contributions": {"a": 0.25}}
    found = spread([1.0, 1.0])
    assert found.as_dict() == {"values": [1.0, 1.0], "mean": 1.0, "std": 0.0, "stability": 1.0}


def test_crl_replay_loss_replaces_the_gate_pass_rate_and_names_what_is_missing() -> None:
    from bot.model import RunMetrics

    run = RunMetrics("nightly", 10, TERMS)
    found = crl.replay_loss(run, crl.DEFAULT_WEIGHTS, 0.5, 0.75)
    assert found.baseline == pytest.approx(0.37 + 0.2 * 0.3)  # 1 - 0.5 instead of 1 - 0.8
    assert found.delta == pytest.approx(-0.05)
    assert found.to_dict()["delta"] == found.delta
    gap = RunMetrics("gap", 11, {k: v for k, v in TERMS.items() if k != "grounding"})
    missing = crl.replay_loss(gap, crl.DEFAULT_WEIGHTS, 0.5, 0.75)
    assert missing.delta is None and "grounding" in missing.problem
    assert "no system-wide run" in crl.replay_loss(None, crl.DEFAULT_WEIGHTS, 0, 0).problem
    part = RunMetrics("p", 12, TERMS, component="billing")
    assert crl.latest_system_run([run, gap, part]) is gap
    assert crl.latest_system_run([part]) is None
