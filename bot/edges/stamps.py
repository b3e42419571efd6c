"""Event times column by column: ISO-8601 UTC strings, epoch seconds, Arrow timestamps.

Each function gives the epoch seconds of a whole pyarrow column, or None when any value is
not what the row parser accepts (it then says which event and why). Needs pyarrow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

EPOCHS = (-62_135_596_800, 253_402_300_799)  # 0001-01-01 .. 9999-12-31T23:59:59Z
PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_SEPARATORS = [4, 7, 10, 13, 16, 19]
_EXPECTED = np.frombuffer(b"--T::Z", dtype=np.uint8)

Epochs = npt.NDArray[np.int64]


def epochs(column: Any) -> Epochs | None:
    """Epoch seconds of a time column without nulls: strings, integers or timestamps."""
    if column.null_count:
        return None
    if pa.types.is_integer(column.type):
        try:  # a checked cast: an unsigned value beyond 64-bit signed is no time
            signed = column.cast(pa.int64())
        except pa.ArrowInvalid:
            return None
        return _in_range(np.asarray(signed.to_numpy(), dtype=np.int64))
    if pa.types.is_timestamp(column.type):
        return _in_range(whole_seconds(column))
    if not pa.types.is_string(column.type):
        return None
    return _in_range(_stamps(column.combine_chunks()))  # Arrow takes the year 0


def whole_seconds(column: Any) -> Epochs | None:
    """Epoch seconds of a timestamp column (a time zone only names how to show the same
    instant), None when one has a fraction of a second: events are whole seconds."""
    raw = np.asarray(column.cast(pa.int64()).to_numpy(), dtype=np.int64)
    per_second = PER_SECOND[column.type.unit]
    if per_second == 1:
        return raw
    seconds, fractions = np.divmod(raw, per_second)
    return None if fractions.any() else seconds


def _in_range(seconds: Epochs | None) -> Epochs | None:
    if seconds is None or not seconds.size:
        return seconds
    return seconds if EPOCHS[0] <= seconds.min() and seconds.max() <= EPOCHS[1] else None


def _stamps(column: Any) -> Epochs | None:
    """Epoch seconds of YYYY-MM-DDTHH:MM:SSZ strings; None when any is not exactly that form
    of a real time (the row parser says why). The form is checked in pyarrow's buffer in
    place; Arrow's ISO-8601 parser, as strict about digits and dates, reads the times."""
    size = len(column)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    _, offsets, data = column.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + size + 1]
    if not (np.diff(bounds) == 20).all():
        return None
    chars = np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]].reshape(size, 20)
    if not (chars[:, _SEPARATORS] == _EXPECTED).all():
        return None
    try:
        times = column.cast(pa.timestamp("s", "UTC"))
    except pa.ArrowInvalid:
        return None
    return np.asarray(times.cast(pa.int64()).to_numpy(), dtype=np.int64)
