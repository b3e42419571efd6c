"""Failure analysis: deterministic fields and a failure id that depends only on evidence."""

from __future__ import annotations

from bot.core.analyze import Run, analyze
from bot.core.evaluate import HIGH, MISS, Result, evaluate
from tests.builders import DAY, END, case, event, parameter, params, policy, snapshot

RUN_A = Run("run_20260101_000000", "a" * 40, "2026-01-01T00:00:00Z")
RUN_B = Run("run_20260202_000000", "b" * 40, "2026-02-02T00:00:00Z")


def failed(events: list[dict[str, object]], **case_fields: object) -> tuple[object, ...]:
    snap = snapshot(events)
    c = case(sha256=snap.sha256, **case_fields)
    p = params(policy(operators={"f": {"kind": "exclude_synthetic", "active": False}}))
    result = evaluate(c, p, snap)
    assert result.failed
    return c, result, p, snap


def test_failure_id_is_stable_across_runs_and_changes_with_evidence() -> None:
    c, result, p, snap = failed([event(1, term="x"), event(2, term="x")])
    first = analyze(c, result, p, snap, RUN_A)
    second = analyze(c, result, p, snap, RUN_B)
    assert first.failure_id == second.failure_id
    assert first.failure_id.startswith("failure_c_")
    assert first.as_dict()["run_id"] != second.as_dict()["run_id"]
    c2, result2, p2, snap2 = failed([event(1, term="x")])
    assert analyze(c2, result2, p2, snap2, RUN_A).failure_id != first.failure_id


def test_unmet_trigger_window_and_suggestions() -> None:
    events = [event(1, term="x"), event(8 * 24, term="x"), event(9 * 24, term="x")]
    c, result, p, snap = failed(events)
    analysis = analyze(c, result, p, snap, RUN_A)
    (unmet,) = analysis.unmet_triggers
    assert (unmet["parameter"], unmet["expected"], unmet["actual"]) == (
        "p.min_count",
        ">= 3.0",
        1.0,
    )
    assert analysis.signal_gaps["matching_before_window"] == {"trigger[0]": 2}
    assert analysis.hypothesis == "window_too_short"
    assert analysis.suggested_adjustments == (
        "relax_threshold:p.min_count",
        "extend_window:p.window_days",
        "enable_registered:p.operators.f",
    )
    assert analysis.temporal_gaps["trigger[0]"]["last_event_age_hours"] == 1.0


def test_threshold_too_strict_without_earlier_events() -> None:
    c, result, p, snap = failed([event(1, term="x")])
    assert analyze(c, result, p, snap, RUN_A).hypothesis == "threshold_too_strict"


def test_integrity_abstain() -> None:
    events = [event(i + 1, term="x", synthetic=i < 3) for i in range(5)]
    c, result, p, snap = failed(events, integrity={"max_synthetic_share": 0.3})
    analysis = analyze(c, result, p, snap, RUN_A)
    assert analysis.hypothesis == "integrity_contamination"
    assert analysis.integrity_conditions == {
        "synthetic_share": 0.6,
        "max_synthetic_share": 0.3,
        "exceeded": True,
    }
    assert "enable_integrity_filter" in analysis.suggested_adjustments
    assert analysis.backtest_result == {"status": "ABSTAIN", "score": 0.0, "confidence": "HIGH"}


def test_signal_shortage_abstain() -> None:
    events = [event(i + 1, term="x") for i in range(6)] + [event(10 * 24, term="y")]
    c, result, p, snap = failed(events, min_signals=10)
    analysis = analyze(c, result, p, snap, RUN_A)
    assert analysis.hypothesis == "insufficient_signals"
    assert analysis.signal_gaps["missing_events"] == 4
    assert analysis.signal_gaps["signals_before_window"] == 1
    assert "extend_window:p.window_days" in analysis.suggested_adjustments


def test_false_alarm_suggests_tightening() -> None:
    c, result, p, snap = failed([event(i + 1, term="x") for i in range(4)], expect="quiet")
    analysis = analyze(c, result, p, snap, RUN_A)
    assert analysis.hypothesis == "threshold_too_loose"
    assert analysis.suggested_adjustments[0] == "tighten_threshold:p.min_count"
    assert len(analysis.unmet_triggers) == 1  # the trigger that fired


def test_decay_hypothesis_names_the_tau_parameter() -> None:
    snap = snapshot([event(80, term="x"), event(90, term="x")])
    decay = policy(
        parameters={
            "min_count": parameter(1),
            "window_days": parameter(7, 1, 28),
            "tau": parameter(24, 12, 240, 12),
        },
        metrics={"r": {"kind": "time_decay", "active": True, "config": {"tau": "tau"}}},
    )
    c = case(sha256=snap.sha256)
    result = evaluate(c, params(decay), snap)
    analysis = analyze(c, result, params(decay), snap, RUN_A)
    assert analysis.hypothesis == "decay_too_fast"
    assert "adjust_tau:p.tau" in analysis.suggested_adjustments
    assert analysis.temporal_gaps["trigger[0]"]["metric"] == "time_decay"


def test_a_quiet_case_that_stayed_quiet_has_nothing_on_the_wrong_side() -> None:
    from bot.core.analyze import _wrong_side

    quiet = case(expect="quiet")
    result = evaluate(quiet, params(), snapshot([]))
    assert not result.fired and _wrong_side(quiet, result) == ()


def test_decay_tau_is_found_past_other_active_metrics() -> None:
    from bot.core.analyze import _decays

    decay = policy(
        metrics={
            "a": {"kind": "distinct_sources", "active": True, "config": {}},
            "r": {"kind": "time_decay", "active": True, "config": {"tau": "tau"}},
        },
    )
    assert _decays("p.min_count", params(decay)) == "p.tau"
    assert _decays("p.min_count", params(policy())) == ""


def test_a_falsifier_that_fired_is_too_sensitive() -> None:
    events = [event(1, term="x"), event(2, term="x"), event(3, term="x"), event(1, term="y")]
    falsifier = {"kind": "count", "match": {"term": "y"}, "threshold": "p.limit"}
    c, result, p, snap = failed(events, falsifiers=[falsifier])
    analysis = analyze(c, result, p, snap, RUN_A)
    assert analysis.unmet_triggers == ()
    (hit,) = analysis.hit_falsifiers
    assert (hit["parameter"], hit["actual"], hit["met"]) == ("p.limit", 1.0, True)
    assert analysis.hypothesis == "falsifier_too_sensitive"


def test_a_miss_without_a_condition_on_the_wrong_side_is_unexplained() -> None:
    # what a custom evaluator may report: a miss, with no condition to blame
    snap = snapshot([event(1, term="x")])
    c = case(sha256=snap.sha256)
    result = Result(c.id, MISS, 0.0, HIGH, window=(END - 7 * DAY, END))
    analysis = analyze(c, result, params(policy()), snap, RUN_A)
    assert (analysis.unmet_triggers, analysis.hit_falsifiers) == ((), ())
    assert analysis.hypothesis == "unexplained"
