"""JSON Lines read strictly: one value per line, exact line numbers, nothing that can hurt.

Snapshots, outcomes and ledgers are JSONL written by people and tools. A line must be UTF-8,
hold exactly one JSON value, nest at most MAX_DEPTH levels (deeper input exhausts the
decoder's recursion), and carry only finite numbers that fit in 64 bits: NaN, infinities
and 1e309-sized integers are refused here rather than discovered later as a crash (#18).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 32
MAX_INT = 2**63 - 1
_MAX_INT_DIGITS = len(str(MAX_INT)) + 1  # a sign


class LineError(ValueError):
    """Why one line is not a usable JSON value (the message names no file: callers do)."""


def numbered(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every non-blank line; only '\\n' ends a line."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield number, line.rstrip(b"\r")


def loads(line: bytes) -> Any:
    """The one JSON value on `line`; LineError says what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(
            f"not UTF-8: byte 0x{line[exc.start]:02x} at column {exc.start + 1}"
        ) from None
    if _too_deep(text):
        raise LineError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except LineError:
        raise
    except json.JSONDecodeError as exc:
        raise LineError(_explain(exc)) from None


def _explain(exc: json.JSONDecodeError) -> str:
    where = f"column {exc.pos + 1}"
    if exc.msg == "Extra data":
        if exc.doc.lstrip()[:1] in ("{", "["):
            return f"more than one JSON value on the line ({where}): JSONL holds one per line"
        return f"not a JSON value of its own ({where}): does it continue the line before?"
    if exc.pos >= len(exc.doc.rstrip()):
        return f"invalid JSON: {exc.msg}; the value does not end on this line (one per line)"
    return f"invalid JSON: {exc.msg} ({where})"


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False  # the common case: no scan needed
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _constant(name: str) -> Any:
    raise LineError(f"{name} is not a number JSON allows (only finite numbers)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise LineError(f"{_clip(text)} is too large for a number (it overflows to infinity)")
    return value


def _int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS or abs(value := int(text)) > MAX_INT:
        raise LineError(f"integer {_clip(text)} does not fit in 64 bits")
    return value


def _clip(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}...({len(text)} digits)"
