"""Policies as the evaluator sees them: lookups, readers, changes applied, the step grid."""

from __future__ import annotations

import pytest

from bot.core.params import (
    MAX_GRID_STEPS,
    Params,
    apply_change,
    bound_problem,
    grid_ceil,
    grid_floor,
    grid_move,
    grid_problem,
    on_grid,
    within,
)
from bot.model import Parameter
from bot.model.proposal import Change
from tests.builders import case, params, policy

OPERATORS = {
    "aliases": {"kind": "alias_terms", "active": False, "config": {"aliases": {"x": ["ex"]}}},
    "decay": {"kind": "time_decay", "active": True, "config": {"tau": "window_days"}},
}
METRICS = {"share": {"kind": "ratio", "active": True}}
COUNT = Parameter("n", 3, 0, 10, 1)
RATIO = Parameter("r", 0.5, 0.0, 1.0, 0.05)


def _params() -> Params:
    return params(policy(operators=OPERATORS, metrics=METRICS), policy("q"))


def test_params_change_keys_lock_parameters_by_name_and_the_rest_by_target() -> None:
    assert Change("p", "parameters.min_count", 3, 4).key == "p.min_count"
    assert Change("p", "operators.aliases", False, True).key == "p.operators.aliases"
    assert Change("p", "candidate", "d", None).key == "p.candidate"
    assert Change("p", "operators.aliases", False, True).describe() == (
        "p.operators.aliases: off -> on"
    )
    assert Change("p", "parameters.limit", 0.5, 0.55).describe() == "p.limit: 0.5 -> 0.55"
    assert Change("p", "candidate", "d", None).describe() == "p.candidate: d -> None"


def test_params_values_and_registrations_by_reference() -> None:
    view = _params()
    assert view.value("p.limit") == 0.5 and isinstance(view.value("p.min_count"), float)
    assert view.parameter("q.window_days").value == 7
    with pytest.raises(KeyError):
        view.parameter("nothing.limit")
    assert [(p, r.name) for p, r in view.active(["p", "p", "absent"], "operators")] == [
        ("p", "decay")
    ]
    assert [(p, r.name) for p, r in view.active(["p"], "metrics")] == [("p", "share")]
    assert [(p, r.name) for p, r in view.inactive(["p", "q"])] == [("p", "aliases")]
    assert view.policy_wide() == frozenset({"p.window_days"})


def test_params_readers_are_direct_readers_or_the_whole_policy_for_a_wide_parameter() -> None:
    limit = {"kind": "count", "match": {"term": "x"}, "threshold": "p.limit"}
    cases = [
        case("a"),
        case("b", triggers=[limit]),
        case("c", window={"end": "2026-01-01T00:00:00Z", "days": "q.window_days"}),
        case("d", window={"end": "2026-01-01T00:00:00Z", "days": "q.window_days"}, triggers=[]),
    ]
    view = _params()
    assert view.readers("p.limit", cases) == ("b",)
    assert view.readers("p.min_count", cases) == ("a", "c")
    # the decay's tau reads p.window_days for every case of policy p, whatever it names
    assert view.readers("p.window_days", cases) == ("a", "b", "c")
    assert view.readers("q.window_days", cases) == ("c", "d")


