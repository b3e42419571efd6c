"""Candidate generation, rule by rule, always within bounds."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from bot.core.analyze import Run, analyze
from bot.core.evaluate import evaluate
from bot.core.learners import backtest as learner
from bot.core.params import Change
from tests.builders import case, event, parameter, params, policy, snapshot

RUN = Run("run_x", "r" * 40, "2026-01-01T00:00:00Z")


def run_rules(
    events: list[dict[str, Any]], pol: Any = None, others: tuple[Any, ...] = (), **fields: Any
):  # type: ignore[no-untyped-def]
    snap = snapshot(events)
    subject = case("subject", snap.sha256, **fields)
    p = params(pol or policy())
    result = evaluate(subject, p, snap)
    assert result.failed, result
    failure = analyze(subject, result, p, snap, RUN)
    cases = {c.id: c for c in (subject, *others)}
    return learner.candidates(failure, learner.CaseContext(subject, p, snap, cases))


def by_type(found: tuple[Any, ...], type_: str) -> list[Any]:
    return [c for c in found if c.proposal_type == type_]


def test_threshold_relaxed_to_the_measured_value_on_the_grid() -> None:
    other = case("other", triggers=[{"kind": "count", "threshold": "p.min_count"}])
    unrelated = case("unrelated", triggers=[{"kind": "count", "threshold": "p.limit"}])
    found, _ = run_rules([event(1, term="x"), event(2, term="x")], others=(other, unrelated))
    (candidate,) = by_type(found, "threshold_adjustment")
    assert candidate.changes == (Change("p", "parameters.min_count", 3, 2),)
    assert candidate.impact == ("other", "subject")  # every case that reads p.min_count
    assert "Relax p.min_count from 3 to 2" in candidate.rationale


@pytest.mark.parametrize(
    ("op", "actual", "make_met", "expected"),
    [
        (">=", 0.47, True, 0.45),
        (">=", 0.45, True, 0.45),  # floor; on the grid is enough
        (">", 0.45, True, 0.40),
        (">", 0.47, True, 0.45),  # strict: must go below
        (">=", 0.55, False, 0.6),
        (">=", 0.60, False, 0.65),  # make unmet: strictly above
        (">", 0.60, False, 0.6),
        ("<=", 0.52, True, 0.55),
        ("<", 0.55, True, 0.6),
        ("<=", 0.55, False, 0.5),
        ("<", 0.52, False, 0.5),
    ],
)
def test_flip_is_the_nearest_grid_value_on_the_right_side(
    op: str, actual: float, make_met: bool, expected: float
) -> None:
    grid = policy().parameters["limit"]  # 0..1 step 0.05
    assert learner._flip(actual, op, grid, make_met=make_met) == pytest.approx(expected)


def test_threshold_beyond_the_bound_is_dropped_with_the_reason() -> None:
    tight = policy(
        parameters={"min_count": parameter(3, 3, 10), "window_days": parameter(7, 1, 28)}
    )
    found, dropped = run_rules([event(1, term="x")], tight)
    assert not by_type(found, "threshold_adjustment")
    assert dropped[0].reason == "needs 1, outside the bounds [3, 10]"


def test_false_alarm_tightens_the_threshold() -> None:
    found, _ = run_rules([event(i + 1, term="x") for i in range(5)], expect="quiet")
    (candidate,) = by_type(found, "threshold_adjustment")
    assert candidate.changes[0].new == 6 and "Tighten" in candidate.rationale


def test_window_extension_is_the_smallest_step_that_passes() -> None:
    events = [event(1, term="x"), event(24 * 8, term="x"), event(24 * 9.5, term="x")]
    found, _ = run_rules(events)
    (candidate,) = by_type(found, "window_extension")
    assert candidate.changes == (Change("p", "parameters.window_days", 7, 10),)


def test_window_extension_dropped_when_no_window_in_bounds_passes() -> None:
    narrow = policy(parameters={"min_count": parameter(3), "window_days": parameter(7, 1, 8)})
    events = [event(1, term="x"), event(24 * 8, term="x"), event(24 * 9.5, term="x")]
    found, dropped = run_rules(events, narrow)
    assert not by_type(found, "window_extension")
    assert any("no value up to 8" in d.reason for d in dropped)


def test_integrity_filter_candidate_when_a_limit_is_exceeded() -> None:
    with_filter = policy(
        operators={"bots": {"kind": "exclude_synthetic", "active": False, "cost": {"time_ms": 1}}}
    )
    events = [event(i + 1, term="x", synthetic=i < 4) for i in range(8)]
    found, _ = run_rules(events, with_filter, integrity={"max_synthetic_share": 0.3})
    (candidate,) = by_type(found, "integrity_filter")
    assert candidate.changes == (Change("p", "operators.bots", False, True),)
    assert candidate.manifest["kind"] == "exclude_synthetic"
    assert not by_type(found, "new_operator")  # not offered twice


def test_integrity_without_a_registered_filter_is_dropped() -> None:
    events = [event(i + 1, term="x", synthetic=i < 4) for i in range(8)]
    _, dropped = run_rules(events, integrity={"max_synthetic_share": 0.3})
    assert any(d.reason == "no registered exclude_synthetic operator to enable" for d in dropped)


def test_tau_adjustment_for_a_decayed_count() -> None:
    decay = policy(
        parameters={
            "min_count": parameter(2, 0, 10, 0.5),
            "window_days": parameter(7, 1, 28),
            "tau": parameter(24, 12, 240, 12),
        },
        metrics={"recency": {"kind": "time_decay", "active": True, "config": {"tau": "tau"}}},
    )
    found, _ = run_rules([event(40, term="x"), event(44, term="x"), event(48, term="x")], decay)
    (candidate,) = by_type(found, "tau_adjustment")
    # sum(exp(-age / tau)) over ages 40, 44, 48 h: tau 108 -> 1.997, tau 120 -> 2.080 >= 2
    assert candidate.changes == (Change("p", "parameters.tau", 24, 120),)
    assert candidate.impact == ("subject",)  # tau reaches every case of the policy


def test_registered_inactive_operator_and_metric_with_manifest_drafts() -> None:
    registry = policy(
        operators={
            "aliases": {
                "kind": "alias_terms",
                "active": False,
                "config": {"aliases": {"x": ["ex"]}},
                "cost": {"time_ms": 0.5, "memory_kb": 2},
            }
        },
        metrics={"diverse": {"kind": "distinct_sources", "active": False}},
    )
    found, _ = run_rules([event(1, term="x")], registry)
    (operator,) = by_type(found, "new_operator")
    (metric,) = by_type(found, "new_metric")
    assert operator.manifest == {
        "id": "p.aliases",
        "kind": "alias_terms",
        "type": "operator",
        "expected_cost": {"time_ms": 0.5, "memory_kb": 2},
        "expected_delta": {"fixes": ["subject"], "affects": ["subject"]},
    }
    assert metric.changes == (Change("p", "metrics.diverse", False, True),)


def test_nothing_measured_drops_the_threshold_rule() -> None:
    snap = snapshot([event(1, "email", values={"other": 1})])
    subject = case(
        "s",
        snap.sha256,
        triggers=[{"kind": "aggregate", "fn": "max", "field": "risk", "threshold": "p.limit"}],
    )
    p = params()
    failure = analyze(subject, evaluate(subject, p, snap), p, snap, RUN)
    _, dropped = learner.candidates(failure, learner.CaseContext(subject, p, snap, {"s": subject}))
    assert dropped[0].reason == "nothing was measured, so no threshold can change the outcome"


def test_a_search_ends_by_counting_grid_steps_not_by_float_progress() -> None:
    # a 1e-10 step rounds back to the same 9-digit value: a float-progress loop never ends (#18)
    fine = policy(parameters={"min_count": parameter(3), "window_days": parameter(7, 1, 8, 1e-10)})
    events = [event(1, term="x"), event(24 * 8, term="x"), event(24 * 9.5, term="x")]
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(run_rules(events, fine)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the window search did not end"
    found, dropped = outcome[0]
    assert not by_type(found, "window_extension")
    assert any("(step limit) makes the case pass" in d.reason for d in dropped)


def test_grid_values_above_stop_at_the_maximum_and_at_the_step_limit() -> None:
    from bot.core.params import MAX_SEARCH_STEPS, grid_values_above
    from bot.model import Parameter

    assert list(grid_values_above(Parameter("w", 7, 1, 9.5, 1))) == [8, 9]
    assert list(grid_values_above(Parameter("w", 0.3, 0, 0.5, 0.1))) == [0.4, 0.5]
    many = list(grid_values_above(Parameter("w", 0.0, 0.0, 1.0, 1e-9)))
    assert len(many) == MAX_SEARCH_STEPS and many[0] == 1e-9


def test_a_falsifier_that_fired_gets_a_tightening_candidate_or_why_not() -> None:
    falsifier = {"kind": "count", "match": {"kind": "mention", "term": "y"}, "threshold": "p.limit"}
    events = [event(i, term="x") for i in range(1, 5)] + [event(i, term="y") for i in range(1, 5)]
    _, dropped = run_rules(events, falsifiers=[falsifier])
    assert any(d.description == "threshold_adjustment of p.limit" for d in dropped)
