"""Backtest speed against fair baselines: learnbot's batched evaluator and four others.

    python benchmarks/backtest.py [--cases N] [--events N] [--sample N]

The issue's goal is measured with `--cases 10000 --events 1000000`; the defaults run in about
a minute. Every evaluator's status must agree with learnbot's, case by case:

- naive: walks every event for every case, re-parsing each timestamp (a sample, scaled);
- parse-once + bisect: timestamps parsed once, the window found by binary search, every
  event of the window visited (a sample, scaled);
- grouped pure Python: events grouped by term once, the window found by binary search in
  the case's term, only those events visited (every case);
- per-case numpy: learnbot's previous evaluator, masks over the whole window (a sample).

Prints learnbot's speed-up over each (goal: >= 5x the grouped one), the growth exponent of
learnbot's evaluation in cases and in events (from the full and half sizes; 1 is linear),
and the full backtest (load + evaluate) relative to loading the snapshot once. Times are
CPU times of this one process (every evaluator runs on one thread).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.core import backtest
from bot.core.params import Params
from bot.core.snapshot import parse
from bot.model import Case, Policy, format_time, parse_time
from bot.model.snapshot import Snapshot
from tests import reference

START = parse_time("2025-01-01T00:00:00Z")
DAYS = 365
KINDS = ("mention", "email", "signal")
DOMAINS = ("technical", "onchain", "sentiment", "macro")


def generate_events(count: int, terms: int, rng: np.random.Generator) -> bytes:
    ts = np.sort(rng.integers(START, START + DAYS * 86400, size=count))
    kind = rng.integers(0, len(KINDS), size=count)
    term = rng.integers(0, terms, size=count)
    source = rng.integers(0, 6, size=count)
    synthetic = rng.random(count) < 0.05
    values = rng.uniform(-1, 1, size=(count, 5)).round(3)
    lines = []
    for i in range(count):
        row: dict[str, Any] = {
            "ts": format_time(int(ts[i])),
            "kind": KINDS[kind[i]],
            "term": f"t{term[i]}",
            "source": f"s{source[i]}",
        }
        if synthetic[i]:
            row["synthetic"] = True
        if kind[i] == 1:
            row["values"] = {"risk": float(values[i, 0])}
        elif kind[i] == 2:
            row["values"] = dict(zip(DOMAINS, map(float, values[i, 1:]), strict=True))
        lines.append(json.dumps(row, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def policies() -> dict[str, Policy]:
    def parameter(value: float, lo: float, hi: float, step: float) -> dict[str, float]:
        return {"value": value, "min": lo, "max": hi, "step": step}

    thresholds = Policy.from_dict(
        "policies/bench.yaml",
        {
            "name": "bench",
            "version": 1,
            "parameters": {
                "min_count": parameter(4, 1, 50, 1),
                "window_days": parameter(7, 1, 28, 1),
                "risk": parameter(0.5, -1, 1, 0.01),
                "entry": parameter(0.1, -1, 1, 0.01),
            },
            "operators": {"f": {"kind": "exclude_synthetic", "active": True}},
        },
    )
    weights = Policy.from_dict(
        "policies/w.yaml",
        {
            "name": "w",
            "version": 1,
            "kind": "weights",
            "parameters": {d: parameter(0.25, 0.05, 0.4, 0.0001) for d in DOMAINS},
        },
    )
    return {"bench": thresholds, "w": weights}


def generate_cases(count: int, terms: int, sha256: str, rng: np.random.Generator) -> list[Case]:
    cases = []
    for i in range(count):
        term = f"t{int(rng.integers(terms))}"
        end = START + int(rng.integers(30, DAYS)) * 86400
        shape = i % 3
        if shape == 0:
            trigger = {
                "kind": "count",
                "match": {"kind": "mention", "term": term},
                "threshold": "bench.min_count",
            }
        elif shape == 1:
            trigger = {
                "kind": "aggregate",
                "fn": "max",
                "field": "risk",
                "match": {"kind": "email", "term": term},
                "threshold": "bench.risk",
            }
        else:
            trigger = {
                "kind": "weighted_score",
                "fn": "last",
                "match": {"kind": "signal", "term": term},
                "weights": {d: f"w.{d}" for d in DOMAINS},
                "threshold": "bench.entry",
            }
        cases.append(
            Case.from_dict(
                f"cases/c{i}.yaml",
                {
                    "id": f"c{i}",
                    "snapshot": {"path": "cases/data/bench.jsonl", "sha256": sha256},
                    "window": {"end": format_time(end), "days": "bench.window_days"},
                    "triggers": [trigger],
                    "min_signals": 1,
                    "signals": {"term": term},
                    "integrity": {"max_synthetic_share": 0.5},
                },
            )
        )
    return cases


Values = dict[str, float]
Grouped = dict[str, tuple[list[int], list[tuple[str, bool, dict[str, float]]]]]


def _verdict(case: Case, values: Values, signals: int, seen: list[float]) -> str:
    trigger = case.triggers[0]
    if signals < case.min_signals:
        return "ABSTAIN"
    if trigger.kind == "count":
        measured: float | None = float(len(seen))
    else:
        measured = (max(seen) if trigger.kind == "aggregate" else seen[-1]) if seen else None
    # values are rounded to 9 digits before comparison (README): exactly at the threshold is met
    met = measured is not None and round(measured, 9) >= round(values[trigger.threshold], 9)
    return "HIT" if met else "MISS"


def _accumulate(case: Case, values: Values, kind: str, row_values: dict[str, float]) -> float:
    trigger = case.triggers[0]
    if trigger.kind == "count":
        return 1.0
    if trigger.kind == "aggregate":
        return row_values.get(trigger.field or "", float("nan"))
    return sum(values[ref] * row_values[d] for d, ref in trigger.weights)


def naive_evaluate(case: Case, values: Values, events: list[dict[str, Any]]) -> str:
    """The obvious evaluator: walk every event, test the window and the match, accumulate."""
    end = case.window_end
    start = end - int(values[case.window_days] * 86400)
    match = case.triggers[0].match
    seen: list[float] = []
    signals = 0
    for event in events:
        ts = parse_time(event["ts"])
        if not start <= ts < end or event.get("synthetic"):
            continue
        if event.get("term") == match.term:
            signals += 1
        if event["kind"] != match.kind or event.get("term") != match.term:
            continue
        seen.append(_accumulate(case, values, event["kind"], event.get("values", {})))
    return _verdict(case, values, signals, seen)


def bisect_evaluate(
    case: Case, values: Values, stamps: list[int], events: list[dict[str, Any]]
) -> str:
    """Timestamps parsed once; binary search for the window; every event in it visited."""
    end = case.window_end
    start = end - int(values[case.window_days] * 86400)
    match = case.triggers[0].match
    seen: list[float] = []
    signals = 0
    for event in events[bisect.bisect_left(stamps, start) : bisect.bisect_left(stamps, end)]:
        if event.get("synthetic") or event.get("term") != match.term:
            continue
        signals += 1
        if event["kind"] == match.kind:
            seen.append(_accumulate(case, values, event["kind"], event.get("values", {})))
    return _verdict(case, values, signals, seen)


def group(events: list[dict[str, Any]]) -> Grouped:
    """Events by term, in time order: (timestamps, (kind, synthetic, values) rows)."""
    groups: Grouped = {}
    for event in events:
        stamps, rows = groups.setdefault(event.get("term", ""), ([], []))
        stamps.append(parse_time(event["ts"]))
        rows.append((event["kind"], bool(event.get("synthetic")), event.get("values", {})))
    return groups


def grouped_evaluate(case: Case, values: Values, groups: Grouped) -> str:
    """Only the events of the case's term, its window found by binary search."""
    end = case.window_end
    start = end - int(values[case.window_days] * 86400)
    match = case.triggers[0].match
    stamps, rows = groups.get(match.term or "", ([], []))
    seen: list[float] = []
    signals = 0
    for kind, synthetic, row_values in rows[
        bisect.bisect_left(stamps, start) : bisect.bisect_left(stamps, end)
    ]:
        if synthetic:
            continue
        signals += 1
        if kind == match.kind:
            seen.append(_accumulate(case, values, kind, row_values))
    return _verdict(case, values, signals, seen)


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    """The result and the CPU seconds it took (every evaluator here runs on one thread, and
    the machine may be shared: CPU time is what other jobs disturb least)."""
    began = time.process_time()
    found = function()
    return found, time.process_time() - began


