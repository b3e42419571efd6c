"""Snapshot loading: the row parser against the columnar reader, Parquet and the disk cache.

    python benchmarks/load.py [--events N]

The issue's goals are measured with `--events 1000000` (a 109 MB JSONL file): the columnar
JSONL load >= 5x faster than the row parser, and a Parquet snapshot loaded within 3x of
reading and hashing its file, parsed and from the disk cache; the Parquet file holds the
times as ISO-8601 strings (as converted from the JSONL) and as a timestamp column.
Every reader's snapshot must equal the row parser's. polars' `read_ndjson` is timed too when
installed (the reader that was measured against pyarrow).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from backtest import generate_events

from bot.core.snapshot import parse
from bot.edges import columnar, snapshots
from bot.edges.snapshot_cache import SnapshotCache
from bot.model.snapshot import Snapshot


def best(function: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    """The result and the fastest of `repeat` runs (the machine may be shared)."""
    found, fastest = None, float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        found = function()
        fastest = min(fastest, time.perf_counter() - began)
    return found, fastest


def same(a: Snapshot | None, b: Snapshot) -> None:
    assert a is not None and len(a) == len(b)
    for name in ("ts", "kind", "term", "source", "synthetic"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.kinds, a.terms, a.sources, a.text) == (b.kinds, b.terms, b.sources, b.text)
    for name, column in b.values.items():
        assert np.array_equal(a.values[name], column, equal_nan=True), name


def polars_seconds(data: bytes, repeat: int) -> float | None:
    try:
        import polars
    except ImportError:
        return None
    return best(lambda: polars.read_ndjson(io.BytesIO(data)), repeat)[1]


def with_times(table: pa.Table) -> pa.Table:
    """The table with its ISO-8601 `ts` strings as a native timestamp column."""
    times = table.column("ts").cast(pa.timestamp("s", "UTC"))
    return table.set_column(table.column_names.index("ts"), "ts", times)


def parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def parquet_loads(
    root: Path, name: str, parquet: bytes, rows: Snapshot, repeat: int
) -> tuple[float, float, float, float]:
    """Seconds to read and hash the file, to load it (read, hash, validate), to load it from
    the disk cache (read, hash, cached columns), and for pyarrow alone to decode the file
    (what any load must do at least); each snapshot equals the row parser's."""
    file = root / name
    file.write_bytes(parquet)

    def read_and_hash() -> tuple[bytes, str]:
        data = file.read_bytes()
        return data, hashlib.sha256(data).hexdigest()

    def load() -> tuple[Snapshot | None, list[Any]]:
        return snapshots.read(name, *read_and_hash())

    _, hashing = best(read_and_hash, repeat)
    (loaded, problems), seconds = best(load, repeat)
    assert not problems
    same(loaded, rows)
    assert loaded is not None
    cache = SnapshotCache(root / "cache")
    cache.write(loaded)
    cached, cached_seconds = best(lambda: cache.read(name, read_and_hash()[1]), repeat)
    same(cached, rows)
    names = ["kind", "term", "source"]  # read as dictionaries, as the loader reads them
    _, decoding = best(lambda: pq.read_table(pa.py_buffer(parquet), read_dictionary=names), repeat)
    return hashing, seconds, cached_seconds, decoding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast reader")
    args = parser.parse_args()
    data = generate_events(args.events, max(10, args.events // 1000), np.random.default_rng(7))
    sha256 = hashlib.sha256(data).hexdigest()
    options = pj.ParseOptions(explicit_schema=pa.schema([("ts", pa.string())]))
    table = pj.read_json(io.BytesIO(data), parse_options=options)
    parquets = {
        "ISO-8601 strings": parquet_bytes(table),
        "a timestamp column": parquet_bytes(with_times(table)),
    }
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "s.jsonl").write_bytes(data)
        _, hashing = best(lambda: hashlib.sha256((root / "s.jsonl").read_bytes()), args.repeat)
        (rows, problems), row_time = best(
            lambda: parse((root / "s.jsonl").read_bytes(), path="s.jsonl", sha256=sha256), 1
        )
        assert not problems
        fast, fast_time = best(
            lambda: columnar.read_jsonl(
                (root / "s.jsonl").read_bytes(), path="s.jsonl", sha256=sha256
            ),
            args.repeat,
        )
        same(fast, rows)
        parquet_times = {
            times: parquet_loads(root, f"s{i}.parquet", parquet, rows, args.repeat)
            for i, (times, parquet) in enumerate(parquets.items())
        }
    polars_time = polars_seconds(data, args.repeat)
    _, arrow_time = best(lambda: pj.read_json(io.BytesIO(data), parse_options=options), args.repeat)

    print(f"{len(rows):,} events: JSONL {len(data) / 1e6:.0f} MB, read + sha256 {hashing:.2f} s")
    print(f"row parser (before): {row_time:.2f} s")
    print(f"columnar JSONL (pyarrow, validated): {fast_time:.2f} s")
    print(f"pyarrow read_json alone (not validated): {arrow_time:.2f} s")
    if polars_time is not None:
        print(f"polars read_ndjson alone (not validated): {polars_time:.2f} s")
    print(f"JSONL load, row parser / columnar: {row_time / fast_time:.1f}x (goal >= 5x)")
    for times, (file_hashing, seconds, cached, decoding) in parquet_times.items():
        size = len(parquets[times]) / 1e6
        print(
            f"Parquet, times as {times} ({size:.1f} MB, read + sha256 {file_hashing * 1e3:.1f} ms):"
            f" load (read, hash, validate) {seconds * 1e3:.0f} ms, "
            f"{seconds / file_hashing:.1f}x reading and hashing it (goal <= 3x); "
            f"from the disk cache (read, hash, cached columns) {cached * 1e3:.0f} ms, "
            f"{cached / file_hashing:.1f}x; pyarrow's read_table alone (not validated, names as "
            f"dictionaries) "
            f"{decoding * 1e3:.0f} ms, {decoding / file_hashing:.1f}x"
        )


if __name__ == "__main__":
    main()
