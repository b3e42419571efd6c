"""Snapshots: lines parsed one by one (a bad line is reported at its own number, never a crash),
and text matched on word boundaries."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from bot.core.snapshot import Columns, assemble, parse
from tests.builders import END, event

GOOD = json.dumps(event(1, term="x")).encode()


def problems_of(*lines: bytes) -> list[tuple[int, str, str]]:
    data = b"".join(line + b"\n" for line in lines)
    _, problems = parse(data, path="cases/data/s.jsonl", sha256=hashlib.sha256(data).hexdigest())
    return [(p.line, p.pointer, p.message) for p in problems]


def events_of(*lines: bytes) -> int:
    data = b"".join(line + b"\n" for line in lines)
    snap, _ = parse(data, path="cases/data/s.jsonl", sha256=hashlib.sha256(data).hexdigest())
    return len(snap)


def test_an_object_split_over_two_lines_is_reported_at_both() -> None:
    lines = (GOOD, b'{"ts": 0,', b'"kind": "x"}', GOOD)
    found = problems_of(*lines)
    assert [line for line, _, _ in found] == [2, 3]
    assert "does not end on this line" in found[0][2]
    assert "continue the line before" in found[1][2]
    assert events_of(*lines) == 2


def test_two_objects_on_one_line_are_reported_at_that_line() -> None:
    lines = (GOOD, b'{"ts": 0, "kind": "a"}, {"ts": 1, "kind": "b"}', GOOD)
    assert [(n, m[:29]) for n, _, m in problems_of(*lines)] == [
        (2, "more than one JSON value on t")
    ]
    assert events_of(*lines) == 2


def test_a_split_that_a_joined_parse_would_accept_keeps_every_event_on_its_line() -> None:
    # joined with commas these lines are three valid objects: events would move between lines
    lines = (GOOD, b'{"ts": 0', b'"kind": "y"}, {"ts": 1, "kind": "z"}', GOOD)
    assert [line for line, _, _ in problems_of(*lines)] == [2, 3]
    assert events_of(*lines) == 2


@pytest.mark.parametrize(
    ("line", "pointer", "reason"),
    [
        (b'{"ts": 0, "kind": "x", "values": ' + b"[" * 1000 + b"]" * 1000 + b"}", "", "nested"),
        (b'{"ts": 9223372036854775808, "kind": "x"}', "", "does not fit in 64 bits"),
        (b'{"ts": 9223372036854775807, "kind": "x"}', "/ts", "outside the epoch seconds"),
        (b'{"ts": 0, "kind": "x", "values": {"a": 1' + b"0" * 309 + b"}}", "", "64 bits"),
        (b'{"ts": 0, "kind": "x", "values": {"a": 1e999}}', "", "too large"),
        (b'{"ts": 0, "kind": "x", "values": {"a": NaN}}', "", "NaN"),
        (b'{"ts": 0, "kind": "x", "values": {"a": -Infinity}}', "", "-Infinity"),
        (b'{"ts": 0, "kind": "x", "values": null}', "/values", "must be an object"),
        (b'{"ts": 0, "kind": "\xc3("}', "", "not UTF-8: byte 0xc3 at column 20"),
    ],
)
def test_hostile_lines_are_problems_at_their_line(line: bytes, pointer: str, reason: str) -> None:
    ((number, found_pointer, message),) = problems_of(GOOD, line, GOOD)
    assert (number, found_pointer) == (2, pointer)
    assert reason in message
    assert events_of(GOOD, line, GOOD) == 2


def test_epoch_seconds_in_range_still_parse() -> None:
    line = json.dumps({"ts": END, "kind": "x", "values": {"a": 1.5}}).encode()
    assert problems_of(line) == [] and events_of(line) == 1


@pytest.mark.parametrize(
    ("line", "pointer", "message"),
    [
        (b"[1]", "", "an event must be a JSON object"),
        (b'{"ts": 0, "kind": "x", "color": 1}', "", "unknown key(s) color"),
        (b'{"ts": "2026-13-01T00:00:00Z", "kind": "x"}', "/ts", "is not a UTC time"),
        (b'{"ts": "2026-01-01 00:00:00Z", "kind": "x"}', "/ts", "is not a UTC time"),
        (b'{"ts": 1.5, "kind": "x"}', "/ts", "required, an ISO-8601 UTC string"),
        (b'{"ts": -99999999999999, "kind": "x"}', "/ts", "outside the epoch seconds"),
        (b'{"ts": 0}', "/kind", "required, a string"),
        (b'{"ts": 0, "kind": "x", "term": 3}', "/term", "must be a string"),
        (b'{"ts": 0, "kind": "x", "synthetic": 1}', "/synthetic", "must be true or false"),
        (b'{"ts": 0, "kind": "x", "values": []}', "/values", "must be an object of numbers"),
        (b'{"ts": 0, "kind": "x", "values": {"a": "1"}}', "/values/a", "must be a number or null"),
    ],
)
def test_snapshot_each_bad_field_is_named(line: bytes, pointer: str, message: str) -> None:
    ((number, found_pointer, found),) = problems_of(GOOD, line)
    assert (number, found_pointer) == (2, pointer)
    assert message in found
    assert events_of(GOOD, line) == 1


def test_snapshot_values_may_be_null_and_timestamps_strings() -> None:
    line = b'{"ts": "2026-01-01T00:00:00Z", "kind": "x", "values": {"a": null, "b": 2}}'
    assert problems_of(line) == [] and events_of(line) == 1


def test_text_matches_whole_words_case_insensitively_and_once_per_phrase() -> None:
    texts = ["Pay NOW please", "paynow", "pay  now", "repay now", None]
    lines = [json.dumps({**event(1, term="x"), **({"text": t} if t else {})}) for t in texts]
    data = "".join(line + "\n" for line in lines).encode()
    snap, problems = parse(data, path="cases/data/s.jsonl", sha256="0" * 64)
    assert problems == []
    found = snap.contains("pay now")
    assert found.tolist() == [True, False, True, False, False]
    assert snap.contains("pay now") is found  # computed once per phrase and snapshot
    assert snap.contains("PAY").tolist() == [True, False, True, False, False]


def test_columns_in_file_order_with_names_in_any_order_assemble_as_parsed() -> None:
    rows = [
        {"ts": "2026-01-02T00:00:00Z", "kind": "b", "term": "y", "values": {"v": 1.5}},
        {"ts": "2026-01-01T00:00:00Z", "kind": "a", "source": "s"},
        {"ts": "2026-01-02T00:00:00Z", "kind": "b", "term": "x", "synthetic": True},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    parsed, _ = parse(data, path="p", sha256="0" * 64)
    columns = Columns(
        ts=np.array([1767312000, 1767225600, 1767312000], dtype=np.int64),
        kind=(np.array([0, 1, 0], dtype=np.int32), ["b", "a"]),  # names as first met
        term=(np.array([0, -1, 1], dtype=np.int32), ["y", "x"]),
        source=(np.array([-1, 0, -1], dtype=np.int32), ["s"]),
        synthetic=np.array([False, False, True]),
        text=None,
        values={"v": np.array([1.5, np.nan, np.nan])},
    )
    built = assemble(columns, path="p", sha256="0" * 64)
    for name in ("ts", "kind", "term", "source", "synthetic"):
        assert getattr(built, name).tolist() == getattr(parsed, name).tolist(), name
    assert (built.kinds, built.terms, built.sources) == (parsed.kinds, parsed.terms, parsed.sources)
    assert built.text == parsed.text == ("", "", "")
    assert np.array_equal(built.values["v"], parsed.values["v"], equal_nan=True)
