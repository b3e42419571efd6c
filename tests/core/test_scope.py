"""scope: what a proposal branch really changes, re-derived from its diff."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import scope
from bot.core.learners.rollout import candidate_digest
from bot.core.params import grid_problem
from bot.model.proposal import Change
from tests.builders import policy


def _policy(value: Any = 0.5, version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "name": "p",
        "version": version,
        "kind": "thresholds",
        "parameters": {"limit": {"value": value, "min": 0, "max": 1, "step": 0.1}},
        **extra,
    }


def test_scope_classify_splits_policies_moves_and_problems() -> None:
    rows = [
        ("M", "policies/p.yaml", "policies/p.yaml"),
        ("R", "policies/skills/pending/a.md", "policies/skills/active/a.md"),
        ("M", "ledgers/learning.jsonl", "ledgers/learning.jsonl"),
        ("A", "cases/new.yaml", "cases/new.yaml"),
        ("M", "policies/skills/active/b.md", "policies/skills/active/b.md"),
        ("X", "README.md", "README.md"),
    ]
    policies, moves, problems = scope.classify(rows, skills_dir="policies/skills/")
    assert policies == ["policies/p.yaml"]
    assert moves == [("policies/skills/pending/a.md", "policies/skills/active/a.md")]
    assert problems == [
        "ledgers/learning.jsonl: touches the ledger, which only the bot writes on the default "
        "branch",
        "cases/new.yaml: outside what a proposal may change (added)",
        "policies/skills/active/b.md: outside what a proposal may change (modified)",
        "README.md: outside what a proposal may change (X)",
    ]


@pytest.mark.parametrize(
    "path", ["bot/evaluators.py", "templates/pr.md.j2", ".github/workflows/learn.yml", "action.yml"]
)
def test_scope_classify_calls_code_and_workflow_changes_a_human_review(path: str) -> None:
    _, _, problems = scope.classify([("M", path, path)], skills_dir="policies/skills/")
    assert problems == [
        f"{path}: code, workflow or configuration (modified): out of scope for a proposal, "
        "needs a human review"
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("policies/p.yaml", True),
        ("policies/skills/p.yaml", False),
        ("policies/p.yml", False),
        ("cases/p.yaml", False),
    ],
)
def test_scope_is_policy_file(path: str, expected: bool) -> None:
    assert scope.is_policy_file(path) is expected


def test_scope_policy_path_and_name_are_inverse() -> None:
    assert scope.policy_path("p") == "policies/p.yaml"
    assert scope.policy_name(scope.policy_path("p")) == "p"


def test_scope_derive_value_change_with_its_version_bump() -> None:
    derived = scope.derive({"p": _policy()}, {"p": _policy(0.4, 2)}, (), ())
    assert derived.changes == (Change("p", "parameters.limit", 0.5, 0.4),)
    assert derived.versions == {"p": (1, 2)} and derived.problems == ()
    assert derived.keys == ("p.limit",)


@pytest.mark.parametrize(
    ("after", "problem"),
    [
        (_policy(0.4), "policies/p.yaml: changes values without bumping version"),
        (_policy(0.4, 3), "policies/p.yaml: version 1 -> 3; a proposal bumps it by one"),
        (
            _policy(0.5, 2, description="x"),
            "policies/p.yaml: changes /description, which a proposal may not change",
        ),
        (
            _policy("high", 2),
            "policies/p.yaml: changes /parameters/limit/value, which a proposal may not change",
        ),
        (_policy(0.5, "two"), "policies/p.yaml: version 1 -> 'two' is not a whole number"),
    ],
)
def test_scope_derive_names_what_is_out_of_scope(after: dict[str, Any], problem: str) -> None:
    derived = scope.derive({"p": _policy()}, {"p": after}, (), ("earlier",))
    assert derived.problems == ("earlier", problem)


def test_scope_derive_as_of_registrations_and_a_type_change() -> None:
    before = _policy(as_of="2026-01-01T00:00:00Z", operators={"x": {"active": False}})
    after = _policy(2, 2, as_of="2026-01-02T00:00:00Z", operators={"x": {"active": True}})
    derived = scope.derive({"p": before}, {"p": after}, (("a", "b"),), ())
    assert derived.changes == (
        Change("p", "as_of", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        Change("p", "operators.x", False, True),
        Change("p", "parameters.limit", 0.5, 2),
    )
    assert derived.keys == ("a", "p.as_of", "p.limit", "p.operators.x")
    equal = scope.derive({"p": _policy(1)}, {"p": _policy(1.0)}, (), ())
    assert equal.changes == (Change("p", "parameters.limit", 1, 1.0),)  # int -> float is a change


def test_scope_derive_an_unchanged_policy_is_no_change() -> None:
    derived = scope.derive({"p": _policy()}, {"p": _policy()}, (), ())
    assert derived.changes == () and derived.versions == {} and derived.problems == ()


def test_scope_bound_problems() -> None:
    base = {"p": policy("p")}
    changes = (
        Change("p", "parameters.limit", 0.5, 2.0),
        Change("p", "parameters.limit", 0.5, 0.4),
        Change("p", "parameters.gone", 0.5, 0.4),
        Change("p", "parameters.limit", 0.5, True),
        Change("p", "operators.x", False, True),
    )
    derived = scope.Derived(changes, (), {}, ())
    found = scope.bound_problems(derived, base)
    assert found[0].startswith("p.limit: ")
    assert found[1:] == (
        "p.gone: no such parameter on the base branch",
        "p.limit: True is not a number",
    )


def test_scope_weight_problems() -> None:
    good = {"kind": "weights", "parameters": {"a": {"value": 0.5}, "b": {"value": 0.5}}}
    bad = {"kind": "weights", "parameters": {"a": {"value": 0.5}, "b": {"value": 0.6}}}
    other = {"kind": "thresholds", "parameters": {"a": {"value": 3}}}
    assert scope.weight_problems({"g": good, "o": other}) == []
    assert scope.weight_problems({"w": bad}) == ["policies/w.yaml: weights sum to 1.100000, not 1"]


def test_scope_undeclared() -> None:
    derived = scope.Derived((Change("p", "parameters.a", 1, 2),), (("s/x", "s/y"),), {}, ())
    assert scope.undeclared(derived, ["p.a"]) == ("s/x",)
    assert scope.undeclared(derived, ["p.a", "s/x"]) == ()


def test_scope_apply_registrations_as_of_and_refusals() -> None:
    from bot.core.params import Params, apply_change, grid_problem

    base = policy("p", operators={"x": {"kind": "alias", "active": False, "config": {}}})
    switched = apply_change(base, Change("p", "operators.x", False, True))
    assert switched.registrations["operators.x"].active is True
    dated = apply_change(base, Change("p", "as_of", None, "2026-01-01T00:00:00Z"))
    assert dated.as_of == "2026-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="a parameter needs a number"):
        apply_change(base, Change("p", "parameters.limit", 0.5, "high"))
    with pytest.raises(ValueError, match="unknown change target"):
        apply_change(base, Change("p", "description", "", "x"))
    assert Params({"p": base}).apply([]).policies["p"] is base
    assert "too wide" in grid_problem(-1e308, 1e308, 1.0)
    assert "below 1e-9" in grid_problem(0, 1, 1e-12)
    assert "more than" in grid_problem(0, 1e9, 1.0)


def test_a_step_is_at_least_a_millionth_of_the_range() -> None:
    """#18: steps >= 1e-6 of the range, so a grid has at most 1,000,000 steps."""
    assert grid_problem(-1, 1, 2e-6) == ""
    assert "below 1e-6 of the range [-1, 1] (more than 1,000,000 steps)" in grid_problem(
        -1, 1, 1e-6
    )
    assert grid_problem(0, 1e-3, 1e-9) == ""


