"""Sandbox cost: one candidate's replay against one full backtest; 20 candidates x 3 runs.

    python benchmarks/sandbox.py [--cases N] [--events N] [--parameters N]

Generated world: N cases spread over `--parameters` threshold parameters (so a threshold
change is read by N / parameters cases), 1% of the cases protected, one snapshot. A replay
re-evaluates only the affected and protected cases, on the snapshot already in memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from bot.core import backtest, sandbox
from bot.core.evaluate import Seeded, evaluate
from bot.core.params import Params
from bot.core.snapshot import parse
from bot.edges.meter import measure
from bot.model import Case, Policy, format_time
from bot.model.proposal import Change

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backtest import START, generate_events


def world(cases: int, events: int, parameters: int) -> tuple[sandbox.Replay, list[Change]]:
    rng = np.random.default_rng(11)
    terms = max(10, events // 1000)
    data = generate_events(events, terms, rng)
    sha256 = hashlib.sha256(data).hexdigest()
    snapshot, _ = parse(data, path="cases/data/bench.jsonl", sha256=sha256)
    policy = Policy.from_dict(
        "policies/bench.yaml",
        {
            "name": "bench",
            "version": 1,
            "parameters": {
                "window_days": {"value": 7, "min": 1, "max": 28, "step": 1},
                **{
                    f"min_count_{k}": {"value": 4, "min": 1, "max": 50, "step": 1}
                    for k in range(parameters)
                },
            },
        },
    )
    built = {}
    for i in range(cases):
        built[f"c{i}"] = Case.from_dict(
            f"cases/c{i}.yaml",
            {
                "id": f"c{i}",
                "snapshot": {"path": "cases/data/bench.jsonl", "sha256": sha256},
                "window": {
                    "end": format_time(START + int(rng.integers(30, 365)) * 86400),
                    "days": "bench.window_days",
                },
                "triggers": [
                    {
                        "kind": "count",
                        "match": {"kind": "mention", "term": f"t{int(rng.integers(terms))}"},
                        "threshold": f"bench.min_count_{i % parameters}",
                    }
                ],
                "protected": i % 100 == 0,
            },
        )
    replay = sandbox.Replay(built, Params({"bench": policy}), {sha256: snapshot}, {})
    changes = [Change("bench", f"parameters.min_count_{k}", 4, 3) for k in range(20)]
    return replay, changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--parameters", type=int, default=100)
    args = parser.parse_args()
    replay, changes = world(args.cases, args.events, args.parameters)

    began = time.perf_counter()
    backtest.run(replay.cases.values(), replay.params, replay.snapshots)
    full = time.perf_counter() - began

    began = time.perf_counter()
    one = sandbox.replay(changes[:1], replay, runs=1)
    single = time.perf_counter() - began

    began = time.perf_counter()
    for change in changes:
        sandbox.replay([change], replay, runs=3, meter=measure)
    twenty = time.perf_counter() - began

    deterministic, stochastic = _seeds(replay, changes[0])

    print(
        f"{args.cases:,} cases, {len(next(iter(replay.snapshots.values()))):,} events, "
        f"{args.parameters} threshold parameters"
    )
    print(f"full backtest: {full:.2f} s")
    print(
        f"one candidate, one run: {single * 1000:.0f} ms for {len(one.case_ids)} "
        "affected + protected cases "
        f"(x2: baseline and proposal) = {single / full:.3f} of a full backtest"
    )
    print(
        f"20 candidates x 3 runs, measured: {twenty:.2f} s = {twenty / full:.2f} full backtests "
        f"(a naive sandbox re-running every case would take {20 * 3 * 2 * full:.0f} s, "
        f"{20 * 3 * 2 * full / twenty:.0f}x longer)"
    )
    print(
        f"seeds 42, 43, 44 configured, one candidate x 3 runs: deterministic evaluators "
        f"{deterministic * 1000:.0f} ms (one seed), the same cases with a stochastic evaluator "
        f"{stochastic * 1000:.0f} ms (three seeds): {stochastic / deterministic:.2f}x"
    )


def _seeds(replay: sandbox.Replay, change: Change) -> tuple[float, float]:
    """The replay under three seeds, deterministic (skips the extra seeds) vs stochastic."""
    seeds = (42, 43, 44)
    began = time.perf_counter()
    sandbox.replay([change], replay, runs=3, seeds=seeds)
    deterministic = time.perf_counter() - began
    # the built-in evaluator, wrapped as if it took a seed: same work per replay, three seeds
    seeded = Seeded(lambda case, params, snapshot, seed: evaluate(case, params, snapshot))
    noisy = dataclasses.replace(replay, evaluators=dict.fromkeys(replay.cases, seeded))
    began = time.perf_counter()
    sandbox.replay([change], noisy, runs=3, seeds=seeds)
    return deterministic, time.perf_counter() - began


if __name__ == "__main__":
    main()
