"""Strict JSON Lines: each line one finite, shallow, UTF-8 value, or a reason naming the column."""

from __future__ import annotations

import pytest

from bot.core import jsonline


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"a": NaN}', "NaN is not a number JSON allows"),
        (b'{"a": Infinity}', "Infinity is not a number JSON allows"),
        (b'{"a": -Infinity}', "-Infinity is not a number JSON allows"),
        (b'{"a": 1e400}', "1e400 is too large for a number"),
        (b'{"a": 1' + b"0" * 309 + b"}", "does not fit in 64 bits"),
        (b'{"ts": 9223372036854775808}', "integer 9223372036854775808 does not fit"),
        (b'{"a": "\xff"}', "not UTF-8: byte 0xff at column 8"),
        (b"[" * 33 + b"]" * 33, "nested deeper than 32 levels"),
        (b'{"a": 1}{"b": 2}', "more than one JSON value on the line (column 9)"),
        (b'{"a": 1}, {"b": 2}', "more than one JSON value on the line (column 9)"),
        (b'"kind": "x"}', "not a JSON value of its own (column 7)"),
        (b'{"ts": 0,', "the value does not end on this line"),
        (b"{not json", "invalid JSON: Expecting property name"),
    ],
)
def test_loads_refuses_what_would_hurt_with_the_reason(line: bytes, reason: str) -> None:
    with pytest.raises(jsonline.LineError) as caught:
        jsonline.loads(line)
    assert reason in str(caught.value)


def test_loads_accepts_the_limits_themselves() -> None:
    assert jsonline.loads(b"[" * 32 + b"]" * 32) is not None
    assert jsonline.loads(b'{"a": 9223372036854775807, "b": -9223372036854775807}') == {
        "a": 2**63 - 1,
        "b": -(2**63 - 1),
    }
    assert jsonline.loads(b'{"a": 1e308, "b": null}') == {"a": 1e308, "b": None}


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = '{"a": "' + "[{" * 40 + '\\"' + "}]" * 40 + '"}'
    assert jsonline.loads(text.encode())["a"].startswith("[{[{")


def test_numbered_counts_only_newlines_and_skips_blank_lines() -> None:
    data = b'{"a": 1}\r\n\n  \n{"b": "\xc2\x85\xe2\x80\xa8"}\n{"c": 3}'
    assert [n for n, _ in jsonline.numbered(data)] == [1, 4, 5]
    assert next(jsonline.loads(line) for _, line in jsonline.numbered(data)) == {"a": 1}
