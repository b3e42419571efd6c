"""The ledger history check that promote runs on every push, against a naive baseline.

    python benchmarks/ledger_history.py [--commits N] [--per-commit K]

Each of N ledger commits appends K entries. learnbot judges each commit on the lines it
appends, chained from the previous last entry (`ledger.verify_appended`); the baseline
re-verifies the whole file at every commit, so its cost grows with the square of the history.
Both judge the same changes and must find nothing; the script prints both times and the ratio.
"""

from __future__ import annotations

import argparse
import time

from bot.core import anchoring, ledger
from bot.core.anchoring import LedgerChange
from bot.model import trailers

BOT = "learnbot@users.noreply.github.com"


def history(commits: int, per_commit: int) -> list[LedgerChange]:
    changes, data, tail = [], b"", ledger.Tail()
    for n in range(commits):
        payloads = [{"type": "promotion", "pr": n, "k": k} for k in range(per_commit)]
        sealed, tail = ledger.seal(payloads, tail)
        found = {trailers.LEDGER: (trailers.ledger_line(per_commit, "b" * 40, tail.sha256),)}
        changes.append(
            LedgerChange(f"{n:040x}", BOT, found, "ledgers/l.jsonl", data, data + sealed)
        )
        data += sealed
    return changes


def naive(changes: list[LedgerChange]) -> int:
    """Every commit's whole file verified from the first line."""
    return sum(0 if ledger.verify(c.after).ok else 1 for c in changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--per-commit", type=int, default=5)
    args = parser.parse_args()
    changes = history(args.commits, args.per_commit)
    began = time.perf_counter()
    assert anchoring.check(changes, author_email=BOT) == []
    ours = time.perf_counter() - began
    began = time.perf_counter()
    assert naive(changes) == 0
    baseline = time.perf_counter() - began
    entries = args.commits * args.per_commit
    print(f"{args.commits} ledger commits, {entries} entries")
    print(f"learnbot (appended lines only): {ours:.3f} s")
    print(f"baseline (whole file per commit): {baseline:.3f} s")
    print(f"ratio: {baseline / ours:.1f}x")


if __name__ == "__main__":
    main()
