"""One pipeline for every learner: replay each candidate, gate it, keep exactly one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.core import crl, gate, sandbox
from bot.core.learners import Candidate, Candidates, Learner, Measure
from bot.core.proposal import evidence_digest, proposal_id, versions
from bot.model import Config, RunMetrics
from bot.model.cost import Cost
from bot.model.proposal import Proposal
from bot.model.report import Objective, RunLoss, SandboxReport


@dataclass(frozen=True)
class Evaluation:
    """One candidate after its replay: the report and the gate's verdict on it."""

    candidate: Candidate
    proposal_id: str
    evidence: str
    report: SandboxReport
    verdict: gate.Verdict
    measured: tuple[Cost, Cost] = (Cost(0, 0), Cost(0, 0))

    def as_dict(self) -> dict[str, Any]:
        """The report as documented, with the gate decision in it."""
        return {
            **self.report.to_dict(),
            "gate": self.verdict.as_dict(),
            "promotion_eligible": self.verdict.allowed,
        }


@dataclass(frozen=True)
class Outcome:
    """A learner's result for one subject: one proposal, or none and why."""

    subject: str
    source_failure_id: str
    learner: str
    proposal: Proposal | None
    considered: tuple[tuple[str, str], ...]
    reason: str = ""
    chosen: Evaluation | None = None
    refused: tuple[Evaluation, ...] = ()  # candidates the gate refused: experiments too

    @property
    def report(self) -> dict[str, Any] | None:
        """The chosen candidate's sandbox report (with its gate decision)."""
        return self.chosen.as_dict() if self.chosen else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "source_failure_id": self.source_failure_id,
            "learner": self.learner,
            "proposal": self.proposal.as_dict() if self.proposal else None,
            "report": self.report,
            "rejected": [{"candidate": c, "reason": r} for c, r in self.considered],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Setting:
    """What every replay in one run shares."""

    replay: sandbox.Replay
    config: Config
    at: str
    meter: sandbox.Meter[Any] = sandbox.unmetered
    runs: int | None = None
    run: RunMetrics | None = None  # the latest system-wide run metrics, for the CRL rule


def judge(
    candidate: Candidate,
    source_failure_id: str,
    setting: Setting,
    rules: gate.AllOf,
    *,
    measure: Measure | None = None,
    source_case: str | None = None,
) -> Evaluation:
    """Replay one candidate N times and gate the report with the learner's rules."""
    runs = setting.runs or setting.config.sandbox.stabilization_runs
    ids = sandbox.replay_set(
        candidate.changes,
        setting.replay.cases,
        setting.replay.params,
        scope=setting.config.sandbox.scope,
        readers=setting.replay.readers,
    )
    evidence = evidence_digest(ids, setting.replay.cases, setting.replay.params)
    identifier = proposal_id(source_failure_id, candidate, evidence)
    run = sandbox.replay(
        candidate.changes,
        setting.replay,
        runs=runs,
        meter=setting.meter,
        case_ids=ids,
        seeds=setting.config.sandbox.seeds,
    )
    checked = gate.configured(rules, setting.config.gate)
    report = sandbox.report(
        run,
        setting.replay.cases,
        proposal_id=identifier,
        executed_at=setting.at,
        source_case=source_case,
        evidence=measure(candidate) if measure is not None else None,
        crl=_crl(run, setting) if checked is not rules else None,
    )
    verdict = checked.check(report, setting.config.gate)
    measured = (run.baseline_cost, run.proposal_cost)  # information only: not in the report
    return Evaluation(candidate, identifier, evidence, report, verdict, measured)


def _crl(run: sandbox.SandboxRun, setting: Setting) -> RunLoss:
    """The latest system run's loss with its gate pass rate replaced by the replay's (mean)."""
    spread = run.spread()
    weights = setting.config.objective.weights.as_mapping()
    return crl.replay_loss(setting.run, weights, spread.baseline.mean, spread.proposal.mean)


def _improvement(evaluation: Evaluation) -> tuple[float, float]:
    report = evaluation.report
    if isinstance(report.evidence, Objective):
        return (report.evidence.delta, 0.0)
    return (report.delta.pass_rate_delta, report.delta.avg_score_delta)


def select(
    evaluations: Sequence[Evaluation], excluded: Mapping[str, str], order: Sequence[str]
) -> tuple[Evaluation | None, list[tuple[str, str]]]:
    """The gate-passing candidate with the largest improvement; ties by the learner's order."""
    passing = [e for e in evaluations if e.verdict.allowed and e.proposal_id not in excluded]
    ordered = sorted(
        passing,
        key=lambda e: (-_improvement(e)[0], -_improvement(e)[1], e.candidate.rank(order)),
    )
    chosen = ordered[0] if ordered else None
    considered = []
    for evaluation in evaluations:
        if evaluation is chosen:
            continue
        considered.append((evaluation.candidate.describe(), _why_not(evaluation, chosen, excluded)))
    return chosen, considered


def _why_not(evaluation: Evaluation, chosen: Evaluation | None, excluded: Mapping[str, str]) -> str:
    if evaluation.proposal_id in excluded:
        return excluded[evaluation.proposal_id]
    if not evaluation.verdict.allowed:
        return "gate: " + "; ".join(evaluation.verdict.reasons)
    assert chosen is not None
    if _improvement(evaluation) == _improvement(chosen):
        return "passes the gate; as good as the chosen one, which comes first in the fixed order"
    return (
        f"passes the gate; improves less ({_improvement(evaluation)[0]:+.3f} "
        f"vs {_improvement(chosen)[0]:+.3f})"
    )


