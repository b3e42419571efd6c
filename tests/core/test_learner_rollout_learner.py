"""The rollout learner through its `Learner` methods: subjects, the step, its check, charts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.core.gate import AllOf, MatchesRecomputation
from bot.core.history import History
from bot.core.learners import Candidate, Candidates, Context, Skip, rollout, rollout_learner
from bot.core.params import Params
from bot.model import Config, Policy, Sample
from bot.model.config import CrlWeights
from bot.model.proposal import Change
from bot.model.report import Consistency
from tests.builders import manual_change, promotion, rollback, sealed
from tests.core.test_learner_rollout import NOW, _losses, policy, samples

LEARNER = rollout_learner.LEARNER
PLAIN = Policy.from_dict("policies/plain.yaml", {"name": "plain", "version": 1})


def _context(
    ranker: Policy | None = None, found: list[Sample] | None = None, **extra: Any
) -> Context:
    policies = {"plain": PLAIN, "ranker": ranker or policy()}
    return Context(
        config=Config(),
        cases={},
        params=Params(policies),
        snapshots={},
        failures=(),
        at=NOW,
        inputs={"rollouts": (("ranker", tuple(found or ())),)},
        **extra,
    )


def _only(found: Candidates | Skip) -> Candidate:
    assert isinstance(found, Candidates), found
    (chosen,) = found.items
    return chosen


def test_rollout_learner_subjects_are_policies_with_a_candidate() -> None:
    assert LEARNER.subjects(_context()) == ("rollout/ranker",)
    assert LEARNER.enabled(Config())
    assert LEARNER.candidates(_context(), "rollout/plain") == Skip(
        "plain: no candidate", conclusive=True
    )
    assert LEARNER.candidates(_context(), "rollout/gone") == Skip(
        "gone: no candidate", conclusive=True
    )


def test_rollout_learner_without_data_is_a_conclusive_skip() -> None:
    assert LEARNER.candidates(_context(), "rollout/ranker") == Skip(
        "ranker: inconclusive: no data since 2026-01-01T00:00:00Z", conclusive=True
    )


def test_rollout_learner_promotes_to_the_next_stage_with_the_metrics_explained() -> None:
    # samples arrive unsorted: the learner orders them by time and arm
    found = samples(60, quality=0.05)[::-1]
    chosen = _only(LEARNER.candidates(_context(found=found), "rollout/ranker"))
    assert chosen.proposal_type == "rollout_stage"
    assert chosen.rationale.startswith("Promote the candidate to canary at 50%: significant")
    assert [c.target for c in chosen.changes] == ["candidate.percent", "candidate.since"]
    latency, quality = chosen.explanation
    assert (latency["metric"], latency["statistic"]) == ("latency_ms", "p95")
    assert quality["outcome"] == "improved" and quality["change"].startswith("+")
    assert float(quality["p-value"]) < 0.05 and quality["control"] and quality["candidate"]


def test_rollout_learner_activates_at_the_last_stage() -> None:
    last = policy(percent=50)
    chosen = _only(LEARNER.candidates(_context(last, samples(60, quality=0.05)), "rollout/ranker"))
    assert chosen.proposal_type == "rollout_activation"
    assert chosen.rationale.startswith(
        "Make the candidate's values active (100%); the values they replace are archived: "
    )
    assert [c.target for c in chosen.changes] == ["parameters.cutoff", "candidate"]


def test_rollout_learner_rolls_back_a_known_bad_candidate_without_metrics() -> None:
    digest = rollout.candidate_digest({"cutoff": 0.65})
    removed = {"ranker.candidate": {"from": digest, "to": None}}
    earlier = [manual_change(f"x{i}") for i in range(3)]
    entries = sealed(*earlier, promotion("c", learner="rollout", values=removed))  # seq 4
    context = _context(history=History(entries))
    chosen = _only(LEARNER.candidates(context, "rollout/ranker"))
    assert chosen.proposal_type == "rollout_rollback"
    assert chosen.rationale == (
        "Roll the candidate back (known-bad): known-bad: rolled back in ledger entry 4."
    )
    assert chosen.changes == (Change("ranker", "candidate", digest, None),)
    assert chosen.explanation == ()  # judged on the ledger, not on metrics


def test_rollout_learner_knows_a_reverted_activation_as_bad() -> None:
    digest = rollout.candidate_digest({"cutoff": 0.65})
    values = {"ranker.candidate": {"from": digest, "to": None}, "ranker.parameters.x": {}}
    activated = promotion("c", learner="rollout", values=values)
    history = History(sealed(activated, rollback("r", "c")))
    found = rollout_learner.assess(_context(history=history), policy())
    assert (found.verdict, found.reason) == ("rollback", "known-bad: reverted in ledger entry 2")


def test_rollout_learner_explains_a_metric_with_too_few_samples_as_blanks() -> None:
    # quality regresses; latency was measured on the control arm only
    found = [
        Sample(s.ts, s.arm, s.metrics if s.arm == "control" else {"quality": s.metrics["quality"]})
        for s in samples(60, quality=-0.1)
    ]
    chosen = _only(LEARNER.candidates(_context(found=found), "rollout/ranker"))
    assert chosen.proposal_type == "rollout_rollback"
    latency, quality = chosen.explanation
    assert latency == {
        "metric": "latency_ms",
        "statistic": "p95",
        "control": "",
        "candidate": "",
        "change": "",
        "p-value": "",
        "outcome": "too few samples",
    }
    assert quality["outcome"] == "regressed" and quality["change"].startswith("-")


def test_rollout_learner_check_recomputes_the_step() -> None:
    context = _context(found=samples(60, quality=0.05))
    chosen = _only(LEARNER.candidates(context, "rollout/ranker"))
    check = LEARNER.measure(context, "rollout/ranker")
    rule = "the rollout step the online metrics dictate"
    assert check(chosen) == Consistency(rule, True, "")
    edited = Candidate(chosen.proposal_type, chosen.changes[:1], "r")
    assert not check(edited).matches
    assert "candidate.since" in check(edited).difference
    # no data, or no candidate: no step to match
    for subject, quiet in (("rollout/ranker", _context()), ("rollout/plain", context)):
        assert LEARNER.measure(quiet, subject)(chosen) == Consistency(
            rule, False, "the metrics dictate no step"
        )


def test_rollout_learner_rules_require_the_recomputation_and_safety() -> None:
    rules = LEARNER.rules()
    assert isinstance(rules, AllOf) and isinstance(rules.rules[0], MatchesRecomputation)
    assert len(rules.rules) > 1


def test_rollout_learner_section_charts_each_metric_measured_by_both_arms() -> None:
    (section,) = LEARNER.sections(_context(found=samples(60, quality=0.05)))
    assert section.template == "rollouts.md.j2"
    (row,) = section.context["rollouts"]
    assert row["policy"] == "ranker" and row["verdict"] == "promote"
    latency, quality = row["charts"]
    assert (latency["metric"], quality["metric"]) == ("latency_ms", "quality")
    assert quality["days"] == ["01-01"]
    assert quality["low"] < min(quality["control"] + quality["candidate"])
    assert quality["high"] > max(quality["control"] + quality["candidate"])


def test_rollout_learner_section_without_data_has_no_chart_and_none_without_candidates() -> None:
    (section,) = LEARNER.sections(_context())
    assert section.context["rollouts"][0]["charts"] == []
    bare = Context(Config(), {}, Params({"plain": PLAIN}), {}, (), NOW)
    assert LEARNER.sections(bare) == ()


@pytest.mark.parametrize(
    ("rows", "low", "high"),
    [
        ([("2026-01-02", 1.0, 3.0)], 0.8, 3.2),  # pad a tenth of the range
        ([("2026-01-02", 2.0, 2.0)], 1.8, 2.2),  # flat: a tenth of the value
        ([("2026-01-02", 0.0, 0.0)], -1.0, 1.0),  # flat at zero: one
    ],
)
def test_rollout_learner_chart_pads_the_y_range(
    rows: list[tuple[str, float, float]], low: float, high: float
) -> None:
    chart = rollout_learner._chart("m", rows)
    assert chart is not None
    assert (chart["low"], chart["high"]) == (pytest.approx(low), pytest.approx(high))
    assert chart["days"] == ["01-02"]
    assert rollout_learner._chart("m", []) is None


def test_rollout_learner_charts_the_composite_run_loss_with_the_objective_weights() -> None:
    weights = dict.fromkeys(CrlWeights().as_mapping(), 0.0)
    config = Config.from_dict(
        {
            "objective": {"weights": {**weights, "grounding": 0.5, "latency_p95_norm": 0.5}},
            "learners": {"rollout": {"metrics": {"crl": {}}}},
        }
    )
    context = replace(_context(found=_losses(60, 0.05)), config=config)
    (section,) = LEARNER.sections(context)
    ((chart,),) = [row["charts"] for row in section.context["rollouts"]]
    assert chart["metric"] == "crl"
    # 0.5 x (1 - grounding) + 0.5 x latency: about 0.3 for control, 0.275 for the candidate
    assert chart["control"] == [pytest.approx(0.3, abs=0.01)]
    assert chart["candidate"] == [pytest.approx(0.275, abs=0.01)]
    chosen = _only(LEARNER.candidates(context, "rollout/ranker"))
    assert (
        chosen.explanation[0]["metric"] == "crl" and chosen.explanation[0]["outcome"] == "improved"
    )
