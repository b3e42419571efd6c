from __future__ import annotations

from pathlib import Path

import pytest

from bot.edges import store
from bot.edges.files import WorktreeFiles
from bot.model import Problem
from tests.repos import copy_example


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def load(root: Path) -> store.State:
    return store.load(WorktreeFiles(root))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def only(problems: tuple[Problem, ...], path: str) -> list[Problem]:
    return [p for p in problems if p.path == path]


def test_example_state_loads_without_problems(state_dir: Path) -> None:
    state = load(state_dir)
    assert state.problems == ()
    assert len(state.cases) >= 15 and len(state.policies) >= 3


# -- policies ---------------------------------------------------------------------------


def test_policy_wrong_type_names_file_field_and_line(state_dir: Path) -> None:
    path = state_dir / "policies/term_emergence.yaml"
    replace_in(path, "    value: 4\n", "    value: four\n")
    problems = only(load(state_dir).problems, "policies/term_emergence.yaml")
    assert [(p.pointer, p.line) for p in problems] == [
        ("/parameters/min_count/value", line_of(path, "value: four"))
    ]
    assert "'four' is not of type 'number'" in problems[0].message
    assert "term_emergence" not in load(state_dir).policies


def test_policy_missing_field(state_dir: Path) -> None:
    replace_in(state_dir / "policies/momentum.yaml", "version: 2\n", "")
    (problem,) = only(load(state_dir).problems, "policies/momentum.yaml")
    assert problem.pointer == "/" and "'version' is a required property" in problem.message


def test_policy_unknown_key_points_at_the_key(state_dir: Path) -> None:
    path = state_dir / "policies/momentum.yaml"
    replace_in(path, "    step: 0.5\n", "    step: 0.5\n    stepp: 1\n")
    (problem,) = only(load(state_dir).problems, "policies/momentum.yaml")
    assert problem.pointer == "/parameters/decayed_min/stepp"
    assert problem.line == line_of(path, "stepp")
    assert "unknown key 'stepp'" in problem.message


def test_policy_value_outside_bounds_or_grid(state_dir: Path) -> None:
    path = state_dir / "policies/momentum.yaml"
    replace_in(path, "    value: 3.0\n", "    value: 3.2\n")
    replace_in(path, "    value: 48\n", "    value: 480\n")
    problems = only(load(state_dir).problems, "policies/momentum.yaml")
    messages = {p.pointer: p.message for p in problems}
    assert "not on the step grid" in messages["/parameters/decayed_min/value"]
    assert "outside the bounds [12, 240]" in messages["/parameters/tau_hours/value"]


def test_policy_name_must_match_file(state_dir: Path) -> None:
    replace_in(state_dir / "policies/momentum.yaml", "name: momentum", "name: other")
    (problem,) = only(load(state_dir).problems, "policies/momentum.yaml")
    assert problem.pointer == "/name" and "file name 'momentum'" in problem.message


def test_weights_policy_must_sum_to_one(state_dir: Path) -> None:
    replace_in(state_dir / "policies/conviction_weights.yaml", "value: 0.2\n", "value: 0.21\n")
    (problem,) = only(load(state_dir).problems, "policies/conviction_weights.yaml")
    assert "sum to 1.010000" in problem.message


def test_yaml_syntax_error_reports_its_line(state_dir: Path) -> None:
    path = state_dir / "policies/momentum.yaml"
    replace_in(path, "  decayed_min:\n", "  decayed_min: [\n")
    (problem,) = only(load(state_dir).problems, "policies/momentum.yaml")
    assert "YAML syntax error" in problem.message
    assert problem.line >= line_of(path, "decayed_min: [")


def test_duplicate_yaml_key_is_a_problem(state_dir: Path) -> None:
    path = state_dir / "policies/momentum.yaml"
    replace_in(path, "version: 2\n", "version: 2\nversion: 3\n")
    (problem,) = only(load(state_dir).problems, "policies/momentum.yaml")
    assert problem.pointer == "/version" and "duplicate key" in problem.message
    assert problem.line == line_of(path, "version: 3")


# -- cases ------------------------------------------------------------------------------


def test_case_problems_are_all_reported(state_dir: Path) -> None:
    path = state_dir / "cases/te_slow_burn.yaml"
    replace_in(path, "min_signals: 20", "min_signals: many")
    replace_in(path, "expect: fire", "expect: fire\ncolour: red")
    replace_in(path, "    kind: count\n", "")
    problems = only(load(state_dir).problems, "cases/te_slow_burn.yaml")
    pointers = {p.pointer: p for p in problems}
    assert set(pointers) == {"/min_signals", "/colour", "/triggers/0"}
    assert pointers["/min_signals"].line == line_of(path, "min_signals")
    assert pointers["/colour"].line == line_of(path, "colour")
    assert "'kind' is a required property" in pointers["/triggers/0"].message
    assert "te_slow_burn" not in load(state_dir).cases
    assert "te_noise_meme" in load(state_dir).cases  # the others still load


def test_case_reference_to_missing_parameter(state_dir: Path) -> None:
    path = state_dir / "cases/te_slow_burn.yaml"
    replace_in(path, "threshold: term_emergence.min_count", "threshold: term_emergence.min_cnt")
    (problem,) = only(load(state_dir).problems, "cases/te_slow_burn.yaml")
    assert problem.pointer == "/triggers/0/threshold"
    assert problem.line == line_of(path, "min_cnt")
    assert "has no parameter 'min_cnt'" in problem.message