def test_scope_bound_problem_names_the_grid() -> None:
    from bot.core.params import bound_problem

    assert "below 1e-9" in bound_problem(0.5, 0, 1, 1e-12)
    assert "not on the step grid" in bound_problem(0.33, 0, 1, 0.1)
    assert bound_problem(0.3, 0, 1, 0.1) == ""


def _rollout(**candidate: Any) -> dict[str, Any]:
    found = {"values": {"limit": 0.7}, "stage": "canary", "percent": 10, "since": "2026-01-01"}
    return {**found, **candidate}


def test_scope_derive_a_rollout_step_and_the_candidate_removal() -> None:
    before = _policy(candidate=_rollout())
    step = _policy(version=2, candidate=_rollout(percent=50, since="2026-01-05"))
    derived = scope.derive({"p": before}, {"p": step}, (), ())
    assert derived.changes == (
        Change("p", "candidate.percent", 10, 50),
        Change("p", "candidate.since", "2026-01-01", "2026-01-05"),
    )
    assert derived.problems == ()
    stage = scope.derive(
        {"p": before}, {"p": _policy(version=2, candidate=_rollout(stage="x"))}, (), ()
    )
    assert stage.changes == (Change("p", "candidate.stage", "canary", "x"),)
    removed = scope.derive({"p": before}, {"p": {**_policy(version=2), "candidate": None}}, (), ())
    assert removed.changes == (Change("p", "candidate", candidate_digest({"limit": 0.7}), None),)
    assert removed.keys == ("p.candidate",)


@pytest.mark.parametrize(
    ("before", "after", "where"),
    [
        (_rollout(), _rollout(values={"limit": 0.9}), "candidate/values/limit"),  # under test
        (_rollout(), _rollout(percent="50"), "candidate/percent"),  # a type change
        (_rollout(), _rollout(percent=True), "candidate/percent"),  # a bool is not a percent
        (_rollout(), _rollout(owner="me"), "candidate/owner"),
        (None, _rollout(), "candidate"),  # a candidate out of nothing
    ],
)
def test_scope_derive_a_candidate_change_out_of_scope(
    before: dict[str, Any] | None, after: dict[str, Any], where: str
) -> None:
    derived = scope.derive(
        {"p": _policy(candidate=before)}, {"p": _policy(version=2, candidate=after)}, (), ()
    )
    assert derived.changes == ()
    assert derived.problems == (
        f"policies/p.yaml: changes /{where}, which a proposal may not change",
    )
