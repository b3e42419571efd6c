from __future__ import annotations

import math

import pytest

from bot.core import canonical


def test_canonical_identical_across_key_order() -> None:
    a = {"b": 1, "a": {"y": [1, 2], "x": "é"}}
    b = {"a": {"x": "é", "y": [1, 2]}, "b": 1}
    assert canonical.encode(a) == canonical.encode(b)
    assert canonical.encode(a) == '{"a":{"x":"é","y":[1,2]},"b":1}'.encode()


@pytest.mark.parametrize("noise", [1e-9, -4e-7, 4.9e-7])
def test_canonical_float_noise_below_precision_vanishes(noise: float) -> None:
    assert canonical.digest({"x": 0.1 + noise}) == canonical.digest({"x": 0.1})


def test_canonical_float_difference_at_precision_is_kept() -> None:
    assert canonical.digest({"x": 0.100001}) != canonical.digest({"x": 0.1})


def test_canonical_negative_zero_is_zero() -> None:
    assert canonical.dumps({"x": -0.0}) == canonical.dumps({"x": 0.0}) == '{"x":0.0}'
    assert canonical.dumps({"x": -1e-9}) == '{"x":0.0}'


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_canonical_refuses_non_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        canonical.encode({"x": bad})


def test_canonical_refuses_unknown_types() -> None:
    with pytest.raises(TypeError, match="set"):
        canonical.encode({"x": {1, 2}})


def test_canonical_keeps_bools_and_tuples() -> None:
    assert canonical.dumps({"t": True, "l": (1, 2.5)}) == '{"l":[1,2.5],"t":true}'


def test_short_digest_is_prefix() -> None:
    assert canonical.digest([1]).startswith(canonical.short_digest([1], 8))


def test_canonical_refuses_what_json_cannot_hold() -> None:
    import enum

    class Level(enum.IntEnum):
        LOW = 1

    assert canonical.normalize({"a": (Level.LOW, "x")}) == {"a": [1, "x"]}
    with pytest.raises(TypeError, match="cannot hold set"):
        canonical.normalize({1, 2})
