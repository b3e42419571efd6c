"""The columnar reader (pyarrow) gives the row parser's snapshot and problems, JSONL or Parquet."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.snapshot import parse
from bot.edges import columnar, snapshots
from bot.edges.snapshot_cache import SnapshotCache
from bot.model.snapshot import Snapshot
from tests.fuzz.strategies import SCALARS, json_line
from tests.repos import ROOT
from tests.worlds import events_jsonl

FIELDS = ("ts", "kind", "term", "source", "synthetic")


def same(a: Snapshot | None, b: Snapshot | None) -> None:
    """Two snapshots hold the same events, names and codes."""
    assert a is not None and b is not None
    assert (a.path, a.sha256, len(a)) == (b.path, b.sha256, len(b))
    for name in FIELDS:
        assert getattr(a, name).dtype == getattr(b, name).dtype, name
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.kinds, a.terms, a.sources, a.text) == (b.kinds, b.terms, b.sources, b.text)
    assert list(a.values) == list(b.values)
    for name, column in a.values.items():
        assert np.array_equal(column, b.values[name], equal_nan=True), name


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rows_parser(data: bytes, path: str = "cases/data/s.jsonl") -> tuple[Snapshot, list[Any]]:
    return parse(data, path=path, sha256=digest(data))


def test_columnar_reads_the_example_snapshots_as_the_row_parser_does() -> None:
    paths = sorted((ROOT / "cases" / "data").glob("*.jsonl"))
    assert paths
    for path in paths:
        data = path.read_bytes()
        name = f"cases/data/{path.name}"
        fast = columnar.read_jsonl(data, path=name, sha256=digest(data))
        same(fast, rows_parser(data, name)[0])


def test_columnar_reads_generated_snapshots_as_the_row_parser_does() -> None:
    for seed, count in ((1, 5000), (2, 300), (3, 1)):
        data = events_jsonl(seed, count)
        same(
            columnar.read_jsonl(data, path="cases/data/s.jsonl", sha256=digest(data)),
            rows_parser(data)[0],
        )


def test_epoch_second_stamps_and_an_empty_file() -> None:
    data = b'{"ts": 1767225600, "kind": "a"}\n{"ts": -5, "kind": "b", "term": "x"}\n'
    same(
        columnar.read_jsonl(data, path="cases/data/s.jsonl", sha256=digest(data)),
        rows_parser(data)[0],
    )
    assert columnar.read_jsonl(b"", path="p", sha256=digest(b"")) is None  # no table


VALID = [
    '{"ts": "2025-01-01T00:00:00Z", "kind": "mention", "term": "x"}',
    '{"ts": "2025-03-01T12:00:00Z", "kind": "email", "values": {"risk": 0.5, "n": 2}}',
    '{"ts": "2024-02-29T23:59:59Z", "kind": "signal", "source": "s", "synthetic": true}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "mention", "text": "Wire transfer, null"}',
    '{"ts": "2025-01-02T00:00:00Z", "kind": "email", "values": {"risk": null}}',
    '{"ts": "2025-01-03T00:00:00Z", "kind": "m\\u00e9", "term": "caf\\u00e9"}',
]
ODD = [
    "",
    "   ",
    '{"ts": "2025-01-01T00:00:00Z", "kind": "mention", "term": null}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "mention", "te\\u0072m": null}',
    '{"ts": "2025-02-30T00:00:00Z", "kind": "mention"}',
    '{"ts": "0000-01-01T00:00:00Z", "kind": "mention"}',
    '{"ts": "2025-01-01T24:00:00Z", "kind": "mention"}',
    '{"ts": "2025-01-01 00:00:00Z", "kind": "mention"}',
    '{"ts": 1735689600, "kind": "mention"}',
    '{"ts": 1e9, "kind": "mention"}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "mention"} {"ts": "2025-01-01T00:00:00Z", "kind": "x"}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "values": {"risk": NaN}}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "values": {"risk": 99999999999999999999}}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "values": {"risk": true}}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "values": {"risk": {"deep": 1}}}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "values": 3}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "other": 1}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "email", "synthetic": null}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": 3}',
    '{"ts": "2025-01-01T00:00:00Z"}',
    '{"ts": "2025-01-01T00:00:00Z", "ts": "2025-01-02T00:00:00Z", "kind": "a"}',
    '{"ts": "2025-01-01T00:00:00Z", "kind": "a\\ud800"}',
    "[1, 2]",
    "7",
    '{"ts": "2025-01-01T00:00:00Z", "kind": "a",',
    '\ufeff{"ts": "2025-01-01T00:00:00Z", "kind": "a"}',
]


@settings(max_examples=120, deadline=None)
@given(
    lines=st.lists(st.sampled_from(VALID + ODD), max_size=12),
    crlf=st.booleans(),
    bad_byte=st.booleans(),
)
def test_any_file_reads_as_the_row_parser_reads_it(
    lines: list[str], crlf: bool, bad_byte: bool
) -> None:
    """Files the columnar reader vouches for equal the row parser's; others go to it."""
    data = ("\r\n" if crlf else "\n").join(lines).encode()
    if bad_byte:
        data += b'\n{"ts": "2025-01-01T00:00:00Z", "kind": "\xff"}'
    path = "cases/data/s.jsonl"
    loaded, problems = snapshots.read(path, data, digest(data))
    expected, expected_problems = rows_parser(data, path)
    assert problems == expected_problems
    same(loaded, expected)
    if columnar.read_jsonl(data, path=path, sha256=digest(data)) is not None:
        assert not expected_problems  # only problem-free files are read column by column


