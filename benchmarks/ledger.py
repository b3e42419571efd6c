"""Ledger speed: append and verify 1,000,000 entries, against a naive baseline.

    python benchmarks/ledger.py [--entries N]

The naive baseline re-reads and re-verifies the whole file before every append (what you
get without a trusted tail); it is run on a sample and extrapolated, since its cost grows
with the ledger. learnbot's append reads only the last line, so its cost must not grow:
the script prints the per-append time at the start and at the end of the run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bot.core import ledger
from bot.edges import ledgerfile

GROWTH_NOISE = 1.5  # an end/start cost ratio below this is machine noise, not growth


def payload(i: int) -> dict[str, object]:
    return {
        "type": "promotion",
        "case_id": f"case_{i % 97}",
        "proposal_id": f"p{i:08d}",
        "pass_rate_delta": (i % 13) / 17,
        "at": "2026-01-01T00:00:00Z",
    }


def per_append(path: Path, start: int, count: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + count):
        ledgerfile.append(path, [payload(i)], sync=False)
    return (time.perf_counter() - began) / count


def naive_per_append(path: Path, start: int, count: int) -> float:
    """Re-read and re-hash the whole ledger before every append."""
    began = time.perf_counter()
    for i in range(start, start + count):
        data = path.read_bytes() if path.exists() else b""
        tail = ledger.verify(data).tail
        sealed, _ = ledger.seal([payload(i)], tail)
        with path.open("ab") as handle:
            handle.write(sealed)
    return (time.perf_counter() - began) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--batch", type=int, default=1000, help="entries per append call in the bulk phase"
    )
    args = parser.parse_args()
    total, probe = args.entries, 2000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learning.jsonl"
        early = per_append(path, 0, probe)
        began = time.perf_counter()
        for start in range(probe, total - probe, args.batch):
            ledgerfile.append(
                path,
                [payload(i) for i in range(start, min(start + args.batch, total - probe))],
                sync=False,
            )
        bulk = time.perf_counter() - began
        late = per_append(path, total - probe, probe)
        size = path.stat().st_size
        began = time.perf_counter()
        result = ledger.verify(path.read_bytes())
        verify = time.perf_counter() - began
        assert result.ok and result.entries == total, result
        naive = Path(folder) / "naive.jsonl"
        naive_small = naive_per_append(naive, 0, 500)
        naive_per_append(naive, 500, 1000)
        naive_large = naive_per_append(naive, 1500, 500)
    growth = (naive_large - naive_small) / 1500  # seconds per append per entry already there
    naive_total = sum(naive_small + growth * n for n in range(0, total, 1000)) * 1000
    print(f"entries: {total:,} ({size / 1e6:.0f} MB)")
    ratio = late / early
    trend = "no growth with length" if ratio < GROWTH_NOISE else "cost GREW with length"
    print(
        f"append, one entry per call: {1 / early:,.0f}/s at the start, "
        f"{1 / late:,.0f}/s at the end (cost ratio end/start {ratio:.2f}: {trend})"
    )
    print(f"append, {args.batch} entries per call: {(total - 2 * probe) / bulk:,.0f} entries/s")
    print(f"verify: {total / verify:,.0f} entries/s ({verify:.1f} s)")
    print(
        f"naive append (re-read + re-hash per append): {1 / naive_small:,.0f}/s at 500 entries, "
        f"{1 / naive_large:,.0f}/s at 2,000; extrapolated to {total:,}: {naive_total / 3600:,.1f} h"
    )
    print(f"speed-up over naive for {total:,} single appends: {naive_total / (late * total):,.0f}x")


if __name__ == "__main__":
    main()
