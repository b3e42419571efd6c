"""Each gate rule fails on its own; rules compose with AllOf, which fails closed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.core import gate
from bot.core.learners.registry import LEARNERS
from bot.model import GateConfig
from bot.model.report import Consistency, Objective, SandboxReport, Training

GOOD_DATA: dict[str, Any] = {
    "sandbox_run_id": "sandbox_p_1",
    "proposal_id": "p",
    "executed_at": "2026-01-01T00:00:00Z",
    "source_case": "a",
    "replayed_cases": ["a"],
    "all_cases": 10,
    "baseline": {
        "backtest_pass_rate": 0.5,
        "hit_count": 1,
        "miss_count": 1,
        "abstain_count": 0,
        "error_count": 0,
        "avg_score": 0.5,
    },
    "proposal": {
        "backtest_pass_rate": 0.6,
        "hit_count": 2,
        "miss_count": 0,
        "abstain_count": 0,
        "error_count": 0,
        "avg_score": 0.6,
    },
    "delta": {
        "pass_rate_delta": 0.1,
        "hit_count_delta": 1,
        "avg_score_delta": 0.1,
        "fixed_cases": ["a"],
        "regressed_cases": [],
        "protected_regressions": [],
    },
    "cost_model": {
        "baseline": {
            "events_scanned": 500_000,
            "conditions": 4,
            "declared_time_ms": 100.0,
            "declared_memory_kb": 2000.0,
        },
        "proposal": {
            "events_scanned": 550_000,
            "conditions": 4,
            "declared_time_ms": 110.0,
            "declared_memory_kb": 2100.0,
        },
    },
    "stabilization": {"runs": 3, "distinct_outcomes": 1},
    "case_details": [],
    "seeds": {
        "seeds": [42],
        "stochastic": False,
        "baseline": {"values": [0.5], "mean": 0.5, "std": 0.0, "stability": 1.0},
        "proposal": {"values": [0.6], "mean": 0.6, "std": 0.0, "stability": 1.0},
    },
}
CASE_RULES = LEARNERS["backtest"].rules()


def with_(path: str, value: Any, base: dict[str, Any] = GOOD_DATA) -> SandboxReport:
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return SandboxReport.from_dict(data)


GOOD = SandboxReport.from_dict(GOOD_DATA)


def test_gate_good_report_passes_every_case_rule() -> None:
    verdict = CASE_RULES.check(GOOD, GateConfig())
    assert verdict.allowed and verdict.reasons == ()
    assert [c.name for c in verdict.criteria] == [
        "pass_rate_delta",
        "failed_cases_now_passing",
        "source_case_fixed",
        "protected_regressions",
        "passing_cases_now_failing",
        "work_increase",
        "declared_time_increase",
        "declared_memory_increase",
        "stabilization",
        "stability",
    ]


@pytest.mark.parametrize(
    ("path", "value", "failing"),
    [
        ("delta.fixed_cases", [], "failed_cases_now_passing"),
        ("source_case", "b", "source_case_fixed"),
        ("delta.protected_regressions", ["p"], "protected_regressions"),
        ("delta.regressed_cases", ["r"], "passing_cases_now_failing"),
        ("cost_model.proposal.events_scanned", 700_000, "work_increase"),
        ("cost_model.proposal.declared_time_ms", 130.0, "declared_time_increase"),
        ("cost_model.proposal.declared_memory_kb", 2700.0, "declared_memory_increase"),
        ("stabilization.distinct_outcomes", 2, "stabilization"),
    ],
)
def test_gate_each_rule_fails_on_its_own(path: str, value: Any, failing: str) -> None:
    base = copy.deepcopy(GOOD_DATA)
    if failing == "failed_cases_now_passing":
        base["source_case"] = None
    verdict = CASE_RULES.check(with_(path, value, base), GateConfig())
    assert not verdict.allowed
    assert [c.name for c in verdict.criteria if not c.passed] == [failing]
    assert verdict.reasons[0].startswith(failing)


def test_gate_cost_increase_up_to_the_floor_passes() -> None:
    data = copy.deepcopy(GOOD_DATA)
    data["cost_model"]["baseline"]["declared_time_ms"] = 1.0
    data["cost_model"]["proposal"]["declared_time_ms"] = 3.0  # +200 %, but only +2 ms
    report = SandboxReport.from_dict(data)
    assert CASE_RULES.check(report, GateConfig()).allowed
    assert not CASE_RULES.check(report, GateConfig(time_floor_ms=1.0)).allowed
    small = copy.deepcopy(GOOD_DATA)
    small["cost_model"]["baseline"]["events_scanned"] = 1_000
    small["cost_model"]["proposal"]["events_scanned"] = 90_000  # x90, but within the floor
    assert CASE_RULES.check(SandboxReport.from_dict(small), GateConfig()).allowed
    refused = CASE_RULES.check(SandboxReport.from_dict(small), GateConfig(work_floor_events=10))
    assert refused.reasons == (
        "work_increase: 1000 -> 90000 events scanned (+8900.0%) "
        "(needs <= +20% (or +10 events scanned))",
    )


def test_gate_cost_increase_is_one_rule_over_any_measure_of_the_cost_model() -> None:
    """The work, declared-time and declared-memory rules are one rule with three settings."""
    conditions = gate.CostIncrease(
        "conditions_increase",
        "conditions",
        measure=lambda work: work.conditions,
        ratio=lambda config: config.max_memory_increase,
        floor=lambda config: 1.0,
    )
    grown = with_("cost_model.proposal.conditions", 6)  # +2 over a floor of 1, +50 % of 4
    assert conditions.check(GOOD, GateConfig()).passed
    found = conditions.check(grown, GateConfig(max_memory_increase=0.25))
    assert (found.passed, found.value) == (False, "4 -> 6 conditions (+50.0%)")
    assert conditions.check(grown, GateConfig(max_memory_increase=0.5)).passed
    config = GateConfig(
        max_time_increase=0.05,
        max_memory_increase=0.5,
        time_floor_ms=0.0,
        work_floor_events=0,
        memory_floor_kb=0.0,
    )
    verdicts = {
        rule.name: rule.check(GOOD, config).passed
        for rule in (gate.WORK_COST, gate.DECLARED_TIME, gate.DECLARED_MEMORY)
    }
    assert verdicts == {
        "work_increase": False,  # +10 % events, over the time ratio
        "declared_time_increase": False,  # +10 %
        "declared_memory_increase": True,  # +5 %, within the memory ratio
    }


def test_gate_a_one_case_fix_passes_however_many_cases_there_are() -> None:
    # one fix among 10,000 cases: a pass-rate gain of 0.0001, the absolute criteria all hold
    report = with_("all_cases", 10_000)
    verdict = CASE_RULES.check(report, GateConfig())
    assert verdict.allowed
    assert verdict.criteria[0].as_dict() == {
        "name": "pass_rate_delta",
        "value": "0.0001 over all 10000 cases",
        "limit": "not required (optional, off)",
        "passed": True,
    }
    strict = CASE_RULES.check(report, GateConfig(min_pass_rate_delta=0.05))
    assert strict.reasons == ("pass_rate_delta: 0.0001 over all 10000 cases (needs >= 0.05)",)


def test_gate_thresholds_come_from_config() -> None:
    report = with_("all_cases", 25)  # one more hit among 25 cases: +0.04 over all cases
    assert CASE_RULES.check(report, GateConfig(min_pass_rate_delta=0.04)).allowed
    assert not CASE_RULES.check(report, GateConfig(min_pass_rate_delta=0.05)).allowed
    unfixed = with_("delta.fixed_cases", [])
    assert gate.FixedCase().check(unfixed, GateConfig(require_fixed_case=False)).passed


def test_gate_empty_all_of_fails_closed() -> None:
    verdict = gate.AllOf().check(GOOD, GateConfig())
    assert not verdict.allowed
    assert verdict.reasons == ("no criteria to check: the gate fails closed",)


def test_gate_rules_are_the_learners_not_the_reports_keys() -> None:
    """A case report judged by the weights rules fails closed: it measured no objective."""
    verdict = LEARNERS["weights"].rules().check(GOOD, GateConfig())
    assert not verdict.allowed
    assert verdict.criteria[0].name == "objective_delta"
    assert verdict.criteria[0].value == "no objective measured"
    assert "pass_rate_delta" not in [c.name for c in verdict.criteria]
    assert not LEARNERS["karma"].rules().check(GOOD, GateConfig()).allowed


def _objective(delta: float, *, required: bool = True, hit_after: float = 0.6) -> Objective:
    return Objective("corr", 0.1, 0.1 + delta, delta, 0.5, hit_after, 30, required)


@pytest.mark.parametrize(
    ("objective", "allowed", "failing"),
    [
        (_objective(0.02), True, []),
        (_objective(0.0), False, ["objective_delta"]),
        (_objective(0.02, hit_after=0.4), False, ["hit_rate_not_lower"]),
        (_objective(-0.1, required=False, hit_after=0.4), True, []),
    ],
)
def test_gate_objective_rules(objective: Objective, allowed: bool, failing: list[str]) -> None:
    report = SandboxReport.from_dict({**GOOD_DATA, "objective": {**objective.__dict__}})
    assert report.evidence == objective
    verdict = LEARNERS["weights"].rules().check(report, GateConfig())
    assert verdict.allowed is allowed
    assert [c.name for c in verdict.criteria if not c.passed] == failing


def test_gate_consistency_rule_names_the_difference() -> None:
    differs = Consistency.compare("the EMA", {"k": 1, "j": 2}, {"k": 1, "j": 3})
    assert differs == Consistency("the EMA", False, "j: 3 vs 2")
    report = SandboxReport.from_dict({**GOOD_DATA, "consistency": differs.__dict__})
    verdict = LEARNERS["skills"].rules().check(report, GateConfig())
    assert not verdict.allowed
    assert verdict.reasons == (
        "matches_recomputation: differs: j: 3 vs 2 (needs equal to the EMA)",
    )
    same = SandboxReport.from_dict(
        {**GOOD_DATA, "consistency": Consistency.compare("x", {"k": 1}, {"k": 1}).__dict__}
    )
    assert LEARNERS["karma"].rules().check(same, GateConfig()).allowed


def test_gate_report_round_trips_through_its_dict() -> None:
    data = GOOD.to_dict()
    assert SandboxReport.from_dict(data) == GOOD
    assert data["delta"]["regression_count"] == 0 and data["stabilization"]["identical"] is True
    assert "objective" not in data and "consistency" not in data


def test_gate_verdict_as_dict_lists_value_limit_and_verdict() -> None:
    report = with_("delta.regressed_cases", ["x", "y"])
    data = CASE_RULES.check(report, GateConfig()).as_dict()
    row = next(c for c in data["criteria"] if c["name"] == "passing_cases_now_failing")
    assert row == {
        "name": "passing_cases_now_failing",
        "value": 2,
        "limit": "<= 0",
        "passed": False,
    }
    assert data["allowed"] is False and data["reasons"] == [
        "passing_cases_now_failing: 2 (needs <= 0)"
    ]


UNSTABLE = {
    "seeds": [42, 43, 44],
    "stochastic": True,
    "baseline": {"values": [0.3, 0.3, 0.3], "mean": 0.3, "std": 0.0, "stability": 1.0},
    "proposal": {
        "values": [1.0, 0.3, 0.3],
        "mean": 0.533333,
        "std": 0.329983,
        "stability": 0.381282,
    },
}


def test_gate_seed_stability_refuses_an_unstable_stochastic_candidate() -> None:
    verdict = CASE_RULES.check(with_("seeds", UNSTABLE), GateConfig())
    assert not verdict.allowed
    (reason,) = verdict.reasons
    assert reason.startswith("stability: 0.381 over seeds 42, 43, 44 (pass rate mean 0.533")
    assert reason.endswith("(needs >= 0.9)")
    assert CASE_RULES.check(with_("seeds", UNSTABLE), GateConfig(min_stability=0.3)).allowed
    stable = {**UNSTABLE, "proposal": {**UNSTABLE["proposal"], "stability": 0.95}}
    assert CASE_RULES.check(with_("seeds", stable), GateConfig()).allowed
    without = copy.deepcopy(GOOD_DATA)
    del without["seeds"]
    missing = CASE_RULES.check(SandboxReport.from_dict(without), GateConfig())
    assert missing.reasons == ("stability: not replayed under seeds (needs >= 0.9)",)


def test_gate_crl_rule_only_when_configured_and_a_missing_term_fails_it() -> None:
    rules = gate.configured(CASE_RULES, GateConfig())
    assert rules is CASE_RULES
    config = GateConfig(max_crl_delta=0.0)
    rules = gate.configured(CASE_RULES, config)
    assert [type(r).__name__ for r in rules.rules][-1] == "CrlNotHigher"
    lower = {"run_id": "r", "baseline": 0.3, "proposal": 0.28, "problem": ""}
    assert rules.check(with_("crl", lower), config).allowed
    higher = {**lower, "proposal": 0.31}
    assert rules.check(with_("crl", higher), config).reasons == ("crl_delta: 0.01 (needs <= 0)",)
    assert rules.check(with_("crl", higher), GateConfig(max_crl_delta=0.02)).allowed
    broken = {"run_id": "r", "baseline": None, "proposal": None, "problem": "missing grounding"}
    (reason,) = rules.check(with_("crl", broken), config).reasons
    assert reason == "crl_delta: cannot compute: missing grounding (needs <= 0)"
    (reason,) = rules.check(GOOD, config).reasons
    assert reason == "crl_delta: cannot compute: no composite run loss measured (needs <= 0)"


def test_objective_at_its_maximum_needs_only_to_hold() -> None:
    cases = [
        (1.0, 0.0, 1.0, True),  # at its maximum, holds: accepted
        (1.0, -0.1, 1.0, False),  # at its maximum, falls
        (1.0, 0.0, 0.9, False),  # holds, but the hit rate falls
        (0.5, 0.0, 1.0, False),  # below its maximum, it must rise
        (0.5, 0.1, 1.0, True),
    ]
    for before, delta, hit_after, allowed in cases:
        found = Objective("corr", before, before + delta, delta, 1.0, hit_after, 20, maximum=1.0)
        report = SandboxReport.from_dict({**GOOD_DATA, "objective": {**found.__dict__}})
        verdict = LEARNERS["weights"].rules().check(report, GateConfig())
        assert verdict.allowed is allowed, (before, delta, hit_after)


def _trained(delta: float, *, matches: bool = True) -> SandboxReport:
    training = Training(0.8, round(0.8 + delta, 6), delta, 0.02, 5, 60, {}, {}, {}, matches, "")
    if not matches:
        training = Training(**{**training.__dict__, "difference": "p.limit: 0.9 vs 0.7"})
    return SandboxReport.from_dict({**GOOD_DATA, "training": training.to_dict()})


@pytest.mark.parametrize(
    ("report", "failing"),
    [
        (_trained(0.05), []),
        (_trained(0.02), []),  # exactly the configured delta
        (_trained(0.01), ["held_out_accuracy_delta"]),
        (_trained(0.05, matches=False), ["matches_refit"]),
        (GOOD, ["held_out_accuracy_delta", "matches_refit"]),  # nothing trained
    ],
)
def test_gate_trainer_rules_judge_held_out_accuracy_and_the_refit(
    report: SandboxReport, failing: list[str]
) -> None:
    verdict = gate.AllOf(gate.AccuracyGain(), gate.RefitMatches()).check(report, GateConfig())
    assert [c.name for c in verdict.criteria if not c.passed] == failing
    assert verdict.allowed is not failing


def test_gate_trainer_rules_say_what_they_measured() -> None:
    verdict = gate.AllOf(gate.AccuracyGain(), gate.RefitMatches())
    assert verdict.check(_trained(0.01, matches=False), GateConfig()).reasons == (
        "held_out_accuracy_delta: 0.8000 -> 0.8100 (+0.0100) (needs >= +0.02)",
        "matches_refit: differs: p.limit: 0.9 vs 0.7 (needs equal to the refit on the base)",
    )
    assert verdict.check(GOOD, GateConfig()).reasons == (
        "held_out_accuracy_delta: nothing trained (needs a training)",
        "matches_refit: nothing trained (needs a training)",
    )