def test_case_reference_to_missing_policy(state_dir: Path) -> None:
    replace_in(
        state_dir / "cases/te_slow_burn.yaml",
        "days: term_emergence.window_days",
        "days: nope.window_days",
    )
    (problem,) = only(load(state_dir).problems, "cases/te_slow_burn.yaml")
    assert problem.pointer == "/window/days" and "no valid policy 'nope'" in problem.message


def test_an_invalid_policy_is_reported_once_naming_the_cases_it_left_out(
    state_dir: Path,
) -> None:
    replace_in(state_dir / "policies/momentum.yaml", "version: 2\n", "")
    state = load(state_dir)
    (problem,) = state.problems  # the root cause only: no follow-on error per case
    assert problem.path == "policies/momentum.yaml"
    assert "'version' is a required property" in problem.message
    assert "4 case(s) that use it left out until it is fixed" in problem.message
    assert "mo_stale_hype" in problem.message
    assert not any(c.startswith("mo_") for c in state.cases)
    assert "te_slow_burn" in state.cases  # cases of other policies still load


def test_an_out_of_bounds_value_is_one_problem_not_one_per_case(state_dir: Path) -> None:
    replace_in(state_dir / "policies/inbox_triage.yaml", "value: 70\n", "value: 700\n")
    (problem,) = load(state_dir).problems
    assert problem.pointer == "/parameters/risk_threshold/value"
    assert "700 is outside the bounds [40, 95]" in problem.message
    assert "6 case(s)" in problem.message


def test_a_case_naming_a_missing_policy_still_says_so_beside_a_broken_one(
    state_dir: Path,
) -> None:
    replace_in(state_dir / "policies/momentum.yaml", "version: 2\n", "")
    replace_in(state_dir / "cases/te_slow_burn.yaml", "days: term_emergence.", "days: nope.")
    messages = [p.message for p in load(state_dir).problems]
    assert len(messages) == 2
    assert any("no valid policy 'nope'" in m for m in messages)


def test_snapshot_sha_mismatch(state_dir: Path) -> None:
    data = state_dir / "cases/data/inbox.jsonl"
    data.write_bytes(data.read_bytes() + b'{"ts":"2025-11-09T00:00:00Z","kind":"email"}\n')
    problems = load(state_dir).problems
    (inbox,) = [p for p in problems if p.path.startswith("cases/it_")]  # once, not per case
    assert inbox.pointer == "/snapshot/sha256" and "learnbot pin" in inbox.message
    assert "also pinned by 5: " in inbox.message and "immutable" in inbox.message


def test_missing_snapshot(state_dir: Path) -> None:
    (state_dir / "cases/data/conviction.jsonl").unlink()
    problems = [p for p in load(state_dir).problems if p.path == "cases/cv_btc_breakout.yaml"]
    assert problems[0].pointer == "/snapshot/path" and "does not exist" in problems[0].message


def test_unknown_named_evaluator(state_dir: Path) -> None:
    replace_in(state_dir / "cases/te_slow_burn.yaml", "gold: false", "gold: false\nevaluator: mine")
    (problem,) = only(load(state_dir).problems, "cases/te_slow_burn.yaml")
    assert problem.pointer == "/evaluator" and "no evaluator named 'mine'" in problem.message


# -- config -----------------------------------------------------------------------------


def test_config_wrong_type_missing_and_unknown(state_dir: Path) -> None:
    path = state_dir / ".github/learnbot.yml"
    replace_in(path, "max_open: 10", "max_open: ten")
    replace_in(path, "  scope: affected", "  scope: affected\n  speed: fast")
    problems = only(load(state_dir).problems, ".github/learnbot.yml")
    pointers = {p.pointer: p for p in problems}
    assert "'ten' is not of type 'integer'" in pointers["/pull_requests/max_open"].message
    assert pointers["/sandbox/speed"].line == line_of(path, "speed: fast")


def test_config_required_nested_field(state_dir: Path) -> None:
    path = state_dir / ".github/learnbot.yml"
    path.write_text("evaluators:\n  bad: not-a-function-spec\n")
    (problem,) = only(load(state_dir).problems, ".github/learnbot.yml")
    assert problem.pointer == "/evaluators/bad" and "does not match" in problem.message


def test_config_absent_means_defaults(state_dir: Path) -> None:
    (state_dir / ".github/learnbot.yml").unlink()
    state = load(state_dir)
    assert state.problems == () and state.config.sandbox.stabilization_runs == 3


def test_case_text_contains_must_be_a_phrase(state_dir: Path) -> None:
    path = state_dir / "cases/te_slow_burn.yaml"
    replace_in(path, "match: {", 'match: {text_contains: " ", ')
    (problem,) = only(load(state_dir).problems, "cases/te_slow_burn.yaml")
    assert problem.pointer.endswith("/match/text_contains") and "does not match" in problem.message


def test_snapshot_event_text_must_be_a_string(tmp_path: Path) -> None:
    from bot.core.snapshot import parse

    data = b'{"ts": 1, "kind": "k", "text": "ok"}\n{"ts": 2, "kind": "k", "text": 7}\n'
    snapshot, problems = parse(data, path="cases/data/x.jsonl", sha256="0")
    assert [str(p) for p in problems] == ["cases/data/x.jsonl:2: /text: must be a string"]
    assert snapshot.text == ("ok",)
