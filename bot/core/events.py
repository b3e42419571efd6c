"""Snapshot event lines checked one by one, without building columns.

`learnbot validate` needs only the problems, and building numpy columns would import numpy
(#17); `snapshot.parse` checks every line with the same function, so the messages agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core import jsonline
from bot.model import Problem

EVENT_KEYS = frozenset({"ts", "kind", "term", "source", "synthetic", "text", "values"})
_EPOCHS = (-62_135_596_800, 253_402_300_799)  # 0001-01-01 .. 9999-12-31T23:59:59Z, as strings
Invalid = tuple[str, str]  # (JSON pointer, why): one invalid event line


def problems(data: bytes, *, path: str) -> list[Problem]:
    """Every invalid line of a JSONL snapshot, with its line number and field."""
    found: list[Problem] = []
    for number, line in jsonline.numbered(data):
        try:
            invalid = check_event(jsonline.loads(line))
        except jsonline.LineError as exc:
            invalid = ("", str(exc))
        if invalid:
            found.append(Problem(path, number, *invalid))
    return found


def check_event(row: Any) -> Invalid | None:
    """Why one parsed line is not a valid event (None when it is)."""
    if not isinstance(row, dict):
        return "", "an event must be a JSON object"
    if not row.keys() <= EVENT_KEYS:
        return "", f"unknown key(s) {', '.join(sorted(set(row) - EVENT_KEYS))}"
    invalid = _check_ts(row.get("ts"))
    if invalid:
        return invalid
    if type(row.get("kind")) is not str:
        return "/kind", "required, a string"
    for key in ("term", "source", "text"):
        if key in row and type(row[key]) is not str:
            return f"/{key}", "must be a string"
    if "synthetic" in row and type(row["synthetic"]) is not bool:
        return "/synthetic", "must be true or false"
    if "values" not in row:
        return None
    values = row["values"]
    if type(values) is not dict:
        return "/values", "must be an object of numbers"
    for name, value in values.items():
        if value is not None and type(value) is not float and type(value) is not int:
            return f"/values/{name}", "must be a number or null"
    return None


def _check_ts(ts: Any) -> Invalid | None:
    if type(ts) is str:
        if not _is_stamp(ts):
            return "/ts", f"{ts!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ"
    elif type(ts) is not int:
        return "/ts", "required, an ISO-8601 UTC string or epoch seconds"
    elif not _EPOCHS[0] <= ts <= _EPOCHS[1]:
        return "/ts", f"{ts} is outside the epoch seconds of the years 1 to 9999"
    return None


def _is_stamp(text: str) -> bool:
    if len(text) != 20 or text[10] != "T" or text[-1] != "Z":
        return False
    try:
        dt.datetime.fromisoformat(text[:-1])
    except ValueError:
        return False
    return True
