from __future__ import annotations

from bot.core.chart import NEIGHBOURS, threshold_chart
from bot.core.conditions import Measured
from bot.core.evaluate import Result
from bot.model.proposal import Change


def result(case: str, value: float | None, ref: str = "p.limit") -> Result:
    measured = Measured("t", "aggregate", ref, ">=", 5.0, value, False, 1)
    return Result(case, "MISS", 0.0, "LOW", triggers=(measured,))


def test_chart_orders_the_source_and_its_nearest_neighbours_by_value() -> None:
    results = [result(f"c{i:02d}", float(i)) for i in range(30)]
    found = threshold_chart([Change("p", "parameters.limit", 5.0, 4.5)], results, "c15")
    assert found is not None
    assert found.parameter == "p.limit" and (found.old, found.new) == (5.0, 4.5)
    assert len(found.cases) == NEIGHBOURS + 1 and "c15" in found.cases
    assert list(found.values) == sorted(found.values)
    assert found.cases == tuple(f"c{i:02d}" for i in range(10, 20))  # nearest first, ties by id
    assert found.low == 0.0 and found.high > 19.0


def test_chart_skips_what_the_source_case_does_not_measure() -> None:
    results = [result("a", 3.0), result("b", None), result("c", 1.0, ref="q.other")]
    switch = Change("p", "operators.x", False, True)
    assert threshold_chart([switch], results, "a") is None
    assert threshold_chart([Change("p", "parameters.limit", 5, 4)], results, "b") is None
    found = threshold_chart([Change("p", "parameters.limit", 5, 4)], results, "a")
    assert found is not None and found.cases == ("a",)


def test_chart_takes_a_case_s_first_measure_of_the_parameter() -> None:
    first = Measured("t", "aggregate", "p.limit", ">=", 5.0, 7.0, True, 1)
    second = Measured("f", "aggregate", "p.limit", ">=", 5.0, 2.0, False, 1)
    both = Result("a", "MISS", 0.0, "LOW", triggers=(first,), falsifiers=(second,))
    found = threshold_chart([Change("p", "parameters.limit", 5, 6)], [both, result("b", 1.0)], "a")
    assert found is not None
    assert (found.cases, found.values) == (("b", "a"), (1.0, 7.0))
    assert (found.low, found.high) == (0.0, 7.0 + 0.7)
