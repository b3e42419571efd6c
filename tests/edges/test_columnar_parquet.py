"""Parquet snapshots read column by column give the row parser's snapshot and problems."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.snapshot import parse, parse_rows
from bot.edges import snapshots
from bot.edges.stamps import EPOCHS
from bot.model.snapshot import Snapshot
from tests.edges.test_columnar import same
from tests.worlds import events_jsonl

PATH = "cases/data/s.parquet"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def written(table: pa.Table, **options: Any) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **options)
    return out.getvalue()


def by_rows(events: list[dict[str, Any]], sha256: str) -> tuple[Snapshot, list[Any]]:
    """The row parser's snapshot of these events (a missing value is an absent field)."""
    rows = [{k: v for k, v in e.items() if v is not None} for e in events]
    return parse_rows(enumerate(rows, start=1), path=PATH, sha256=sha256)


def jsonl_events(seed: int, count: int) -> tuple[bytes, pa.Table]:
    data = events_jsonl(seed, count)
    return data, pa.Table.from_pylist([json.loads(line) for line in data.splitlines()])


def with_times(table: pa.Table, unit: str, tz: str | None) -> pa.Table:
    """The table with its ISO-8601 `ts` strings as a native timestamp column."""
    seconds = table.column("ts").cast(pa.timestamp("s", "UTC")).cast(pa.int64())
    scaled = pa.compute.multiply(seconds, {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit])
    return table.set_column(0, "ts", scaled.cast(pa.timestamp(unit, tz)))


def test_a_native_timestamp_column_reads_as_its_iso_strings() -> None:
    data, table = jsonl_events(11, 3000)
    expected = parse(data, path=PATH, sha256=digest(data))[0]
    for unit, tz in (("s", "UTC"), ("ms", None), ("us", "Europe/Paris"), ("ns", "UTC")):
        parquet = written(with_times(table, unit, tz), row_group_size=700)
        loaded, problems = snapshots.read(PATH, parquet, digest(data))
        assert problems == []
        same(loaded, expected)


def test_times_the_row_parser_refuses_are_reported_by_row_and_left_out() -> None:
    ts = pa.array(
        [1_735_689_600_000, 1_735_689_600_500, None, 253_402_300_800_000], pa.timestamp("ms")
    )
    table = pa.table({"ts": ts, "kind": ["a", "b", "c", "d"]})
    loaded, problems = snapshots.read(PATH, written(table), "0" * 64)
    assert [str(p) for p in problems] == [
        f"{PATH}:2: /ts: '2025-01-01T00:00:00.500Z' is not a UTC time YYYY-MM-DDTHH:MM:SSZ",
        f"{PATH}:3: /ts: required, an ISO-8601 UTC string or epoch seconds",
        f"{PATH}:4: /ts: 253402300800 is outside the epoch seconds of the years 1 to 9999",
    ]
    assert loaded is not None and loaded.ts.tolist() == [1_735_689_600]
    assert loaded.kinds == {"a": 0}


def test_unsigned_times_beyond_64_bit_signed_are_reported_not_wrapped() -> None:
    table = pa.table({"ts": pa.array([5, 2**64 - 5], pa.uint64()), "kind": ["a", "b"]})
    loaded, problems = snapshots.read(PATH, written(table), "0" * 64)
    assert [str(p) for p in problems] == [
        f"{PATH}:2: /ts: {2**64 - 5} is outside the epoch seconds of the years 1 to 9999"
    ]
    assert loaded is not None and loaded.ts.tolist() == [5]


def test_names_a_writer_keeps_unused_or_repeats_are_not_names_of_events() -> None:
    kind = pa.DictionaryArray.from_arrays(pa.array([2, 0, 2]), pa.array(["b", "z", "a"]))
    term = pa.DictionaryArray.from_arrays(pa.array([0, None, 1]), pa.array(["x", "x", "w"]))
    table = pa.table({"ts": [3, 1, 2], "kind": kind, "term": term})
    events = [
        {"ts": 3, "kind": "a", "term": "x"},
        {"ts": 1, "kind": "b"},
        {"ts": 2, "kind": "a", "term": "x"},
    ]
    loaded, problems = snapshots.read(PATH, written(table), "0" * 64)
    assert problems == []
    same(loaded, by_rows(events, "0" * 64)[0])
    assert loaded is not None and loaded.kinds == {"a": 0, "b": 1} and loaded.terms == {"x": 0}


NAMES = st.sampled_from(["a", "b", "", "caf\u00e9", "\U0001f600"])
FLOATS = st.none() | st.floats(allow_nan=True, allow_infinity=True)
INTEGERS = st.none() | st.integers(-(2**63), 2**63 - 1)
EVENTS = st.fixed_dictionaries(
    {
        "ts": st.integers(*EPOCHS) | st.sampled_from([1, 2, EPOCHS[0] - 1, EPOCHS[1] + 1]),
        "kind": NAMES,
        "term": st.none() | NAMES,
        "source": st.none() | NAMES,
        "synthetic": st.none() | st.booleans(),
        "text": st.none() | st.text(max_size=6),
        "values": st.none() | st.fixed_dictionaries({"risk": FLOATS, "n": INTEGERS}),
    }
)


@settings(max_examples=120, deadline=None)
@given(st.lists(EVENTS, max_size=12), st.integers(1, 5), st.sampled_from(["s", "ms", "int", "iso"]))
def test_any_parquet_table_reads_as_the_row_parser_reads_its_rows(
    events: list[dict[str, Any]], group: int, unit: str
) -> None:
    if unit == "iso":  # years beyond 9999 are written '+10000-...', refused as the year 0 is
        events = [{**e, "ts": f"{np.datetime64(e['ts'], 's')}Z"} for e in events]
    table = pa.Table.from_pylist(events) if events else pa.table({"ts": pa.array([], pa.int64())})
    if unit in ("s", "ms") and events:
        per_second = 1000 if unit == "ms" else 1
        times = pa.array([e["ts"] * per_second for e in events], pa.timestamp(unit, "UTC"))
        table = table.set_column(table.column_names.index("ts"), "ts", times)
    parquet = written(table, row_group_size=group)
    loaded, problems = snapshots.read(PATH, parquet, "0" * 64)
    expected, expected_problems = by_rows(events, "0" * 64)
    assert problems == expected_problems
    same(loaded, expected)


def test_nan_and_infinite_values_are_kept_as_the_row_parser_keeps_them() -> None:
    events = [
        {"ts": 2, "kind": "a", "values": {"risk": float("nan"), "n": 2**62 + 1}},
        {"ts": 1, "kind": "a", "values": {"risk": float("inf"), "n": None}},
        {"ts": 1, "kind": "a", "values": None},
    ]
    loaded, problems = snapshots.read(PATH, written(pa.Table.from_pylist(events)), "0" * 64)
    assert problems == []
    same(loaded, by_rows(events, "0" * 64)[0])
    assert loaded is not None
    assert np.isinf(loaded.values["risk"][0]) and loaded.values["n"][2] == float(2**62 + 1)
