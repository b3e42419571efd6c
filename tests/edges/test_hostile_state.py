"""State files that would crash or hang the loop are problems naming the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.learners.forecasts import FORECASTS
from bot.edges import inputs, store
from bot.edges.files import WorktreeFiles
from bot.model import Config, Problem
from tests.edges.test_store import line_of, load, only, replace_in
from tests.repos import copy_example

MOMENTUM = "policies/momentum.yaml"
CONFIG = ".github/learnbot.yml"


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def pointers(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.pointer, p.message) for p in problems]


def test_nested_aliases_are_refused_before_they_expand(state_dir: Path) -> None:
    # 7 levels of 9 aliases each: 4.8 million strings once expanded, 300 bytes as text
    levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 7):
        alias = f"*a{level - 1}"
        levels.append(f"a{level}: &a{level} [{','.join([alias] * 9)}]")
    (state_dir / "policies/bomb.yaml").write_text("\n".join(levels) + "\n")
    (problem,) = only(load(state_dir).problems, "policies/bomb.yaml")
    assert problem.line == 1 and "no anchors or aliases" in problem.message


def test_a_merge_key_alias_is_refused_too(state_dir: Path) -> None:
    text = (state_dir / MOMENTUM).read_text()
    (state_dir / MOMENTUM).write_text(text + "base: &b {kind: thresholds}\nother:\n  <<: *b\n")
    (problem,) = only(load(state_dir).problems, MOMENTUM)
    assert "alias" in problem.message
    assert "momentum" not in load(state_dir).policies


def test_deep_yaml_nesting_is_a_problem(state_dir: Path) -> None:
    (state_dir / "policies/deep.yaml").write_text("a: " + "[" * 200 + "]" * 200 + "\n")
    (problem,) = only(load(state_dir).problems, "policies/deep.yaml")
    assert "nested deeper than 32 levels" in problem.message


def test_stray_keys_of_mixed_types_are_each_named(state_dir: Path) -> None:
    path = state_dir / MOMENTUM
    path.write_text(path.read_text() + "1: x\nfoo: y\nnull: z\n")
    found = pointers(only(load(state_dir).problems, MOMENTUM))
    # the first problem of an invalid policy also names the cases it leaves out
    assert any(p == "/1" and m.startswith("key 1 must be text") for p, m in found)
    assert any(p == "/None" and m.startswith("key None must be text") for p, m in found)
    assert any(p == "/foo" and "unknown key 'foo'" in m for p, m in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (".nan", "nan is not a finite number"),
        (".inf", "inf is not a finite number"),
        ("-.inf", "-inf is not a finite number"),
        ("1" + "0" * 400, "the integer does not fit in 64 bits"),
        ("1.0e+300", "is greater than the maximum of 1000000000000.0"),
    ],
)
def test_bounds_must_be_finite_and_in_range(state_dir: Path, text: str, message: str) -> None:
    path = state_dir / MOMENTUM
    replace_in(path, "    max: 10.0\n", f"    max: {text}\n")
    found = only(load(state_dir).problems, MOMENTUM)
    assert any(p.line == line_of(path, f"max: {text}") and message in p.message for p in found)
    assert "momentum" not in load(state_dir).policies


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("5.0e-324", "is below 1e-9"),
        ("1.0e-10", "is below 1e-9"),
        ("1.0e-8", "is below 1e-6 of the range"),
        ("1.0e-6", "is below 1e-6 of the range"),
    ],
)
def test_steps_must_leave_a_bounded_grid(state_dir: Path, step: str, message: str) -> None:
    path = state_dir / MOMENTUM
    text = path.read_text()
    first = text.index("    step: ")
    end = text.index("\n", first)
    path.write_text(text[:first] + f"    step: {step}" + text[end:])
    found = only(load(state_dir).problems, MOMENTUM)
    assert [p.line for p in found if message in p.message] == [line_of(path, f"step: {step}")]


def test_a_window_length_parameter_needs_a_positive_min(state_dir: Path) -> None:
    path = state_dir / "policies/term_emergence.yaml"
    text = path.read_text()
    start = text.index("  window_days:")
    window = text[start:]
    lowered = window.replace("min: 1", "min: -5", 1).replace("value: ", "value: -3 #", 1)
    path.write_text(text[:start] + lowered)
    problems = load(state_dir).problems
    windows = [p for p in problems if p.pointer == "/window/days"]
    assert windows and all("needs a min above 0" in p.message for p in windows)
    assert not load(state_dir).cases.keys() & {p.path[6:-5] for p in windows}


def test_a_decay_tau_needs_a_positive_min(state_dir: Path) -> None:
    path = state_dir / MOMENTUM
    text = path.read_text()
    assert "tau" in text
    start = text.index("  tau_hours:")
    path.write_text(text[:start] + text[start:].replace("min: ", "min: 0 #", 1))
    found = pointers(only(load(state_dir).problems, MOMENTUM))
    ((pointer, message),) = found
    assert pointer == "/parameters/tau_hours/min"
    assert message.startswith("tau (hours) is a divisor: its min must be above 0 (4 case(s)")


@pytest.mark.parametrize("runs", ["101", "1.0e+308", "9223372036854775808"])
def test_stabilization_runs_are_at_most_100(state_dir: Path, runs: str) -> None:
    replace_in(state_dir / CONFIG, "stabilization_runs: 3", f"stabilization_runs: {runs}")
    found = only(load(state_dir).problems, CONFIG)
    assert {p.pointer for p in found} == {"/sandbox/stabilization_runs"}
    assert load(state_dir).config.sandbox.stabilization_runs == 3  # the defaults stand


def test_a_whole_float_count_becomes_an_int(state_dir: Path) -> None:
    replace_in(state_dir / CONFIG, "stabilization_runs: 3", "stabilization_runs: 4.0")
    runs = load(state_dir).config.sandbox.stabilization_runs
    assert (runs, type(runs)) == (4, int)


def test_outcome_lines_that_are_not_utf8_or_not_finite_are_problems(state_dir: Path) -> None:
    path = state_dir / "cases/outcomes/forecasts.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][:-1] + b',"note":"\xff"}'
    lines[3] = lines[3].replace(b'"confidence":0.', b'"confidence":NaN,"x":0.')
    path.write_bytes(b"\n".join(lines))
    found, problems = inputs.lines(WorktreeFiles(state_dir), FORECASTS, Config())
    assert [(p.line, p.message[:10]) for p in problems] == [(2, "not UTF-8:"), (4, "NaN is not")]
    assert len(found) == len([line for line in lines if line.strip()]) - 2


def test_store_loads_when_every_hostile_file_sits_beside_good_ones(state_dir: Path) -> None:
    (state_dir / "policies/bomb.yaml").write_text('a: &a ["x"]\nb: [*a, *a]\n')
    (state_dir / "policies/raw.yaml").write_bytes(b"name: \xff\n")
    state = store.load(WorktreeFiles(state_dir))
    assert {p.path for p in state.problems} == {"policies/bomb.yaml", "policies/raw.yaml"}
    assert len(state.cases) >= 15


def test_a_yaml_byte_that_is_not_utf8_is_named_at_its_line(state_dir: Path) -> None:
    path = state_dir / MOMENTUM
    path.write_bytes(path.read_bytes().replace(b"Time-decayed", b"Time-\xffdecayed", 1))
    (problem,) = only(load(state_dir).problems, MOMENTUM)
    assert (problem.line, problem.message[:10]) == (5, "not UTF-8 ")  # the description line