def parquet(rows: list[dict[str, Any]]) -> bytes:
    """A Parquet file of these events (columns: every key any event has)."""
    out = io.BytesIO()
    pq.write_table(pa.Table.from_struct_array(pa.array(rows)), out)
    return out.getvalue()


def test_a_parquet_snapshot_holds_the_same_events_as_its_jsonl() -> None:
    data = events_jsonl(4, 2000)
    rows = [json.loads(line) for line in data.splitlines()]
    table = parquet(rows)
    loaded, problems = snapshots.read("cases/data/s.parquet", table, digest(data))
    expected = rows_parser(data, "cases/data/s.parquet")[0]
    assert problems == []
    same(loaded, expected)


def test_invalid_parquet_rows_are_reported_by_row_and_field_and_left_out() -> None:
    rows: list[dict[str, Any]] = [
        {"ts": "2025-01-01T00:00:00Z", "kind": "mention", "term": "x"},
        {"ts": "2025-02-30T00:00:00Z", "kind": "mention", "term": "x"},
        {"ts": "2025-01-02T00:00:00Z", "kind": None, "term": "y"},
    ]
    path = "cases/data/s.parquet"
    loaded, problems = snapshots.read(path, parquet(rows), "0" * 64)
    assert [str(p) for p in problems] == [
        f"{path}:2: /ts: '2025-02-30T00:00:00Z' is not a UTC time YYYY-MM-DDTHH:MM:SSZ",
        f"{path}:3: /kind: required, a string",
    ]
    assert loaded is not None and len(loaded) == 1 and loaded.terms == {"x": 0}


def test_bytes_that_are_not_parquet_are_a_problem_of_the_file() -> None:
    loaded, problems = snapshots.read("cases/data/s.parquet", b"{}\n", "0" * 64)
    assert loaded is None
    assert problems[0].path == "cases/data/s.parquet" and "not a Parquet file" in str(problems[0])