def test_params_apply_returns_a_new_view_and_leaves_the_original() -> None:
    view = _params()
    changed = view.apply(
        [
            Change("p", "parameters.limit", 0.5, 0.6),
            Change("p", "operators.aliases", False, True),
            Change("p", "metrics.share", True, False),
            Change("q", "as_of", None, "2026-01-02T00:00:00Z"),
            Change("q", "candidate.percent", 10, 50),  # not what cases replay
        ]
    )
    assert changed.value("p.limit") == 0.6 and view.value("p.limit") == 0.5
    assert [r.name for _, r in changed.active(["p"], "operators")] == ["aliases", "decay"]
    assert changed.active(["p"], "metrics") == ()
    assert changed.policies["q"].as_of == "2026-01-02T00:00:00Z"
    assert changed.policies["q"].parameters == view.policies["q"].parameters
    assert view.policies["q"].as_of is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change("p", "parameters.limit", 0.5, "0.6"), "p.limit: a parameter needs a number"),
        (Change("p", "parameters.limit", 0.5, True), "p.limit: a parameter needs a number"),
        (Change("p", "parameters.limit", 0.5, None), "p.limit: a parameter needs a number"),
        (Change("p", "version", 1, 2), "unknown change target 'version'"),
    ],
)
def test_params_apply_change_refuses_what_it_cannot_apply(change: Change, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_change(policy(), change)


@pytest.mark.parametrize(
    ("value", "parameter", "nearest", "floor", "ceil"),
    [
        (4.4, COUNT, 4, 4, 5),
        (4.6, COUNT, 5, 4, 5),
        (4.0, COUNT, 4, 4, 4),
        (0.52, RATIO, 0.5, 0.5, 0.55),
        (0.55, RATIO, 0.55, 0.55, 0.55),  # 0.55 / 0.05 is not exactly 11 in floats
        (0.3 + 0.6, RATIO, 0.9, 0.9, 0.9),
    ],
)
def test_params_values_snap_to_the_grid(
    value: float, parameter: Parameter, nearest: float, floor: float, ceil: float
) -> None:
    assert on_grid(value, parameter) == nearest
    assert grid_floor(value, parameter) == floor
    assert grid_ceil(value, parameter) == ceil


def test_params_integer_grids_keep_integers() -> None:
    assert type(on_grid(4.4, COUNT)) is int and type(grid_floor(4.4, COUNT)) is int
    assert type(grid_ceil(4.4, COUNT)) is int
    assert type(on_grid(1.0, Parameter("f", 1.0, 0.0, 5.0, 1.0))) is float
    assert type(on_grid(1.0, Parameter("g", 1, 0, 5, 0.5))) is float


@pytest.mark.parametrize(
    ("bounds", "problem"),
    [
        ((0, 10, 1), ""),
        ((-1, 1, 2e-6), ""),
        (
            (-1, 1, 1e-6),
            f"step 1e-06 is below 1e-6 of the range [-1, 1] (more than {MAX_GRID_STEPS:,} "
            "steps): use at least 2e-06",
        ),
        ((0, 1, 1e-10), "step 1e-10 is below 1e-9 (values are rounded to 9 digits)"),
        ((-1e308, 1e308, 1.0), "the range [-1e+308, 1e+308] is too wide"),
        (
            (0, 100, 1e-6),
            f"step 1e-06 is below 1e-6 of the range [0, 100] (more than {MAX_GRID_STEPS:,} "
            "steps): use at least 0.0001",
        ),
    ],
)
def test_params_grid_problem_names_unusable_grids(
    bounds: tuple[float, float, float], problem: str
) -> None:
    assert grid_problem(*bounds) == problem


@pytest.mark.parametrize(
    ("parameter", "steps", "expected"),
    [
        (COUNT, 1, 4),
        (COUNT, -3, 0),
        (COUNT, 7, 10),
        (COUNT, 8, None),  # past the maximum
        (COUNT, -4, None),  # below the minimum
        (COUNT, 0, None),  # no move
        (RATIO, 3, 0.65),
        (RATIO, -10, 0.0),
        (Parameter("h", 0.3, 0.0, 1.0, 0.3), 2, 0.9),  # the last whole step below the maximum
        (Parameter("h", 0.3, 0.0, 1.0, 0.3), 3, None),
    ],
)
def test_params_grid_move_counts_whole_grid_steps(
    parameter: Parameter, steps: int, expected: float | None
) -> None:
    assert grid_move(parameter, steps) == expected


@pytest.mark.parametrize(
    ("value", "bounds", "problem"),
    [
        (0.55, (0.0, 1.0, 0.05), ""),
        (1.0, (0.0, 1.0, 0.05), ""),
        (0.5 + 1e-8, (0.0, 1.0, 0.05), ""),  # within the grid tolerance
        (0.52, (0.0, 1.0, 0.05), "0.52 is not on the step grid 0.0 + k * 0.05"),
        (1.05, (0.0, 1.0, 0.05), "1.05 is outside the bounds [0.0, 1.0]"),
        (-1, (0, 10, 1), "-1 is outside the bounds [0, 10]"),
        (1, (0, 10, 0), "step 0 is below 1e-9 (values are rounded to 9 digits)"),
    ],
)
def test_params_bound_problem_checks_grid_bounds_then_step(
    value: float, bounds: tuple[float, float, float], problem: str
) -> None:
    assert bound_problem(value, *bounds) == problem


def test_params_within_includes_both_bounds() -> None:
    assert within(0, COUNT) and within(10, COUNT) and within(3.5, COUNT)
    assert not within(-0.1, COUNT) and not within(10.1, COUNT)
