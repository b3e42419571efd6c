"""The deterministic cost model the gate judges: declared costs plus counted work.

A pure function of the tree, so the same tree, config and clock give the same verdict on any
machine, loaded or not. Measured time and memory (`model.cost.Cost`) are shown as information only.

- events scanned: for each replayed case, the events in its window, once for the signals and
  once per trigger and falsifier;
- conditions evaluated: triggers and falsifiers of the replayed cases;
- declared time and memory: the `cost` of every active operator and metric each replayed case
  runs under (a registration's cost counts once per case it applies to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.core.evaluate import Result
from bot.core.params import Params
from bot.core.partition import Ints
from bot.model import Case
from bot.model.report import Work
from bot.model.snapshot import Snapshot


def count(
    results: Sequence[Result],
    cases: Mapping[str, Case],
    snapshots: Mapping[str, Snapshot],
    params: Params,
) -> Work:
    """The modelled cost of having produced `results` under `params`."""
    conditions = 0
    time_ms = memory_kb = 0.0
    spans: dict[str, tuple[list[int], list[int], list[int]]] = {}
    declared: dict[tuple[str, ...], tuple[tuple[float, float], ...]] = {}
    for result in results:
        case = cases[result.case_id]
        starts, ends, weights = spans.setdefault(case.snapshot_sha256, ([], [], []))
        start, end = result.window
        checked = len(case.triggers) + len(case.falsifiers)
        starts.append(start)
        ends.append(end)
        weights.append(1 + checked)
        conditions += checked
        policies = case.policies()
        if policies not in declared:
            declared[policies] = _declared(params, policies)
        for cost_time_ms, cost_memory_kb in declared[policies]:  # summed in the same order
            time_ms += cost_time_ms
            memory_kb += cost_memory_kb
    events = sum(
        _scanned(snapshots[sha256].ts, *columns) for sha256, columns in sorted(spans.items())
    )
    return Work(events, conditions, time_ms, memory_kb)


def _scanned(ts: Ints, starts: list[int], ends: list[int], weights: list[int]) -> int:
    """Events in each window, times the passes over it, summed (one search for all windows)."""
    lo = np.searchsorted(ts, np.array(starts, dtype=np.int64), side="left")
    hi = np.searchsorted(ts, np.array(ends, dtype=np.int64), side="left")
    return int(((hi - lo) * np.array(weights, dtype=np.int64)).sum())


def _declared(params: Params, policies: tuple[str, ...]) -> tuple[tuple[float, float], ...]:
    """The declared (time, memory) of each active operator and metric, in counting order."""
    return tuple(
        (registration.cost_time_ms, registration.cost_memory_kb)
        for type_ in ("operators", "metrics")
        for _, registration in params.active(policies, type_)
    )
