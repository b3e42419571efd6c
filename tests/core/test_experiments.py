"""Experiments from ledger entries and pull requests: each outcome, and success rates."""

from __future__ import annotations

from typing import Any

from bot.core import experiments
from bot.core.experiments import Pull
from tests.builders import manual_change, promotion, rejection, rollback, sealed


def meta(subject: str, type_: str = "threshold_adjustment", **extra: Any) -> dict[str, Any]:
    return {
        "proposal_id": f"p_{subject}",
        "subject": subject,
        "learner": "backtest",
        "type": type_,
        "evidence": f"e_{subject}",
        "objective_delta": 0.1,
        "seeds": [42, 43, 44],
        "stability": 0.97,
        **extra,
    }


ENTRIES = sealed(
    promotion("m1", pr=1, at="t1", approvers=("alice",)),
    promotion("m2", pr=2, at="t2"),
    rejection(3, at="t3"),
    rollback("r2", "m2", pr=2, at="t4", reverted_by="bob"),
    manual_change("x", at="t5"),
    promotion(
        "m9",
        pr=9,
        at="t6",
        subject="gone",
        learner="karma",
        proposal_type="karma_update",
        proposal_id="p_gone",
    ),
)
PULLS = [
    Pull(1, "learnbot/a", "merged", meta("a")),
    Pull(2, "learnbot/b", "merged", meta("b", "window_extension")),
    Pull(3, "learnbot/c", "closed", meta("c")),
    Pull(4, "learnbot/d", "closed", meta("d", superseded="superseded: the failure is fixed")),
    Pull(5, "learnbot/e", "open", meta("e")),
    Pull(6, "learnbot/f", "merged", meta("f")),
    Pull(7, "learnbot/g", "closed", meta("g")),
]


def test_each_experiment_gets_its_outcome_from_the_ledger_then_the_forge() -> None:
    found = {e.pr: e for e in experiments.collect(ENTRIES, PULLS)}
    assert {n: e.outcome for n, e in found.items()} == {
        1: "merged",
        2: "rolled back",
        3: "rejected",
        4: "superseded",
        5: "open",
        6: "merged",
        7: "rejected",
        9: "merged",
    }
    assert found[1].reason == "promoted in ledger entry 1 (alice)"
    assert found[2].reason == "reverted in r2 by bob" and found[2].at == "t4"
    assert found[4].reason == "superseded: the failure is fixed"
    assert "not recorded it yet" in found[6].reason and "not recorded it yet" in found[7].reason
    assert (found[9].learner, found[9].proposal_type, found[9].subject) == (
        "karma",
        "karma_update",
        "gone",
    )
    assert found[1].as_dict()["seeds"] == [42, 43, 44] and found[1].stability == 0.97


def test_success_rate_counts_only_what_a_person_decided() -> None:
    found = experiments.collect(ENTRIES, PULLS)
    by_type = {r.group: r for r in experiments.rates(found, "type")}
    # threshold_adjustment: a, c, d, e, f, g -> merged a, f; rejected c, g; d superseded, e open
    assert (by_type["threshold_adjustment"].merged, by_type["threshold_adjustment"].decided) == (
        2,
        4,
    )
    assert by_type["threshold_adjustment"].rate == 0.5
    assert by_type["window_extension"].rate == 0.0  # merged, then rolled back
    by_learner = {r.group: r for r in experiments.rates(found, "learner")}
    assert by_learner["backtest"].total == 7 and by_learner["karma"].rate == 1.0
    assert experiments.rates([], "learner") == ()


def test_open_only_group_has_no_rate() -> None:
    found = experiments.collect([], [Pull(5, "learnbot/e", "open", meta("e"))])
    (rate,) = experiments.rates(found, "learner")
    assert rate.rate is None and rate.as_dict()["success_rate"] is None


def test_metadata_records_the_sandbox_run() -> None:
    report = {
        "delta": {"pass_rate_delta": 0.25},
        "cost_model": {
            "baseline": {"events_scanned": 10},
            "proposal": {"events_scanned": 12, "declared_time_ms": 0.2, "conditions": 1},
        },
        "seeds": {"seeds": [42, 43], "proposal": {"stability": 0.95}},
    }
    found = experiments.metadata(report, "threshold_adjustment", "digest")
    assert found == {
        "type": "threshold_adjustment",
        "evidence": "digest",
        "objective_delta": 0.25,
        "seeds": [42, 43],
        "stability": 0.95,
        "cost": {"events_scanned": 12, "declared_time_ms": 0.2},
    }
    objective = experiments.metadata({"objective": {"delta": -0.5}}, "weights_revert", "d")
    assert objective["objective_delta"] == -0.5 and objective["seeds"] == []


def _refused(proposal_id: str, at: str) -> dict[str, Any]:
    report = {"gate": {"reasons": ["protected cases that regress: 1 (needs <= 0)"]}}
    return experiments.refused_record(
        report,
        proposal_id=proposal_id,
        subject="it_lookalike",
        learner="backtest",
        proposal_type="threshold_adjustment",
        evidence="e1",
        at=at,
    )


def test_refused_record_keeps_the_gate_reasons_and_the_registry_fields() -> None:
    record = _refused("p1", "t1")
    assert record["reason"] == "protected cases that regress: 1 (needs <= 0)"
    assert (record["type"], record["evidence"], record["at"]) == (
        "threshold_adjustment",
        "e1",
        "t1",
    )
    assert record["objective_delta"] is None and record["seeds"] == []
    long = experiments.refused_record(
        {"gate": {"reasons": ["x" * 500]}},
        proposal_id="p",
        subject="s",
        learner="l",
        proposal_type="t",
        evidence="e",
        at="t",
    )
    assert len(long["reason"]) == experiments.REASON_LIMIT


def test_remember_keeps_the_first_sighting_and_the_newest_few() -> None:
    kept = [_refused("p1", "t1"), _refused("p2", "t2")]
    fresh = [_refused("p2", "t9"), _refused("p3", "t3"), _refused("p3", "t4")]
    merged = experiments.remember(kept, fresh, keep=10)
    assert [(r["proposal_id"], r["at"]) for r in merged] == [
        ("p1", "t1"),
        ("p2", "t2"),
        ("p3", "t3"),
    ]
    assert [r["proposal_id"] for r in experiments.remember(kept, fresh, keep=2)] == ["p2", "p3"]
    assert experiments.remember(kept, fresh, keep=0) == []
    assert experiments.remember([{"not": "a record"}, "junk"], [], keep=5) == []  # type: ignore[list-item]


def test_refused_candidates_are_experiments_no_person_decided() -> None:
    found = experiments.collect(ENTRIES, [], [_refused("p1", "t1")])
    refused = [e for e in found if e.outcome == experiments.REFUSED]
    assert [(e.pr, e.proposal_id, e.reason[:9]) for e in refused] == [(None, "p1", "protected")]
    (rate,) = experiments.rates(refused, "learner")
    assert (rate.merged, rate.decided, rate.total, rate.rate) == (0, 0, 1, None)
