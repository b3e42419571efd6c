"""Hostile inputs: JSON and YAML values with the shapes that used to crash the loop (#18)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
KEYS = st.text(max_size=8) | st.integers(-3, 3) | st.booleans() | st.none()
values = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)
yaml_values = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=16,
)
deep = st.integers(0, 1500).map(lambda n: b"[" * n + b"]" * n)
# scalars as YAML text: the spellings of NaN, infinities, huge and tiny numbers, aliases
YAML_SCALAR_TEXT = (
    st.sampled_from(
        [
            ".nan",
            ".inf",
            "-.inf",
            "1e999",
            "1" + "0" * 400,
            "5.0e-324",
            "1.0e-10",
            "-3",
            "0",
            "null",
            "true",
            "'x'",
            "[1, 2]",
            "{a: 1}",
            "&a 1",
            "*a",
            "2**63",
            "9223372036854775808",
            "0x10",
            "1_000",
            "-0.0",
            "1.0e+308",
        ]
    )
    | st.floats(allow_nan=False).map(repr)
    | st.integers(-(2**65), 2**65).map(str)
)


def json_line(value: Any) -> bytes:
    """JSON text of a value, NaN and infinities written as Python writes them."""
    return json.dumps(value, allow_nan=True).encode()


def yaml_text(value: Any) -> str:
    """Block YAML of a value (keys of any type)."""
    return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True)


lines = st.one_of(
    values.map(json_line),
    st.binary(max_size=80),
    deep,
    st.builds(lambda a, b: a + b, values.map(json_line), values.map(json_line)),
)
jsonl = st.lists(lines, max_size=8).map(lambda ls: b"\n".join(ls) + b"\n")
