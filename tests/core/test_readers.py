"""The reader index (#17) answers exactly what scanning every case answers."""

from __future__ import annotations

import random

import pytest

from bot.core import sandbox
from bot.core.params import Params, Readers
from bot.model import Case
from bot.model.proposal import Change
from tests.builders import case, parameter, policy


def _world(seed: int) -> tuple[Params, dict[str, Case]]:
    rng = random.Random(seed)
    names = ["a", "b", "c"]
    policies = [
        policy(
            name,
            parameters={f"t{k}": parameter(3) for k in range(4)}
            | {"window_days": parameter(7, 1, 28), "tau": parameter(12, 1, 48)},
            metrics={
                "decay": {
                    "kind": "time_decay",
                    "active": name == "a",
                    "config": {"tau": "tau"},
                }
            },
        )
        for name in names
    ]
    cases: dict[str, Case] = {}
    for i in range(rng.randint(5, 40)):
        conditions = [
            {
                "kind": "count",
                "match": {"kind": "mention"},
                "threshold": f"{rng.choice(names)}.t{rng.randrange(4)}",
            }
            for _ in range(rng.randint(1, 3))
        ]
        cases[f"c{i:02d}"] = case(
            f"c{i:02d}",
            window={"end": "2026-01-01T00:00:00Z", "days": f"{rng.choice(names)}.window_days"},
            triggers=conditions,
            protected=rng.random() < 0.2,
        )
    return Params({p.name: p for p in policies}), cases


@pytest.mark.parametrize("seed", range(25))
def test_readers_index_matches_the_scan(seed: int) -> None:
    params, cases = _world(seed)
    index = Readers.of(cases.values())
    refs = [f"{p}.{n}" for p in "abcd" for n in ("t0", "t1", "t2", "t3", "window_days", "tau")]
    for ref in refs:
        assert index.of_ref(ref, params) == params.readers(ref, cases.values())


@pytest.mark.parametrize("seed", range(25))
def test_replay_set_with_the_index_matches_the_scan(seed: int) -> None:
    params, cases = _world(seed)
    rng = random.Random(seed)
    index = Readers.of(cases.values())
    for _ in range(10):
        changes = [
            Change(rng.choice("abc"), f"parameters.t{rng.randrange(4)}", 3, 2),
            Change(rng.choice("abc"), rng.choice(["parameters.tau", "metrics.decay"]), 1, 2),
        ][: rng.randint(1, 2)]
        scanned = sandbox.replay_set(changes, cases, params)
        indexed = sandbox.replay_set(changes, cases, params, readers=index)
        assert indexed == scanned
        # the scan the index replaces: a parameter's readers, a switched policy's cases
        expected = {c.id for c in cases.values() if c.protected}
        for change in changes:
            if change.target.startswith("parameters."):
                expected |= set(params.readers(change.key, cases.values()))
            else:
                expected |= {c.id for c in cases.values() if change.policy in c.policies()}
        assert indexed == tuple(sorted(expected))