def best(function: Callable[[], Any], repeat: int = 5) -> tuple[Any, float]:
    """The result and the fastest of `repeat` runs (the machine may be shared)."""
    runs = [timed(function) for _ in range(repeat)]
    return runs[0][0], min(seconds for _, seconds in runs)


def learnbot(
    cases: list[Case], params: Params, snapshot: Snapshot
) -> tuple[dict[str, str], float, float]:
    """Statuses by case id; seconds of a cold run (the snapshot's partitions built and the
    cases compiled, as a process does on its first backtest) and of a warm one (a replay of
    the same cases, as the sandbox's are)."""
    snapshot.memo.clear()
    results, cold = timed(lambda: backtest.run(cases, params, {snapshot.sha256: snapshot}))
    _, warm = best(lambda: backtest.run(cases, params, {snapshot.sha256: snapshot}))
    return {r.case_id: r.status for r in results}, cold, warm


def compare(name: str, statuses: list[str], cases: list[Case], fast: dict[str, str]) -> None:
    expected = [fast[c.id] for c in cases]
    assert statuses == expected, f"the {name} evaluator must agree with learnbot case by case"


def exponent(small: float, large: float, ratio: float) -> float:
    return math.log(large / small) / math.log(ratio)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3_000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=6, help="cases the slow evaluators run")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    terms = max(10, args.events // 1000)
    data = generate_events(args.events, terms, rng)
    sha256 = hashlib.sha256(data).hexdigest()
    cases = generate_cases(args.cases, terms, sha256, rng)
    params = Params(policies())
    values = {
        f"{p}.{n}": float(v.value)
        for p, pol in params.policies.items()
        for n, v in pol.parameters.items()
    }

    (snapshot, problems), load = timed(
        lambda: parse(data, path="cases/data/bench.jsonl", sha256=sha256)
    )
    assert not problems
    fast, cold, evaluate = learnbot(cases, params, snapshot)
    per_case = evaluate / len(cases)

    events = [json.loads(line) for line in data.splitlines()]
    sample = cases[: args.sample]
    naive, naive_time = timed(lambda: [naive_evaluate(c, values, events) for c in sample])
    compare("naive", naive, sample, fast)
    stamps = [parse_time(e["ts"]) for e in events]
    bisected, bisect_time = timed(
        lambda: [bisect_evaluate(c, values, stamps, events) for c in sample]
    )
    compare("parse-once + bisect", bisected, sample, fast)
    groups, grouping = timed(lambda: group(events))
    grouped, grouped_time = best(lambda: [grouped_evaluate(c, values, groups) for c in cases])
    compare("grouped", grouped, cases, fast)
    old, old_time = timed(lambda: [reference.evaluate(c, params, snapshot).status for c in sample])
    compare("per-case numpy", old, sample, fast)

    half_cases = learnbot(cases[: len(cases) // 2], params, snapshot)[2]
    lines = data.splitlines(keepends=True)
    halved = b"".join(lines[::2])
    small, _ = parse(halved, path="cases/data/half.jsonl", sha256=sha256)
    half_events = learnbot(cases, params, small)[2]

    print(f"{len(cases):,} cases over {len(snapshot):,} events ({len(data) / 1e6:.0f} MB)")
    print(
        f"load snapshot once: {load:.2f} s; evaluate every case: {cold:.3f} s the first time "
        f"(events partitioned, cases compiled), {evaluate:.3f} s replayed"
    )
    print(f"learnbot case evaluations per second: {len(cases) / evaluate:,.0f} (best of 5)")
    grouped_per_case = grouped_time / len(cases)
    for name, seconds in (
        (f"naive per-event (sample of {len(sample)})", naive_time / len(sample)),
        (f"parse-once + bisect (sample of {len(sample)})", bisect_time / len(sample)),
        ("per-case numpy, learnbot before (sample)", old_time / len(sample)),
        ("grouped pure Python, grouping excluded (all cases, best of 5)", grouped_per_case),
    ):
        print(f"learnbot vs {name}: {seconds / per_case:,.1f}x ({1 / seconds:,.0f} cases/s)")
    print(
        f"goal: >= 5x the grouped pure-Python evaluator; first runs, partitioning and grouping "
        f"included: {(grouping + grouped_time) / cold:.1f}x"
    )
    print(
        f"growth exponent in cases: {exponent(half_cases, evaluate, 2):.2f}; "
        f"in events: {exponent(half_events, evaluate, 2):.2f} (1 = linear)"
    )
    print(f"full backtest / load once: {(load + cold) / load:.2f}x")


if __name__ == "__main__":
    main()
