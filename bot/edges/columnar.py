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

    from bot.edges import stamps
except ImportError:  # pragma: no cover - exercised in a subprocess without pyarrow
    pa = None

MISSING = "reading Parquet snapshots needs pyarrow: pip install 'learnbot[fast]'"
_KEYS = frozenset({"ts", "kind", "term", "source", "synthetic", "text", "values"})
_CODED = ["kind", "term", "source"]  # Parquet: read as dictionaries (names, codes)
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
    columns = _columns(table, parquet=False)
    return None if columns is None else assemble(columns, path=path, sha256=sha256)


def read_parquet(data: bytes, *, path: str, sha256: str) -> tuple[Snapshot | None, list[Problem]]:
    """The snapshot of a Parquet file (invalid rows reported and left out, as in JSONL)."""
    if pa is None:
        return None, [Problem(path, 1, "", MISSING)]
    try:
        table = pq.read_table(pa.py_buffer(data), read_dictionary=_CODED)
    except (pa.ArrowException, OSError) as exc:
        return None, [Problem(path, 1, "", f"not a Parquet file: {exc}")]
    columns = _columns(table, parquet=True)
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


def _columns(table: Any, *, parquet: bool) -> Columns | None:
    """Valid columns, or None when any event breaks a rule (or pyarrow typed it otherwise)."""
    names = set(table.column_names)
    if not names <= _KEYS or "ts" not in names or "kind" not in names:
        return None
    ts = stamps.epochs(table.column("ts"))
    if ts is None or table.column("kind").null_count:
        return None
    coded = [_coded(table, name) for name in _CODED]
    synthetic = _flags(table)
    texts_ok, texts = _text(table)
    values = _values(table, parquet=parquet)
    if None in coded or synthetic is None or not texts_ok or values is None:
        return None
    kinds, terms, sources = (c for c in coded if c is not None)
    return Columns(ts, kinds, terms, sources, synthetic, texts, values)


def _strings(type_: Any) -> bool:
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


def _coded(table: Any, name: str) -> Coded | None:
    size = table.num_rows
    if name not in table.column_names:
        return np.full(size, NO_CODE, dtype=np.int32), []
    column = table.column(name)
    if pa.types.is_null(column.type):
        return np.full(size, NO_CODE, dtype=np.int32), []
    if pa.types.is_dictionary(column.type):
        return _dictionary(column)
    if not _strings(column.type):
        return None
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = pc.fill_null(encoded.indices, NO_CODE).to_numpy(zero_copy_only=False)
    return codes.astype(np.int32), encoded.dictionary.to_pylist()


def _dictionary(column: Any) -> Coded | None:
    """Codes and names of a dictionary column as Parquet stores it, the names each used
    once (a writer may keep names no event uses, or repeat one across row groups)."""
    if not _strings(column.type.value_type):
        return None
    encoded = column.combine_chunks()  # one dictionary for all row groups
    names = encoded.dictionary
    if names.null_count:
        return None
    codes = pc.fill_null(encoded.indices, NO_CODE).to_numpy(zero_copy_only=False)
    codes = codes.astype(np.int32, copy=False)
    listed: list[str] = names.to_pylist()
    used = (np.bincount(codes[codes >= 0], minlength=len(listed)) > 0).tolist()
    if all(used) and len(set(listed)) == len(listed):
        return codes, listed
    kept = sorted({name for name, on in zip(listed, used, strict=True) if on})
    position = {name: code for code, name in enumerate(kept)}
    recode = [position[name] if on else NO_CODE for name, on in zip(listed, used, strict=True)]
    return np.array([*recode, NO_CODE], dtype=np.int32)[codes], kept  # NO_CODE picks the last


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
    if not _strings(column.type):
        return False, None
    texts: list[str] = pc.fill_null(column, "").to_pylist()
    return True, texts


def _values(table: Any, *, parquet: bool) -> dict[str, npt.NDArray[np.float64]] | None:
    """Value columns by name; none when no event has values (as the row parser builds them).

    JSON has no NaN or infinity and the row parser refuses integers beyond 64 bits; a
    Parquet float is any double, as the row parser takes it from the row.
    """
    if "values" not in table.column_names or pa.types.is_null(table.column("values").type):
        return {}
    column = table.column("values")
    if not pa.types.is_struct(column.type):
        return None
    if column.null_count == len(column):
        return {}
    found = {}
    numeric = (pa.types.is_null, pa.types.is_integer, pa.types.is_floating)
    for field, child in zip(column.type, column.flatten(), strict=True):
        if not any(is_type(field.type) for is_type in numeric):
            return None
        numbers = _floats(child.cast(pa.float64(), safe=False).combine_chunks())
        if not parquet and not _json_numbers(numbers, child.null_count):
            return None
        found[field.name] = numbers
    return found


def _floats(array: Any) -> npt.NDArray[np.float64]:
    """A float64 array as numpy, NaN where null (faster than pyarrow's own conversion)."""
    validity, buffer = array.buffers()
    span = slice(array.offset, array.offset + len(array))
    numbers = np.frombuffer(buffer, dtype=np.float64)[span] if len(array) else np.zeros(0)
    if validity is None or not array.null_count:
        return numbers
    valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[span]
    return np.where(valid.view(np.bool_), numbers, np.nan)


def _json_numbers(numbers: npt.NDArray[np.float64], nulls: int) -> bool:
    """No NaN literal (only nulls are NaN), no infinity, no integer beyond 64 bits."""
    if int(np.isnan(numbers).sum()) != nulls:
        return False
    return not (np.abs(np.nan_to_num(numbers)) >= _MAX_INT).any()


def _rows(table: Any) -> Iterator[tuple[int, Any]]:
    """(row number, event) with null fields left out: Parquet has no 'absent'."""
    times = None
    if "ts" in table.column_names and pa.types.is_timestamp(table.column("ts").type):
        times = _row_stamps(table.column("ts"))
        table = table.drop_columns(["ts"])
    for number, row in enumerate(table.to_pylist(), start=1):
        if times is not None:
            row["ts"] = times[number - 1]
        yield number, {k: v for k, v in row.items() if v is not None}


def _row_stamps(column: Any) -> list[int | str | None]:
    """Timestamps as the row parser reads times: epoch seconds when whole, else the ISO
    string with its fraction (which it refuses, naming the row)."""
    unit = column.type.unit
    per_second = stamps.PER_SECOND[unit]
    return [
        None
        if value is None
        else value // per_second
        if value % per_second == 0
        else f"{np.datetime64(value, unit)}Z"
        for value in column.cast(pa.int64()).to_pylist()
    ]
