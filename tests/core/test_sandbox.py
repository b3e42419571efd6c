"""Replays under seeds: a stochastic evaluator is replayed once per seed, others once.

Replay sets, reports and measured costs are exercised with the pipeline in test_pipeline.py.
"""

from __future__ import annotations

from typing import Any

from bot.core import sandbox
from bot.core.evaluate import HIT, MISS, Seeded
from bot.core.params import Params
from bot.model.proposal import Change
from tests.builders import case, event, params, snapshot

SNAP = snapshot([event(1, term="x")])
CHANGE = Change("p", "parameters.min_count", 3, 4)


def _parity(case: Any, params: Params, snapshot: Any, seed: int) -> dict[str, Any]:
    """Passes when the seed and min_count add up to an even number."""
    even = (seed + int(params.value("p.min_count"))) % 2 == 0
    return {"status": HIT if even else MISS, "confidence": "HIGH"}


def _replay(evaluators: dict[str, Any]) -> sandbox.Replay:
    cases = {"c": case("c", SNAP.sha256), "d": case("d", SNAP.sha256)}
    return sandbox.Replay(cases, params(), {SNAP.sha256: SNAP}, evaluators)


def test_sandbox_replays_a_stochastic_case_under_every_seed() -> None:
    run = sandbox.replay([CHANGE], _replay({"c": Seeded(_parity)}), runs=2, seeds=(42, 43, 44))
    assert run.seeds == (42, 43, 44) and run.stochastic
    # the change fixes c under even seeds and breaks it under odd ones
    assert run.pass_rates == ((0.0, 0.5), (0.5, 0.0), (0.0, 0.5))
    assert [r.status for r in run.baseline] == [MISS, MISS]  # the first seed's results
    assert [r.status for r in run.proposal] == [HIT, MISS]
    assert run.distinct_outcomes == 1  # within a seed, the runs agree
    spread = run.spread()
    assert (spread.baseline.mean, spread.proposal.mean) == (round(1 / 6, 9), round(1 / 3, 9))


def test_sandbox_replays_deterministic_cases_under_the_first_seed_only() -> None:
    run = sandbox.replay([CHANGE], _replay({}), runs=2, seeds=(42, 43))
    assert run.seeds == (42,) and not run.stochastic and len(run.pass_rates) == 1
    assert sandbox.replay([CHANGE], _replay({}), runs=1, seeds=()).seeds == (0,)
