"""Event lines checked without building columns (#17): the same problems `parse` reports."""

from __future__ import annotations

import hashlib

import pytest

from bot.core import events
from bot.core.snapshot import parse

LINES = [
    b'{"ts": "2026-01-01T00:00:00Z", "kind": "mention", "term": "x"}\n',
    b"[1, 2]\n",
    b'{"ts": "yesterday", "kind": "mention"}\n',
    b'{"ts": 1, "kind": "mention", "colour": "red"}\n',
    b'{"ts": 1, "kind": "mention", "values": {"v": "high"}}\n',
    b"{not json\n",
    b'{"ts": 1, "kind": 3}\n',
]


@pytest.mark.parametrize("count", range(1, len(LINES) + 1))
def test_events_problems_are_the_problems_parse_reports(count: int) -> None:
    data = b"".join(LINES[:count])
    _, parsed = parse(data, path="cases/data/x.jsonl", sha256=hashlib.sha256(data).hexdigest())
    assert events.problems(data, path="cases/data/x.jsonl") == parsed


def test_events_a_valid_event_has_no_problem() -> None:
    assert events.check_event({"ts": "2026-01-01T00:00:00Z", "kind": "k"}) is None
    assert events.check_event("text") == ("", "an event must be a JSON object")
