"""Sandbox replay, stabilization, selection of exactly one proposal, determinism."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.core import canonical, crl, pipeline, sandbox
from bot.core.analyze import Run, analyze
from bot.core.evaluate import evaluate
from bot.core.learners import Candidate, Candidates, Context
from bot.core.learners import backtest as learner
from bot.model import Config, RunMetrics
from bot.model.cost import Cost
from bot.model.proposal import Change
from tests.builders import case, event, params, policy, snapshot

RUN = Run("run_x", "r" * 40, "2026-01-01T00:00:00Z")

EVENTS = [
    event(1, term="x"),
    event(2, term="x"),
    event(3, term="ex"),  # subject: 2 + 1 alias
    event(1, term="fad"),
    event(2, term="fad"),  # protected quiet case
    event(24 * 8, term="x"),  # just before the window
    event(1, term="y"),
    event(2, term="y"),
    event(3, term="y"),
    event(4, term="y"),  # passes
]
SNAP = snapshot(EVENTS)


def world(extra_operators: dict[str, Any] | None = None) -> tuple[Any, ...]:
    pol = policy(
        operators={
            "aliases": {
                "kind": "alias_terms",
                "active": False,
                "config": {"aliases": {"x": ["ex"]}},
            },
            **(extra_operators or {}),
        }
    )
    cases = {
        "subject": case("subject", SNAP.sha256),
        "fad": case(
            "fad",
            SNAP.sha256,
            expect="quiet",
            protected=True,
            triggers=[{"kind": "count", "match": {"term": "fad"}, "threshold": "p.min_count"}],
        ),
        "steady": case(
            "steady",
            SNAP.sha256,
            triggers=[{"kind": "count", "match": {"term": "y"}, "threshold": "p.min_count"}],
        ),
    }
    replay = sandbox.Replay(cases, params(pol), {SNAP.sha256: SNAP}, {})
    return cases, replay


def plan(
    excluded: dict[str, str] | None = None,
    meter: Any = sandbox.unmetered,
    at: str = "2026-01-01T00:00:00Z",
) -> pipeline.Outcome:
    cases, replay = world()
    subject = cases["subject"]
    result = evaluate(subject, replay.params, SNAP)
    failure = analyze(subject, result, replay.params, SNAP, RUN)
    setting = pipeline.Setting(replay, Config(), at, meter)
    return pipeline.propose(
        "subject",
        learner.ranked(context(cases, replay, failure), "subject", failure.failure_id),
        setting,
        learner.LEARNER,
        excluded=excluded or {},
    )


def context(cases: Any, replay: sandbox.Replay, failure: Any) -> Context:
    return Context(Config(), cases, replay.params, replay.snapshots, (failure,), at=0)


def test_replay_set_is_readers_plus_protected() -> None:
    cases, replay = world()
    change = Change("p", "parameters.limit", 0.5, 0.4)
    assert sandbox.replay_set([change], cases, replay.params) == ("fad",)
    window = Change("p", "parameters.window_days", 7, 8)
    assert sandbox.replay_set([window], cases, replay.params) == ("fad", "steady", "subject")
    assert sandbox.replay_set([change], cases, replay.params, scope="all") == (
        "fad",
        "steady",
        "subject",
    )


def test_obvious_fix_that_regresses_a_protected_case_ranks_last_with_that_reason() -> None:
    outcome = plan()
    rejected = dict(outcome.considered)
    threshold = rejected["threshold_adjustment: p.min_count: 3 -> 2"]
    assert threshold == (
        "ranked 3 of 3 (1 grid step(s), declared cost 0 ms, regressions on the cases it "
        "reaches: fad): a better-ranked candidate passes"
    )
    assert outcome.proposal is not None


def test_ranked_by_regressions_then_steps_then_the_fixed_order() -> None:
    outcome = plan()
    assert outcome.proposal is not None
    # window 7 -> 8 and the alias operator both fix the subject alone in one step with no
    # regression and no declared cost; window_extension comes first in the fixed order.
    assert outcome.proposal.proposal_type == "window_extension"
    reason = dict(outcome.considered)["new_operator: p.operators.aliases: off -> on"]
    assert reason.startswith("ranked 2 of 3 (1 grid step(s), declared cost 0 ms, regressions")


def test_only_the_best_few_are_sandboxed_and_the_first_that_passes_is_kept() -> None:
    cases, replay = world()
    subject = cases["subject"]
    failure = analyze(subject, evaluate(subject, replay.params, SNAP), replay.params, SNAP, RUN)
    found = learner.ranked(context(cases, replay, failure), "subject", "f")
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    # the protected regression first: the gate refuses it, and with best=1 nothing else runs
    worst_first = Candidates(
        "f", found.items[::-1], source_case="subject", ranks=found.ranks[::-1], best=1
    )
    outcome = pipeline.propose("subject", worst_first, setting, learner.LEARNER, excluded={})
    assert outcome.proposal is None and outcome.reason == "no candidate passes the gate"
    reasons = [r for _, r in outcome.considered]
    assert (
        reasons[0].startswith("ranked 1 of 3")
        and "protected_regressions: 1 (needs <= 0)" in (reasons[0])
    )
    assert reasons[1].endswith("only the best 1 are replayed")


def test_stamped_outcome_is_the_one_learned_at_that_time() -> None:
    later = "2026-03-01T12:00:00Z"
    outcome = plan()
    assert outcome.proposal is not None and outcome.chosen is not None
    assert pipeline.stamped(outcome, later) == plan(at=later)
    assert pipeline.stamped(outcome, later) != outcome
    cases, replay = world()
    found = learner.ranked(context(cases, replay, None), "subject", "f")
    worst = Candidates(
        "f", found.items[::-1], source_case="subject", ranks=found.ranks[::-1], best=1
    )

    def refused(at: str) -> pipeline.Outcome:
        setting = pipeline.Setting(replay, Config(), at)
        return pipeline.propose("subject", worst, setting, learner.LEARNER, excluded={})

    kept = refused("2026-01-01T00:00:00Z")
    assert kept.proposal is None and kept.refused
    assert pipeline.stamped(kept, later) == refused(later)


def test_known_bad_proposal_is_skipped_for_the_next_best() -> None:
    first = plan()
    assert first.proposal is not None
    again = plan(excluded={first.proposal.proposal_id: "known-bad: rolled back in ledger entry 4"})
    assert again.proposal is not None and again.proposal.proposal_type == "new_operator"
    assert dict(again.considered)["window_extension: p.window_days: 7 -> 8"].endswith(
        "known-bad: rolled back in ledger entry 4"
    )


def test_no_passing_candidate_means_no_proposal_and_says_why() -> None:
    _, replay = world()
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    bad = Candidate("threshold_adjustment", (Change("p", "parameters.min_count", 3, 1),), "too far")
    outcome = pipeline.propose(
        "subject",
        Candidates("failure_subject_x", (bad,), source_case="subject"),
        setting,
        learner.LEARNER,
        excluded={},
    )
    assert outcome.proposal is None and outcome.reason == "no candidate passes the gate"
    assert "protected_regressions" in outcome.considered[0][1]


def test_proposal_fields_follow_000() -> None:
    proposal = plan().proposal
    assert proposal is not None
    data = proposal.as_dict()
    assert (
        data["proposal_id"].startswith("proposal_") and data["created_at"] == "2026-01-01T00:00:00Z"
    )
    assert data["versions"] == {"p": {"from": 1, "to": 2}}
    assert data["expected_delta"]["improved_cases"] == ["subject"]
    assert data["validation_plan"] == {
        "sandbox_cases": ["fad", "steady", "subject"],
        "protected_cases": ["fad"],
        "stabilization_runs": 3,
    }
    assert set(data["affected_components"]) == {
        "policies/p.yaml",
        "cases/subject.yaml",
        "cases/fad.yaml",
        "cases/steady.yaml",
    }


def test_same_inputs_give_the_same_proposal_and_report_measured_costs_aside() -> None:
    from bot.edges.meter import measure

    first, second = plan(meter=measure), plan(meter=measure)
    assert first.proposal == second.proposal
    assert canonical.encode(first.proposal.as_dict()) == canonical.encode(second.proposal.as_dict())  # type: ignore[union-attr]
    assert first.report is not None and second.report is not None
    assert canonical.encode(first.report) == canonical.encode(second.report)
    assert "cost_delta" not in first.report  # measured time and memory never enter a report


def test_stabilization_catches_a_nondeterministic_evaluator() -> None:
    _, replay = world()
    flips = itertools.count()

    def flaky(c: Any, p: Any, s: Any) -> dict[str, Any]:
        return {"status": "HIT" if next(flips) % 3 else "MISS", "confidence": "LOW"}

    replay = sandbox.Replay(replay.cases, replay.params, replay.snapshots, {"steady": flaky})
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    candidate = Candidate("window_extension", (Change("p", "parameters.window_days", 7, 8),), "x")
    rules = learner.LEARNER.rules()
    judged = pipeline.judge(candidate, "failure_subject_x", setting, rules, source_case="subject")
    assert judged.report.stabilization.identical is False
    assert not judged.verdict.allowed
    assert "stabilization" in [c.name for c in judged.verdict.criteria if not c.passed]


def test_sandbox_never_changes_the_baseline_parameters() -> None:
    _, replay = world()
    before = replay.params.policies["p"]
    sandbox.replay([Change("p", "parameters.min_count", 3, 1)], replay, runs=2)
    assert replay.params.policies["p"] is before and before.parameters["min_count"].value == 3


def test_report_shape_and_measured_costs() -> None:
    cases, replay = world()
    ticks = iter(range(100))

    def fake_meter(work: Any, traced: bool) -> Any:
        return work(), Cost(float(next(ticks)), 10.0 if traced else 0.0)

    run = sandbox.replay(
        [Change("p", "parameters.window_days", 7, 8)], replay, runs=3, meter=fake_meter
    )
    report = sandbox.report(
        run,
        cases,
        proposal_id="proposal_x",
        executed_at="2026-01-01T00:00:00Z",
        source_case="subject",
    ).to_dict()
    assert run.baseline_cost.time_ms == 2.0  # the least of the untraced 2, 4
    assert run.proposal_cost.time_ms == 3.0  # the least of the untraced 3, 5
    assert run.baseline_cost.memory_kb == 10.0  # from the traced first run
    # the model: every replayed case scans its window once for signals and once per trigger
    # (three cases on one snapshot: 9 of its events in 7 days, 10 in 8; one trigger each)
    assert report["cost_model"] == {
        "baseline": {
            "events_scanned": 3 * 9 * 2,
            "conditions": 3,
            "declared_time_ms": 0.0,
            "declared_memory_kb": 0.0,
        },
        "proposal": {
            "events_scanned": 3 * 10 * 2,
            "conditions": 3,
            "declared_time_ms": 0.0,
            "declared_memory_kb": 0.0,
        },
    }
    assert (
        report["delta"]["fixed_cases"] == ["subject"] and report["delta"]["regression_count"] == 0
    )
    assert report["baseline"]["hit_count"] == 2 and report["proposal"]["hit_count"] == 3
    detail = next(d for d in report["case_details"] if d["case_id"] == "subject")
    assert detail == {
        "case_id": "subject",
        "protected": False,
        "baseline_status": "MISS",
        "proposal_status": "HIT",
        "baseline_score": 0.0,
        "proposal_score": 1.0,
        "improved": True,
        "fixed": True,
        "regressed": False,
    }


def test_pipeline_refuses_a_proposal_type_its_learner_did_not_declare() -> None:
    _, replay = world()
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    odd = Candidate("weight_adjustment", (Change("p", "parameters.window_days", 7, 8),), "x")
    with pytest.raises(ValueError, match="'weight_adjustment' is not declared by its learner"):
        pipeline.propose("subject", Candidates("f", (odd,)), setting, learner.LEARNER, excluded={})


def test_pipeline_backtest_learner_gives_candidates_for_a_failing_case() -> None:
    cases, replay = world()
    subject = cases["subject"]
    failure = analyze(subject, evaluate(subject, replay.params, SNAP), replay.params, SNAP, RUN)
    context = Context(Config(), cases, replay.params, {SNAP.sha256: SNAP}, (failure,), 0)
    assert learner.LEARNER.subjects(context) == ("subject",)
    found = learner.LEARNER.candidates(context, "subject")
    assert isinstance(found, Candidates)
    assert (found.failure_id, found.source_case) == (failure.failure_id, "subject")
    assert {c.proposal_type for c in found.items} <= set(learner.LEARNER.proposal_types)


def test_pipeline_outcome_as_dict_and_reasons_for_no_proposal() -> None:
    outcome = plan()
    data = outcome.as_dict()
    assert data["learner"] == "backtest" and data["proposal"]["subject"] == "subject"
    assert data["report"]["gate"]["allowed"] is True
    _, replay = world()
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    none = pipeline.propose("s", Candidates("f", ()), setting, learner.LEARNER, excluded={})
    assert none.reason == "no candidate was generated" and none.as_dict()["report"] is None


def test_pipeline_objective_evidence_is_the_improvement() -> None:
    from bot.model.report import Objective

    _, replay = world()
    setting = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z")
    rules = learner.LEARNER.rules()
    a = Candidate("window_extension", (Change("p", "parameters.window_days", 7, 8),), "x")
    b = Candidate("tau_adjustment", (Change("p", "parameters.window_days", 7, 9),), "y")

    def objective(candidate: Candidate) -> Objective:
        return Objective("o", 0.0, 0.1, 0.1, 0.5, 0.5, 10)

    judged = [
        pipeline.judge(c, "f", setting, rules, measure=objective, source_case="subject")
        for c in (a, b)
    ]
    assert all(e.report.evidence is not None for e in judged)
    assert [pipeline._improvement(e) for e in judged] == [(0.1, 0.0), (0.1, 0.0)]


def test_pipeline_ties_and_known_bad_are_explained() -> None:
    from bot.core.gate import Criterion, Verdict
    from tests.core.test_gate import GOOD, with_

    passed = Verdict(True, (Criterion("c", 1, "1", True),))
    a = Candidate("window_extension", (Change("p", "parameters.window_days", 7, 8),), "x")
    b = Candidate("tau_adjustment", (Change("p", "parameters.window_days", 7, 9),), "y")
    first = pipeline.Evaluation(a, "pa", "e", GOOD, passed)
    second = pipeline.Evaluation(b, "pb", "e", GOOD, passed)
    chosen, considered = pipeline.select([second, first], {}, learner.LEARNER.proposal_types)
    assert chosen is first
    assert considered == [
        (
            b.describe(),
            "passes the gate; as good as the chosen one, which comes first in the fixed order",
        )
    ]
    worse = pipeline.Evaluation(b, "pw", "e", with_("delta.pass_rate_delta", 0.06), passed)
    _, considered = pipeline.select([first, worse], {}, learner.LEARNER.proposal_types)
    assert considered == [(b.describe(), "passes the gate; improves less (+0.060 vs +0.100)")]
    excluded = {"pa": "known-bad", "pb": "known-bad"}
    chosen, considered = pipeline.select([first, second], excluded, ())
    assert chosen is None
    assert pipeline._no_proposal([first, second], considered, excluded) == (
        "every candidate that passes the gate was rolled back before (known-bad)"
    )


def test_judge_adds_the_crl_rule_with_the_replayed_pass_rate_when_configured() -> None:
    _, replay = world()
    terms = dict.fromkeys(crl.TERMS, 0.5)
    run = RunMetrics("run_7", 0, terms)
    config = Config.from_dict({"gate": {"max_crl_delta": 0.0}})
    candidate = Candidate("window_extension", (Change("p", "parameters.window_days", 7, 8),), "x")
    rules = learner.LEARNER.rules()
    setting = pipeline.Setting(replay, config, "2026-01-01T00:00:00Z", run=run)
    judged = pipeline.judge(candidate, "failure_subject_x", setting, rules, source_case="subject")
    loss = judged.report.crl
    assert loss is not None and loss.run_id == "run_7"
    before = judged.report.baseline.backtest_pass_rate
    after = judged.report.proposal.backtest_pass_rate
    assert (before, after) == (round(2 / 3, 6), 1.0)
    # only the gate pass rate differs: the loss falls by its weight times the gain
    assert loss.delta == pytest.approx(-0.2 * (1.0 - 2 / 3), abs=1e-6)
    (criterion,) = [c for c in judged.verdict.criteria if c.name == "crl_delta"]
    assert criterion.passed
    unconfigured = pipeline.Setting(replay, Config(), "2026-01-01T00:00:00Z", run=run)
    plain = pipeline.judge(candidate, "failure_subject_x", unconfigured, rules)
    assert plain.report.crl is None
    assert "crl_delta" not in [c.name for c in plain.verdict.criteria]
