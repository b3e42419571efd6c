"""The batched evaluator gives exactly the per-case reference evaluator's results."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import backtest
from bot.core.evaluate import evaluate, evaluate_all
from bot.core.params import Params
from bot.edges import snapshots, store
from bot.edges.files import WorktreeFiles
from bot.model import Case
from bot.model.proposal import Change
from bot.model.snapshot import Snapshot
from tests import reference
from tests.repos import ROOT
from tests.worlds import world


def _same(cases: list[Case], params: Params, snapshot: Snapshot) -> None:
    batched = evaluate_all(cases, params, snapshot)
    for case, result in zip(cases, batched, strict=True):
        assert result == reference.evaluate(case, params, snapshot), case.id
        assert result.as_dict() == reference.evaluate(case, params, snapshot).as_dict()


def test_batch_matches_the_reference_on_the_example() -> None:
    state = store.load(WorktreeFiles(ROOT))
    params = Params(state.policies)
    pins = [(c.snapshot_path, c.snapshot_sha256) for c in state.cases.values()]
    loaded, problems = snapshots.load_all(WorktreeFiles(ROOT), pins)
    assert not problems
    cases = sorted(state.cases.values(), key=lambda c: c.id)
    results = backtest.run(cases, params, loaded)
    expected = tuple(reference.evaluate(c, params, loaded[c.snapshot_sha256]) for c in cases)
    assert results == expected
    assert {r.status for r in results} >= {"HIT", "MISS"}


def test_batch_matches_the_reference_on_generated_worlds() -> None:
    for seed, events, cases in ((1, 3000, 400), (2, 800, 300), (3, 40, 200)):
        snapshot, params, generated = world(seed, events, cases)
        _same(generated, params, snapshot)


def test_every_shape_occurs_in_the_generated_world() -> None:
    snapshot, params, cases = world(1, 3000, 400)
    results = evaluate_all(cases, params, snapshot)
    assert {r.status for r in results} == {"HIT", "MISS", "ABSTAIN", "UNKNOWN"}
    details = {k for r in results for m in r.triggers for k, _ in m.detail}
    assert {"metric", "fn", "weights", "field", "last_event_age_hours"} <= details
    assert any(r.excluded_synthetic for r in results)
    assert {m.value is None for r in results for m in r.triggers} == {True, False}


def test_one_case_alone_gets_its_batched_result() -> None:
    snapshot, params, cases = world(4, 500, 60)
    batched = evaluate_all(cases, params, snapshot)
    assert tuple(evaluate(c, params, snapshot) for c in cases) == batched
    assert evaluate_all(cases[::-1], params, snapshot) == batched[::-1]


def test_a_batch_on_an_empty_snapshot_is_unknown() -> None:
    snapshot, params, cases = world(5, 0, 20)
    assert {r.status for r in evaluate_all(cases, params, snapshot)} == {"UNKNOWN"}
    _same(cases, params, snapshot)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    events=st.integers(0, 120),
    cases=st.integers(1, 25),
    days=st.integers(1, 40),
)
def test_batch_matches_the_reference_on_random_snapshots_and_cases(
    seed: int, events: int, cases: int, days: int
) -> None:
    snapshot, params, generated = world(seed, events, cases, days)
    _same(generated, params, snapshot)


def test_replays_of_the_same_cases_under_changed_parameters_match_the_reference() -> None:
    """The cases are compiled once per snapshot; every parameter they read is looked up anew."""
    snapshot, params, cases = world(6, 2000, 150)
    changes = [
        (),
        (
            Change("filtered", "operators.x", True, False),
            Change("filtered", "operators.a", True, False),
        ),
        (Change("plain", "parameters.days", 7, 3), Change("filtered", "parameters.count", 2, 1)),
        (Change("w", "parameters.risk", 0.3, 0.9), Change("decayed", "parameters.tau", 24, 100)),
        (
            Change("filtered", "metrics.d", True, False),
            Change("plain", "parameters.level", 0.3, -0.2),
        ),
    ]
    seen = set()
    for changed in changes:
        replayed = params.apply(changed)
        batched = evaluate_all(cases, replayed, snapshot)
        assert batched == tuple(reference.evaluate(c, replayed, snapshot) for c in cases)
        seen.add(repr(batched))
    assert len(seen) == len(changes)  # every change moved some result
    assert len(snapshot.memo["plans"]) == 1
