"""Every parser, called directly with hostile input: a value or a reported problem, no exception."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import jsonline, ledger
from bot.core.learners.registry import LEARNERS
from bot.core.params import bound_problem, grid_move, grid_problem, within
from bot.core.snapshot import parse
from bot.edges import actions, inputs, outcomes, schemas, yamldoc
from bot.edges.files import WorktreeFiles
from bot.edges.forge import read_metadata
from bot.errors import BotError
from bot.model import Config, Parameter
from bot.model.inputs import Lines
from tests.fuzz.strategies import (
    YAML_SCALAR_TEXT,
    jsonl,
    lines,
    values,
    yaml_text,
    yaml_values,
)


@given(lines)
def test_jsonline_gives_a_value_or_a_line_error(line: bytes) -> None:
    try:
        jsonline.loads(line)
    except jsonline.LineError as exc:
        assert str(exc)


@given(jsonl)
def test_snapshot_parse_reports_problems_at_existing_lines(data: bytes) -> None:
    snap, problems = parse(data, path="s.jsonl", sha256=hashlib.sha256(data).hexdigest())
    count = data.count(b"\n") + 1
    assert all(1 <= p.line <= count for p in problems)
    assert len(snap) + len(problems) <= count


@given(jsonl, st.booleans())
def test_ledger_verify_names_a_line_or_passes(data: bytes, against_itself: bool) -> None:
    result = ledger.verify(data, committed=data[: len(data) // 2] if against_itself else None)
    if result.problem is not None:
        assert 1 <= result.problem.line <= data.count(b"\n") + 2


@given(st.dictionaries(st.text(max_size=6), values, max_size=4), st.binary(max_size=60))
def test_ledger_tail_is_read_or_refused(entry: dict[str, Any], noise: bytes) -> None:
    for line in (json.dumps(entry, allow_nan=True).encode() + b"\n", noise + b"\n", noise):
        try:
            ledger.read_tail(line)
        except ValueError as exc:
            assert str(exc)


@given(yaml_values)
def test_yaml_documents_are_checked_without_an_exception(value: Any) -> None:
    text = yaml_text(value)
    for kind in schemas.KINDS[:4]:
        document = yamldoc.parse(text, path=f"x/{kind}.yaml")
        problems = schemas.check(document, kind)
        assert all(p.line >= 1 for p in problems)


@given(st.text(max_size=200))
def test_any_text_is_yaml_or_a_syntax_error_at_a_line(text: str) -> None:
    try:
        yamldoc.parse(text, path="x.yaml")
    except yamldoc.YamlSyntaxError as exc:
        assert exc.line >= 1


@given(YAML_SCALAR_TEXT, YAML_SCALAR_TEXT, YAML_SCALAR_TEXT, YAML_SCALAR_TEXT)
def test_policies_with_any_numbers_load_or_are_problems_and_grids_end(
    tmp_path_factory: pytest.TempPathFactory, value: str, lo: str, hi: str, step: str
) -> None:
    from bot.edges import store

    root = tmp_path_factory.mktemp("p")
    (root / "policies").mkdir()
    entry = f"{{value: {value}, min: {lo}, max: {hi}, step: {step}}}"
    text = f"name: p\nversion: 1\nparameters:\n  x: {entry}\n"
    (root / "policies/p.yaml").write_text(text)
    state = store.load(WorktreeFiles(root))
    for policy in state.policies.values():
        parameter: Parameter = policy.parameters["x"]
        assert not grid_problem(parameter.minimum, parameter.maximum, parameter.step)
        assert not bound_problem(
            parameter.value, parameter.minimum, parameter.maximum, parameter.step
        )
        for steps in (1, -1, 10_000_000):  # a move is a value on the grid within bounds, or none
            moved = grid_move(parameter, steps)
            assert moved is None or within(moved, parameter)


@given(values)
def test_event_payloads_are_used_or_refused(
    tmp_path_factory: pytest.TempPathFactory, value: Any
) -> None:
    path = tmp_path_factory.mktemp("event") / "event.json"
    for payload in (value, {"pull_request": value}, {"head_commit": value, "repository": value}):
        path.write_text(json.dumps(payload, allow_nan=True))
        try:
            event = actions.read_event(path)
        except BotError as exc:
            assert exc.exit_code == 2
        else:
            actions.event_time(event)


@given(jsonl)
def test_outcome_files_give_records_or_problems(data: bytes) -> None:
    class Bytes:
        label = "fuzz"

        def read(self, path: str) -> bytes | None:
            return data

        def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
            return ()

    config = Config()
    sources = [s for each in LEARNERS.values() for s in each.inputs if isinstance(s, Lines)]
    assert sources
    for source in sources:
        _, problems = inputs.lines(Bytes(), source, config)
        assert all(1 <= p.line <= data.count(b"\n") + 1 for p in problems)
    runs, problems = outcomes.runs(Bytes(), "runs.jsonl")
    assert len(runs) + len(problems) >= 0


@given(st.text(max_size=40), values)
def test_pull_request_metadata_is_read_or_ignored(prefix: str, value: Any) -> None:
    body = f"{prefix}<!-- learnbot:metadata {json.dumps(value, allow_nan=True)} -->"
    assert isinstance(read_metadata(body), dict)
    assert read_metadata("<!-- learnbot:metadata {" + "[" * 2000 + "} -->") == {}
