"""Canonical JSON: the one encoding of everything that is hashed or compared byte for byte.

Sorted keys, compact separators, UTF-8 (no ASCII escaping), floats rounded to
FLOAT_DIGITS decimal places (so noise below 1e-6 never changes a hash), -0.0 written
as 0.0, NaN and infinities refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

FLOAT_DIGITS = 6


def normalize(value: Any) -> Any:
    """Return `value` as plain JSON types with every float rounded."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"canonical JSON cannot hold {value!r}")
        rounded = round(value, FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded
    if kind is dict or isinstance(value, Mapping):
        return {str(key): normalize(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [normalize(item) for item in value]
    if isinstance(value, (str, int)):  # str/int subclasses such as IntEnum
        return value
    raise TypeError(f"canonical JSON cannot hold {type(value).__name__}")


def dumps_normalized(value: Any) -> str:
    """Canonical JSON text of a value that is already normalized."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def dumps(value: Any) -> str:
    """Canonical JSON text of `value`."""
    return dumps_normalized(normalize(value))


def encode(value: Any) -> bytes:
    """Canonical JSON bytes of `value`."""
    return dumps(value).encode("utf-8")


def digest(value: Any) -> str:
    """sha256 hex digest of the canonical JSON of `value`."""
    return hashlib.sha256(encode(value)).hexdigest()


def short_digest(value: Any, length: int = 12) -> str:
    """A short, stable identifier derived from content."""
    return digest(value)[:length]
