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

from bot.core.evaluate import Result
from bot.core.params import Params
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
    events = conditions = 0
    time_ms = memory_kb = 0.0
    for result in results:
        case = cases[result.case_id]
        lo, hi = snapshots[case.snapshot_sha256].bounds(*result.window)
        checked = len(case.triggers) + len(case.falsifiers)
        events += (hi - lo) * (1 + checked)
        conditions += checked
        for type_ in ("operators", "metrics"):
            for _, registration in params.active(case.policies(), type_):
                time_ms += registration.cost_time_ms
                memory_kb += registration.cost_memory_kb
    return Work(events, conditions, time_ms, memory_kb)