def test_without_pyarrow_jsonl_falls_back_and_parquet_says_what_to_install(
    tmp_path: Path,
) -> None:
    data = events_jsonl(5, 50)
    (tmp_path / "s.jsonl").write_bytes(data)
    script = f"""
import sys, hashlib, json
sys.modules["pyarrow"] = None
from pathlib import Path
from bot.edges import columnar, snapshots
data = Path({str(tmp_path / "s.jsonl")!r}).read_bytes()
jsonl, found = snapshots.read("cases/data/s.jsonl", data, hashlib.sha256(data).hexdigest())
parquet, problems = snapshots.read("cases/data/s.parquet", data, "0" * 64)
print(json.dumps([columnar.available(), len(jsonl), found, parquet, [str(p) for p in problems]]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(done.stdout) == [
        False,
        len(rows_parser(data)[0]),
        [],
        None,
        [f"cases/data/s.parquet:1: {columnar.MISSING}"],
    ]


def test_the_cache_returns_what_was_stored_and_ignores_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    cache = SnapshotCache(tmp_path / "learnbot")
    data = events_jsonl(6, 400)
    original = rows_parser(data)[0]
    assert cache.read(original.path, original.sha256) is None
    cache.write(original)
    same(cache.read(original.path, original.sha256), original)
    entry = cache.entry(original.sha256)
    entry.write_bytes(entry.read_bytes()[:200])  # truncated
    assert cache.read(original.path, original.sha256) is None
    entry.write_bytes(b"not a cache entry")
    assert cache.read(original.path, original.sha256) is None
    cache.write(original)
    other = "f" * 64
    cache.entry(original.sha256).replace(cache.entry(other))  # an entry under the wrong name
    assert cache.read(original.path, other) is None


def test_a_cached_snapshot_is_read_from_the_cache(tmp_path: Path) -> None:
    """Keyed by the pinned digest: what the cache holds is what is loaded."""
    from bot.edges.files import WorktreeFiles

    cache = SnapshotCache(tmp_path / "cache")
    data = events_jsonl(7, 30)
    (tmp_path / "cases" / "data").mkdir(parents=True)
    (tmp_path / "cases" / "data" / "s.jsonl").write_bytes(data)
    stand_in = rows_parser(events_jsonl(8, 10), "cases/data/s.jsonl")[0]
    cache.write(
        Snapshot(**{**stand_in.__dict__, "sha256": digest(data), "_phrases": {}, "memo": {}})
    )
    loaded, problems = snapshots.load(
        WorktreeFiles(tmp_path), "cases/data/s.jsonl", digest(data), cache
    )
    assert problems == ()
    assert loaded is not None and len(loaded) == len(stand_in) != len(rows_parser(data)[0])


STAMPS = st.sampled_from(
    ["2025-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-02-29T10:00:00Z"]
) | st.integers(-62_135_596_801, 253_402_300_800)
NAMES = st.sampled_from(["a", "b", "", "caf\u00e9", "\U0001f600"])
EVENTS = st.fixed_dictionaries(
    {"ts": STAMPS | SCALARS, "kind": NAMES | SCALARS},
    optional={
        "term": NAMES | SCALARS,
        "source": NAMES | SCALARS,
        "synthetic": st.booleans() | SCALARS,
        "text": st.text(max_size=10) | SCALARS,
        "values": st.dictionaries(NAMES, SCALARS, max_size=3) | SCALARS,
        "other": SCALARS,
    },
)
PLAIN_EVENTS = st.fixed_dictionaries(
    {"ts": STAMPS, "kind": NAMES},
    optional={
        "term": NAMES,
        "synthetic": st.booleans(),
        "text": st.text(max_size=10),
        "values": st.dictionaries(NAMES, st.none() | st.integers(-9, 9) | st.floats(-9, 9)),
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PLAIN_EVENTS | EVENTS, max_size=10), st.booleans())
def test_hostile_events_read_as_the_row_parser_reads_them(
    events: list[dict[str, Any]], blank_lines: bool
) -> None:
    data = (b"\n\n" if blank_lines else b"\n").join(json_line(e) for e in events)
    path = "cases/data/s.jsonl"
    loaded, problems = snapshots.read(path, data, digest(data))
    expected, expected_problems = rows_parser(data, path)
    assert problems == expected_problems
    same(loaded, expected)


def test_the_cache_keeps_texts_and_empty_snapshots(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path / "learnbot")
    lines = [
        '{"ts": 2, "kind": "a", "text": "caf\\u00e9 \\ud83d\\ude00 wire"}',
        '{"ts": 1, "kind": "b", "term": "x"}',
        '{"ts": 3, "kind": "a", "text": "transfer", "values": {"risk": 0.5}}',
    ]
    for data in ("\n".join(lines).encode(), b""):
        original = rows_parser(data)[0]
        cache.write(original)
        same(cache.read(original.path, original.sha256), original)


def test_a_cache_entry_naming_codes_it_lacks_is_ignored(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path / "learnbot")
    original = rows_parser(events_jsonl(9, 50))[0]
    cache.write(original)
    entry = cache.entry(original.sha256)
    kinds = json.dumps(list(original.kinds)).encode()
    fewer = json.dumps(list(original.kinds)[:-1]).encode().ljust(len(kinds))
    entry.write_bytes(entry.read_bytes().replace(kinds, fewer, 1))
    assert cache.read(original.path, original.sha256) is None
