"""Each gate criterion fails on its own; the gate fails closed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.core import gate
from bot.model import GateConfig

GOOD: dict[str, Any] = {
    "source_case": "a",
    "delta": {
        "pass_rate_delta": 0.1,
        "fixed_cases": ["a"],
        "protected_regressions": [],
        "regression_count": 0,
    },
    "cost_delta": {
        "baseline_time_ms": 100.0,
        "proposal_time_ms": 110.0,
        "baseline_memory_kb": 1000.0,
        "proposal_memory_kb": 1100.0,
    },
    "stabilization": {"runs": 3, "distinct_outcomes": 1, "identical": True},
}


def with_(path: str, value: Any, base: dict[str, Any] = GOOD) -> dict[str, Any]:
    report = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = report
    for key in parents:
        target = target[key]
    target[last] = value
    return report


def test_good_report_passes_every_criterion() -> None:
    verdict = gate.decide(GOOD, GateConfig())
    assert verdict.allowed and verdict.reasons == ()
    assert [c.name for c in verdict.criteria] == [
        "pass_rate_delta",
        "failed_cases_now_passing",
        "source_case_fixed",
        "protected_regressions",
        "passing_cases_now_failing",
        "time_increase",
        "memory_increase",
        "stabilization",
    ]


@pytest.mark.parametrize(
    ("path", "value", "failing"),
    [
        ("delta.pass_rate_delta", 0.04, "pass_rate_delta"),
        ("delta.fixed_cases", [], "failed_cases_now_passing"),
        ("source_case", "b", "source_case_fixed"),
        ("delta.protected_regressions", ["p"], "protected_regressions"),
        ("delta.regression_count", 1, "passing_cases_now_failing"),
        ("cost_delta.proposal_time_ms", 130.0, "time_increase"),
        ("cost_delta.proposal_memory_kb", 1300.0, "memory_increase"),
        ("stabilization.identical", False, "stabilization"),
    ],
)
def test_each_criterion_fails_on_its_own(path: str, value: Any, failing: str) -> None:
    base = with_("source_case", None) if failing == "failed_cases_now_passing" else GOOD
    verdict = gate.decide(with_(path, value, base), GateConfig())
    assert not verdict.allowed
    assert [c.name for c in verdict.criteria if not c.passed] == [failing]
    assert verdict.reasons[0].startswith(failing)


def test_cost_increase_below_the_noise_floor_passes() -> None:
    report = with_("cost_delta.baseline_time_ms", 1.0)
    report["cost_delta"]["proposal_time_ms"] = 3.0  # +200 %, but only +2 ms
    assert gate.decide(report, GateConfig()).allowed
    assert not gate.decide(report, GateConfig(time_floor_ms=1.0)).allowed


def test_thresholds_come_from_config() -> None:
    report = with_("delta.pass_rate_delta", 0.04)
    assert gate.decide(report, GateConfig(min_pass_rate_delta=0.04)).allowed
    assert (
        gate.decide(with_("delta.fixed_cases", []), GateConfig(require_fixed_case=False))
        .criteria[1]
        .passed
    )


def test_empty_gate_fails_closed() -> None:
    verdict = gate.all_of((), GOOD, GateConfig())
    assert not verdict.allowed
    assert verdict.reasons == ("no criteria to check: the gate fails closed",)


def test_objective_reports_use_the_objective_rules() -> None:
    report = {**copy.deepcopy(GOOD), "objective": {"delta": 0.02}}
    names = [c.name for c in gate.decide(report, GateConfig()).criteria]
    assert names[0] == "objective_delta" and "pass_rate_delta" not in names
    report["objective"]["delta"] = 0.0
    assert not gate.decide(report, GateConfig()).allowed


def test_verdict_as_dict_lists_value_limit_and_verdict() -> None:
    data = gate.decide(with_("delta.regression_count", 2), GateConfig()).as_dict()
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
