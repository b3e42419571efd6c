"""The watch after a promotion, for policies without online metrics: the backtest (#14).

A promotion was replayed and gated on the cases of its day. Cases arrive after it (new
failures, new snapshots), so for `watch_days` the current cases are replayed twice: under the
values the merge put in place, and under the values it replaced. A case that passes with the
values before the merge and fails with those after it is a regression the merge causes on
today's evidence, judged like the gate judges any change (no passing case may fail); the
verdict is deterministic, so one such case is enough.

Only parameters that still hold the promoted value are compared: one a later change moved is
that change's business, and its own watch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.evaluate import Result
from bot.core.sandbox import Replay, replay_set
from bot.core.watch import HOLDING, REGRESSED, Watched
from bot.model.entries import Promotion
from bot.model.proposal import Change

BACKTEST = "backtest"


def undo(entry: Promotion, policy: str, replay: Replay) -> tuple[Change, ...]:
    """The changes that put back the values the promotion replaced, where they still hold."""
    found = []
    for key, moved in sorted(entry.values.items()):
        name, _, parameter = key.partition(".")
        ref = f"{policy}.{parameter}"
        if name != policy or not _numbers(moved) or ref not in _refs(replay, policy):
            continue
        if replay.params.value(ref) == moved["to"]:
            found.append(Change(policy, f"parameters.{parameter}", moved["to"], moved["from"]))
    return tuple(found)


def _numbers(moved: Any) -> bool:
    kinds = (int, float)
    return (
        isinstance(moved, Mapping)
        and isinstance(moved.get("from"), kinds)
        and isinstance(moved.get("to"), kinds)
        and not isinstance(moved.get("from"), bool)
    )


def _refs(replay: Replay, policy: str) -> set[str]:
    found = replay.params.policies.get(policy)
    return {f"{policy}.{name}" for name in found.parameters} if found is not None else set()


def judge(entry: Promotion, policy: str, replay: Replay, *, seed: int = 0) -> Watched | None:
    """The current cases under the values after the merge against those before it (None when
    no value the promotion set still holds: there is nothing of it left to judge)."""
    changes = undo(entry, policy, replay)
    if not changes:
        return None
    ids = replay_set(changes, replay.cases, replay.params)
    after = replay.run(ids, replay.params, seed)
    before = replay.run(ids, replay.params.apply(changes), seed)
    regressed = _flipped(before, after)
    fixed = _flipped(after, before)
    passing = sum(r.passed for r in before), sum(r.passed for r in after)
    found = {"source": BACKTEST, "cases": len(ids), "regressed": regressed, "fixed": fixed}
    if regressed:
        shown = ", ".join(regressed[:10]) + (" ..." if len(regressed) > 10 else "")
        reason = (
            f"the backtest got worse after the merge: {len(regressed)} of {len(ids)} current "
            f"cases pass with the values before it and fail with those after it ({shown})"
        )
        return Watched(entry, policy, REGRESSED, reason, *passing, backtest=found)
    reason = "no current case passes with the values before the merge and fails after it"
    return Watched(entry, policy, HOLDING, reason, *passing, backtest=found)


def _flipped(passing: tuple[Result, ...], failing: tuple[Result, ...]) -> tuple[str, ...]:
    """Cases that pass in `passing` and fail in `failing` (both in the same case order)."""
    return tuple(a.case_id for a, b in zip(passing, failing, strict=True) if a.passed and b.failed)
