"""Running all cases: custom evaluators and their failures, summaries."""

from __future__ import annotations

from typing import Any

from bot.core import backtest
from bot.core.evaluate import ERROR, HIGH, HIT, MISS, Result
from tests.builders import case, event, params, snapshot

SNAP = snapshot([event(i + 1, term="x") for i in range(3)])


def test_run_orders_by_case_id_and_uses_builtin_evaluator() -> None:
    results = backtest.run(
        [case("b", SNAP.sha256), case("a", SNAP.sha256)], params(), {SNAP.sha256: SNAP}
    )
    assert [r.case_id for r in results] == ["a", "b"]
    assert all(r.status == HIT for r in results)


def test_custom_evaluator_that_raises_is_an_error_result_not_a_crash() -> None:
    def broken(*_: Any) -> Result:
        raise ZeroDivisionError("division by zero")

    results = backtest.run(
        [case("a", SNAP.sha256), case("b", SNAP.sha256)],
        params(),
        {SNAP.sha256: SNAP},
        {"a": broken},
    )
    assert [(r.case_id, r.status) for r in results] == [("a", ERROR), ("b", HIT)]
    assert results[0].error == "ZeroDivisionError: division by zero"
    assert not results[0].failed and not results[0].passed


def test_custom_evaluator_may_return_a_mapping() -> None:
    def team(c: Any, p: Any, s: Any) -> dict[str, Any]:
        return {"status": MISS, "score": 0.25, "confidence": HIGH}

    (result,) = backtest.run([case("a", SNAP.sha256)], params(), {SNAP.sha256: SNAP}, {"a": team})
    assert (result.status, result.score, result.confidence, result.failed) == (
        MISS,
        0.25,
        HIGH,
        True,
    )


def test_custom_evaluator_returning_nonsense_is_an_error() -> None:
    def nonsense(*_: Any) -> Any:
        return {"status": "MAYBE"}

    (result,) = backtest.run(
        [case("a", SNAP.sha256)], params(), {SNAP.sha256: SNAP}, {"a": nonsense}
    )
    assert result.status == ERROR and "status must be" in (result.error or "")


def test_summary_counts_and_rates() -> None:
    results = backtest.run(
        [case("a", SNAP.sha256), case("b", SNAP.sha256, expect="quiet")],
        params(),
        {SNAP.sha256: SNAP},
    )
    summary = backtest.summarize(results)
    assert summary.as_dict() == {
        "total": 2,
        "hit": 1,
        "miss": 1,
        "abstain": 0,
        "error": 0,
        "unknown": 0,
        "failures": 1,
        "pass_rate": 0.5,
        "avg_score": 0.5,
    }
    assert backtest.summarize([]).pass_rate == 0.0


def test_custom_evaluator_may_return_a_result_but_not_anything_else() -> None:
    from bot.core.evaluate import evaluate

    def own(c: Any, p: Any, s: Any) -> Result:
        return evaluate(c, p, s)

    def number(*_: Any) -> Any:
        return 3

    cases = [case("a", SNAP.sha256), case("b", SNAP.sha256)]
    found = backtest.run(cases, params(), {SNAP.sha256: SNAP}, {"a": own, "b": number})
    assert found[0].status != ERROR
    assert found[1].status == ERROR and "not int" in (found[1].error or "")


def test_backtest_a_seeded_evaluator_gets_the_seed_others_do_not() -> None:
    from bot.core.evaluate import Seeded

    seen: list[int] = []

    def noisy(case: Any, params: Any, snapshot: Any, seed: int) -> dict[str, Any]:
        seen.append(seed)
        return {"status": "HIT" if seed % 2 == 0 else "MISS", "confidence": "HIGH"}

    chosen = {"c": Seeded(noisy)}
    assert backtest.stochastic(["c"], chosen) and not backtest.stochastic(["d"], chosen)
    cases = [case("c"), case("d")]
    snapshots = {"0" * 64: snapshot([event(1, term="x")])}
    even = backtest.run(cases, params(), snapshots, chosen, seed=4)
    odd = backtest.run(cases, params(), snapshots, chosen, seed=5)
    assert (even[0].status, odd[0].status) == (HIT, MISS) and seen == [4, 5]
    assert even[1] == odd[1]  # the built-in evaluator ignores the seed


def test_unknown_cases_neither_pass_nor_fail_and_leave_the_rates_alone() -> None:
    empty = snapshot([], path="cases/data/empty.jsonl")
    results = backtest.run(
        [case("a", SNAP.sha256), case("b", SNAP.sha256, expect="quiet"), case("u", "e" * 64)],
        params(),
        {SNAP.sha256: SNAP, "e" * 64: empty},
    )
    summary = backtest.summarize(results)
    assert (summary.counts["UNKNOWN"], summary.failures, summary.pass_rate) == (1, 1, 0.5)
    assert summary.total == 3 and summary.avg_score == 0.5