def propose(
    subject: str,
    found: Candidates,
    setting: Setting,
    learner: Learner,
    *,
    excluded: Mapping[str, str],
    measure: Measure | None = None,
) -> Outcome:
    """Replay and gate every candidate, then build exactly one proposal (or say why none)."""
    for candidate in found.items:
        candidate.rank(learner.proposal_types)  # an undeclared proposal type is a learner's bug
    rules = learner.rules()
    if found.ranks:
        evaluations, chosen, considered = _first_passing(found, setting, rules, excluded)
    else:
        evaluations = [
            judge(
                c, found.failure_id, setting, rules, measure=measure, source_case=found.source_case
            )
            for c in found.items
        ]
        chosen, considered = select(evaluations, excluded, learner.proposal_types)
    considered += [(d.description, d.reason) for d in found.dropped]
    refused = tuple(e for e in evaluations if not e.verdict.allowed)
    if chosen is None:
        reason = _no_proposal(evaluations, considered, excluded)
        return Outcome(
            subject,
            found.failure_id,
            learner.name,
            None,
            tuple(considered),
            reason,
            refused=refused,
        )
    proposal = build(chosen, subject, found.failure_id, learner.name, setting)
    return Outcome(
        subject,
        found.failure_id,
        learner.name,
        proposal,
        tuple(considered),
        chosen=chosen,
        refused=refused,
    )


def _first_passing(
    found: Candidates, setting: Setting, rules: gate.AllOf, excluded: Mapping[str, str]
) -> tuple[list[Evaluation], Evaluation | None, list[tuple[str, str]]]:
    """Replay the `best` first ranked candidates in order; keep the first the gate allows."""
    evaluations: list[Evaluation] = []
    considered: list[tuple[str, str]] = []
    chosen: Evaluation | None = None
    total = len(found.items)
    for index, (candidate, rank) in enumerate(zip(found.items, found.ranks, strict=True), 1):
        where = f"ranked {index} of {total} ({rank})"
        if chosen is not None:
            considered.append((candidate.describe(), f"{where}: a better-ranked candidate passes"))
            continue
        if index > found.best:
            why = f"{where}: only the best {found.best} are replayed"
            considered.append((candidate.describe(), why))
            continue
        evaluation = judge(
            candidate, found.failure_id, setting, rules, source_case=found.source_case
        )
        evaluations.append(evaluation)
        if evaluation.verdict.allowed and evaluation.proposal_id not in excluded:
            chosen = evaluation
        else:
            considered.append((candidate.describe(), f"{where}: {_lost(evaluation, excluded)}"))
    return evaluations, chosen, considered


def _lost(evaluation: Evaluation, excluded: Mapping[str, str]) -> str:
    if evaluation.proposal_id in excluded:
        return excluded[evaluation.proposal_id]
    return "gate: " + "; ".join(evaluation.verdict.reasons)


def _no_proposal(
    evaluations: Sequence[Evaluation],
    considered: Sequence[tuple[str, str]],
    excluded: Mapping[str, str],
) -> str:
    if not considered:
        return "no candidate was generated"
    if any(e.verdict.allowed and e.proposal_id in excluded for e in evaluations):
        return "every candidate that passes the gate was rolled back before (known-bad)"
    return "no candidate passes the gate"


def stamped(outcome: Outcome, at: str) -> Outcome:
    """`outcome` as if learned at `at`: only the time its reports and proposal carry changes
    (a replay reads no clock), so a finding kept from an earlier run is this run's."""

    def restamp(evaluation: Evaluation) -> Evaluation:
        report = replace(
            evaluation.report,
            executed_at=at,
            sandbox_run_id=sandbox.run_id(evaluation.proposal_id, at),
        )
        return replace(evaluation, report=report)

    proposal = outcome.proposal
    return replace(
        outcome,
        proposal=None if proposal is None else replace(proposal, created_at=at),
        chosen=None if outcome.chosen is None else restamp(outcome.chosen),
        refused=tuple(restamp(e) for e in outcome.refused),
    )


def build(
    chosen: Evaluation, subject: str, source_failure_id: str, learner: str, setting: Setting
) -> Proposal:
    candidate = chosen.candidate
    report = chosen.report
    cases = setting.replay.cases
    policies = setting.replay.params.policies
    files = {policies[c.policy].path for c in candidate.changes}
    files |= {path for move in candidate.moves for path in move}
    objective = report.evidence if isinstance(report.evidence, Objective) else None
    return Proposal(
        proposal_id=chosen.proposal_id,
        created_at=setting.at,
        source_failure_id=source_failure_id,
        subject=subject,
        learner=learner,
        proposal_type=candidate.proposal_type,
        change_description=candidate.rationale,
        affected_components=tuple(
            sorted(files | {cases[i].path for i in candidate.impact if i in cases})
        ),
        changes=candidate.changes,
        versions=versions(candidate.changes, policies),
        expected_delta={
            "improved_cases": [d.case_id for d in report.case_details if d.improved],
            "regression_risk": [i for i in candidate.impact if i != subject],
            "backtest_pass_rate_delta": report.delta.pass_rate_delta,
            **({"objective_delta": objective.delta} if objective is not None else {}),
        },
        validation_plan={
            "sandbox_cases": list(report.replayed_cases),
            "protected_cases": sorted(i for i in report.replayed_cases if cases[i].protected),
            "stabilization_runs": report.stabilization.runs,
        },
        evidence_digest=chosen.evidence,
        rent_manifest_draft=candidate.manifest,
        moves=candidate.moves,
        explanation=candidate.explanation,
    )
