"""Backtest speed: 10,000 cases over 1,000,000 events, against a naive per-event evaluator.

    python benchmarks/backtest.py [--cases N] [--events N] [--sample N]

Prints case evaluations per second, the speed-up over a pure-Python evaluator that walks
every event for every case (run on a sample of cases and scaled; target >= 50x), and the
full backtest (load + evaluate) relative to loading the snapshot once (target <= 3x).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from typing import Any

import numpy as np

from bot.core import backtest
from bot.core.params import Params
from bot.core.snapshot import parse
from bot.model import Case, Policy, format_time, parse_time

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


def naive_evaluate(case: Case, values: dict[str, float], events: list[dict[str, Any]]) -> str:
    """The obvious evaluator: walk every event, test the window and the match, accumulate."""
    end = case.window_end
    start = end - int(values[case.window_days] * 86400)
    trigger = case.triggers[0]
    seen: list[float] = []
    signals = 0
    for event in events:
        ts = parse_time(event["ts"])
        if not start <= ts < end or event.get("synthetic"):
            continue
        if event.get("term") == trigger.match.term:
            signals += 1
        if event["kind"] != trigger.match.kind or event.get("term") != trigger.match.term:
            continue
        if trigger.kind == "count":
            seen.append(1.0)
        elif trigger.kind == "aggregate":
            seen.append(event.get("values", {}).get(trigger.field, float("nan")))
        else:
            seen.append(sum(values[ref] * event["values"][d] for d, ref in trigger.weights))
    if signals < case.min_signals:
        return "ABSTAIN"
    if trigger.kind == "count":
        measured: float | None = float(len(seen))
    else:
        measured = (max(seen) if trigger.kind == "aggregate" else seen[-1]) if seen else None
    met = measured is not None and measured >= values[trigger.threshold]
    return "HIT" if met else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=6, help="cases the naive evaluator runs")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    terms = max(10, args.events // 1000)
    data = generate_events(args.events, terms, rng)
    sha256 = hashlib.sha256(data).hexdigest()
    cases = generate_cases(args.cases, terms, sha256, rng)
    params = Params(policies())

    began = time.perf_counter()
    snapshot, problems = parse(data, path="cases/data/bench.jsonl", sha256=sha256)
    load = time.perf_counter() - began
    assert not problems
    began = time.perf_counter()
    results = backtest.run(cases, params, {sha256: snapshot})
    evaluate = time.perf_counter() - began

    events = [json.loads(line) for line in data.splitlines()]
    values = {
        f"{p}.{n}": float(v.value)
        for p, pol in params.policies.items()
        for n, v in pol.parameters.items()
    }
    sample = cases[: args.sample]
    began = time.perf_counter()
    naive = [naive_evaluate(case, values, events) for case in sample]
    naive_per_case = (time.perf_counter() - began) / len(sample)
    fast = {r.case_id: r.status for r in results}
    assert naive == [fast[c.id] for c in sample], "the naive evaluator must agree with learnbot"

    per_case = evaluate / len(cases)
    print(f"{len(cases):,} cases over {len(snapshot):,} events ({len(data) / 1e6:.0f} MB)")
    print(f"load snapshot once: {load:.2f} s; evaluate every case: {evaluate:.2f} s")
    print(f"case evaluations per second: {len(cases) / evaluate:,.0f}")
    print(
        f"naive per-event evaluator: {naive_per_case * 1000:,.0f} ms per case "
        f"(sample of {len(sample)}, scaled: {naive_per_case * len(cases) / 3600:,.1f} h for all)"
    )
    print(f"speed-up over naive: {naive_per_case / per_case:,.0f}x (target >= 50x)")
    print(f"full backtest / load once: {(load + evaluate) / load:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
