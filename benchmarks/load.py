"""Snapshot loading: the row parser against the columnar reader, Parquet and the disk cache.

    python benchmarks/load.py [--events N]

The issue's goals are measured with `--events 1000000` (a 109 MB JSONL file): the columnar
JSONL load >= 5x faster than the row parser, and a Parquet snapshot loaded within 3x of
reading and hashing a file (printed against the Parquet file itself, which is about 8x
smaller than the JSONL, and against the JSONL file), parsed and from the disk cache.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast reader")
    args = parser.parse_args()
    data = generate_events(args.events, max(10, args.events // 1000), np.random.default_rng(7))
    sha256 = hashlib.sha256(data).hexdigest()
    options = pj.ParseOptions(explicit_schema=pa.schema([("ts", pa.string())]))
    out = io.BytesIO()
    pq.write_table(pj.read_json(io.BytesIO(data), parse_options=options), out)
    parquet = out.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "s.jsonl").write_bytes(data)
        (root / "s.parquet").write_bytes(parquet)

        def read_and_hash(name: str) -> str:
            return hashlib.sha256((root / name).read_bytes()).hexdigest()

        _, hashing = best(lambda: read_and_hash("s.jsonl"), args.repeat)
        _, hashing_parquet = best(lambda: read_and_hash("s.parquet"), args.repeat)
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
        parquet_sha = hashlib.sha256(parquet).hexdigest()
        (from_parquet, found), parquet_time = best(
            lambda: snapshots.read(
                "s.parquet", (root / "s.parquet").read_bytes(), read_and_hash("s.parquet")
            ),
            args.repeat,
        )
        assert not found
        same(from_parquet, rows)
        cache = SnapshotCache(root / "cache")
        assert from_parquet is not None
        cache.write(from_parquet)

        def parquet_cached() -> Snapshot | None:
            return cache.read("s.parquet", read_and_hash("s.parquet"))

        cached, cache_time = best(parquet_cached, args.repeat)
        same(cached, rows)
    polars_time = polars_seconds(data, args.repeat)
    _, arrow_time = best(lambda: pj.read_json(io.BytesIO(data), parse_options=options), args.repeat)

    print(
        f"{len(rows):,} events: JSONL {len(data) / 1e6:.0f} MB, "
        f"Parquet {len(parquet) / 1e6:.0f} MB ({parquet_sha[:12]})"
    )
    print(f"read + sha256: JSONL {hashing:.2f} s, Parquet {hashing_parquet:.3f} s")
    print(f"row parser (before): {row_time:.2f} s")
    print(f"columnar JSONL (pyarrow, validated): {fast_time:.2f} s")
    print(f"pyarrow read_json alone (not validated): {arrow_time:.2f} s")
    if polars_time is not None:
        print(f"polars read_ndjson alone (not validated): {polars_time:.2f} s")
    print(f"JSONL load, row parser / columnar: {row_time / fast_time:.1f}x (goal >= 5x)")
    print(
        f"Parquet load (read, hash, validate): {parquet_time:.2f} s; from the disk cache "
        f"(read, hash, cached columns): {cache_time:.3f} s"
    )
    for name, seconds in (("its own file", hashing_parquet), ("the JSONL file", hashing)):
        print(
            f"  vs reading and hashing {name}: {parquet_time / seconds:.1f}x, "
            f"cached {cache_time / seconds:.1f}x (goal <= 3x)"
        )


if __name__ == "__main__":
    main()
