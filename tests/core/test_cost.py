"""The deterministic cost model: events scanned, conditions, declared costs of what runs."""

from __future__ import annotations

from bot.core import cost
from bot.core.evaluate import evaluate
from bot.model.report import Work
from tests.builders import case, event, parameter, params, policy, snapshot

SNAP = snapshot([event(h, term="x") for h in (1, 2, 3, 24 * 10)])  # three in a 7-day window
OPERATORS = {
    "on": {"kind": "exclude_synthetic", "active": True, "cost": {"time_ms": 1.5, "memory_kb": 8}},
    "off": {"kind": "exclude_synthetic", "active": False, "cost": {"time_ms": 99}},
}
METRICS = {"m": {"kind": "ratio", "active": True, "cost": {"time_ms": 0.5}}}


def test_cost_counts_window_events_per_condition_and_declared_costs_per_case() -> None:
    falsifier = {"kind": "count", "match": {"term": "y"}, "threshold": "p.limit"}
    cases = {"a": case("a", SNAP.sha256), "b": case("b", SNAP.sha256, falsifiers=[falsifier])}
    view = params(policy(operators=OPERATORS, metrics=METRICS), policy("q"))
    results = [evaluate(c, view, SNAP) for c in cases.values()]
    # a: 3 events x (signals + 1 trigger); b: 3 x (signals + trigger + falsifier)
    assert cost.count(results, cases, {SNAP.sha256: SNAP}, view) == Work(
        3 * 2 + 3 * 3, 3, 4.0, 16.0
    )
    assert cost.count([], cases, {SNAP.sha256: SNAP}, view) == Work(0, 0, 0.0, 0.0)


def test_cost_of_a_wider_window_counts_the_events_it_adds() -> None:
    cases = {"a": case("a", SNAP.sha256)}
    narrow = params(policy())
    wide = params(policy(parameters={"min_count": parameter(3), "window_days": parameter(11)}))
    found = [
        cost.count([evaluate(cases["a"], view, SNAP)], cases, {SNAP.sha256: SNAP}, view)
        for view in (narrow, wide)
    ]
    assert [w.events_scanned for w in found] == [3 * 2, 4 * 2]
