"""Snapshots read column by column with pyarrow (the `fast` extra), JSONL and Parquet.

JSONL: pyarrow parses the whole file at once; the columns are then validated column-wise
(types, time stamps, ranges) against the rules of the row parser. A file the columnar reader
cannot vouch for (an invalid event, an explicit null where a value must be a string, anything
the row parser would refuse) is left to the row parser, which names file, line and field:
the messages are always the row parser's.

Parquet: the same columns and rules (a missing value is an absent field); rows that break a
rule are validated one by one by the row parser, which names the file, row and field.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.snapshot import Coded, Columns, assemble, parse_rows
from bot.model import Problem
from bot.model.snapshot import NO_CODE, Snapshot

try:  # the `fast` extra
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - exercised in a subprocess without pyarrow
    pa = None

MISSING = "reading Parquet snapshots needs pyarrow: pip install 'learnbot[fast]'"
_KEYS = frozenset({"ts", "kind", "term", "source", "synthetic", "text", "values"})
_EPOCHS = (-62_135_596_800, 253_402_300_799)
_SEPARATORS = [4, 7, 10, 13, 16, 19]
_EXPECTED = np.frombuffer(b"--T::Z", dtype=np.uint8)
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_FIELDS = ((0, 4), (4, 2), (6, 2), (8, 2), (10, 2), (12, 2))  # in _DIGITS: start, width
_PLACES = np.array([1000, 100, 10, 1], dtype=np.int64)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_MAX_INT = 2.0**63
# pyarrow takes an explicit null for an absent field; the row parser refuses it for these
_KEY_BEFORE = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:\s*$')
_INNER_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*(?=\n)")


def available() -> bool:
    """Whether pyarrow is installed."""
    return pa is not None


def read_jsonl(data: bytes, *, path: str, sha256: str) -> Snapshot | None:
    """The snapshot of a JSONL file every line of which is valid; None: ask the row parser."""
    if pa is None or _suspect(data):
        return None
    table = _arrow_json(data)
    if table is None or table.num_rows != _lines(data):
        return None
    columns = _columns(table)
    return None if columns is None else assemble(columns, path=path, sha256=sha256)


def read_parquet(data: bytes, *, path: str, sha256: str) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot of a Parquet file (invalid rows reported and left out, as in JSONL)."""
    if pa is None:
        return None, [Problem(path, 1, "", MISSING)]
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        return None, [Problem(path, 1, "", f"not a Parquet file: {exc}")]
    columns = _columns(table)
    if columns is not None:
        return assemble(columns, path=path, sha256=sha256), []
    snapshot, problems = parse_rows(_rows(table), path=path, sha256=sha256)
    return snapshot, problems


def _suspect(data: bytes) -> bool:
    """Whether the file holds what pyarrow would take and the row parser would refuse: a
    byte-order mark, bytes that are not UTF-8, an explicit null for an event field."""
    if data.startswith(b"\xef\xbb\xbf") or b"\n\xef\xbb\xbf" in data:
        return True
    at = data.find(b"null")
    while at != -1:
        key = _KEY_BEFORE.search(data, max(0, at - 256), at)
        if key is not None and (
            b"\\" in key.group(1) or key.group(1).decode("utf-8", "replace") in _KEYS
        ):
            return True
        at = data.find(b"null", at + 4)
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _lines(data: bytes) -> int:
    """Non-blank lines, as the row parser counts them (only '\\n' ends a line)."""
    blank = len(_INNER_BLANK.findall(data))
    first = data.find(b"\n")
    blank += not data[: len(data) if first == -1 else first].strip()
    if first != -1:
        blank += not data[data.rfind(b"\n") + 1 :].strip()
    return data.count(b"\n") + 1 - blank


def _arrow_json(data: bytes) -> Any:
    for ts_type in (pa.string(), pa.int64()):
        options = pj.ParseOptions(explicit_schema=pa.schema([("ts", ts_type)]))
        try:
            return pj.read_json(io.BytesIO(data), parse_options=options)
        except pa.ArrowInvalid:
            continue
    return None


def _columns(table: Any) -> Columns | None:
    """Valid columns, or None when any event breaks a rule (or pyarrow typed it otherwise)."""
    names = set(table.column_names)
    if not names <= _KEYS or "ts" not in names or "kind" not in names:
        return None
    ts = _epochs(table.column("ts"))
    kind = table.column("kind")
    if ts is None or not _strings(kind) or kind.null_count:
        return None
    coded = [_coded(table, name) for name in ("kind", "term", "source")]
    synthetic = _flags(table)
    texts_ok, texts = _text(table)
    values = _values(table)
    if None in coded or synthetic is None or not texts_ok or values is None:
        return None
    kinds, terms, sources = (c for c in coded if c is not None)
    return Columns(ts, kinds, terms, sources, synthetic, texts, values)


def _strings(column: Any) -> bool:
    return bool(pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _epochs(column: Any) -> npt.NDArray[np.int64] | None:
    if column.null_count:
        return None
    if pa.types.is_integer(column.type):
        epochs = np.asarray(column.to_numpy(), dtype=np.int64)
        if epochs.size and not (_EPOCHS[0] <= epochs.min() and epochs.max() <= _EPOCHS[1]):
            return None
        return epochs
    if not pa.types.is_string(column.type):
        return None
    return _stamps(column.combine_chunks())


def _stamps(column: Any) -> npt.NDArray[np.int64] | None:
    """Epoch seconds of YYYY-MM-DDTHH:MM:SSZ strings, read from pyarrow's buffer in place;
    None when any is not exactly that form of a real time (the row parser says why)."""
    size = len(column)
    _, offsets, data = column.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + size + 1]
    if size == 0 or not (np.diff(bounds) == 20).all():
        return None if size else np.zeros(0, dtype=np.int64)
    chars = np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]].reshape(size, 20)
    if not (chars[:, _SEPARATORS] == _EXPECTED).all():
        return None
    digits = chars[:, _DIGITS] - np.uint8(ord("0"))  # wraps below '0': caught as > 9
    if (digits > 9).any():
        return None
    digits = digits.astype(np.int64)
    year, month, day, hour, minute, second = (
        (digits[:, i : i + n] * _PLACES[-n:]).sum(axis=1) for i, n in _FIELDS
    )
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_month = _MONTH_DAYS[np.clip(month, 1, 12)] + ((month == 2) & leap)
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days_in_month)
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)
    if not valid.all():
        return None
    seconds = _civil_days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return np.asarray(seconds, dtype=np.int64)


def _civil_days(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    of_cycle = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return np.asarray(era * 146097 + of_cycle - 719468, dtype=np.int64)


def _coded(table: Any, name: str) -> Coded | None:
    size = table.num_rows
    if name not in table.column_names:
        return np.full(size, NO_CODE, dtype=np.int32), []
    column = table.column(name)
    if pa.types.is_null(column.type):
        return np.full(size, NO_CODE, dtype=np.int32), []
    if not _strings(column):
        return None
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = pc.fill_null(encoded.indices, NO_CODE).to_numpy(zero_copy_only=False)
    return codes.astype(np.int32), encoded.dictionary.to_pylist()


def _flags(table: Any) -> npt.NDArray[np.bool_] | None:
    if "synthetic" not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.bool_)
    column = table.column("synthetic")
    if pa.types.is_null(column.type):
        return np.zeros(table.num_rows, dtype=np.bool_)
    if not pa.types.is_boolean(column.type):
        return None
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _text(table: Any) -> tuple[bool, list[str] | None]:
    """Whether the texts are strings; every event's text ('' for none), None if none has one."""
    if "text" not in table.column_names or pa.types.is_null(table.column("text").type):
        return True, None
    column = table.column("text")
    if not _strings(column):
        return False, None
    texts: list[str] = pc.fill_null(column, "").to_pylist()
    return True, texts


def _values(table: Any) -> dict[str, npt.NDArray[np.float64]] | None:
    if "values" not in table.column_names or pa.types.is_null(table.column("values").type):
        return {}
    column = table.column("values")
    if not pa.types.is_struct(column.type):
        return None
    found = {}
    flat = column.combine_chunks()
    for index in range(column.type.num_fields):
        field = column.type.field(index)
        child = pc.struct_field(flat, [index])
        numeric = (pa.types.is_null, pa.types.is_integer, pa.types.is_floating)
        if not any(is_type(field.type) for is_type in numeric):
            return None
        floats = child.cast(pa.float64())
        if pc.any(pc.is_nan(floats)).as_py():
            return None  # a NaN literal, not a null: the row parser refuses it
        numbers = np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
        if (np.abs(np.nan_to_num(numbers)) >= _MAX_INT).any():
            return None  # infinities and integers beyond 64 bits: refused by the row parser
        found[field.name] = numbers
    return found


def _rows(table: Any) -> Iterator[tuple[int, Any]]:
    """(row number, event) with null fields left out: Parquet has no 'absent'."""
    for number, row in enumerate(table.to_pylist(), start=1):
        yield number, {k: v for k, v in row.items() if v is not None}
