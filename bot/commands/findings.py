"""A learner's finding for one subject (its notes and outcome) as JSON data, and back.

Shared by shard files (`loop --shard`) and the learning cache: both must give back the very
outcome the learner produced, so that pull requests, bodies and the dashboard come out the
same as when it was learned in this process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.commands.learners import Step
from bot.core import gate, pipeline
from bot.core.learners import Candidate
from bot.model.cost import Cost
from bot.model.proposal import Change, Proposal
from bot.model.report import SandboxReport


def step_to_dict(step: Step) -> dict[str, Any]:
    """One learned subject as JSON data."""
    outcome = step.outcome
    return {
        "learner": step.learner,
        "position": step.position,
        "notes": list(step.notes),
        "outcome": None if outcome is None else outcome_to_dict(outcome),
    }


def step_from_dict(data: Mapping[str, Any]) -> Step:
    found = data["outcome"]
    outcome = None if found is None else outcome_from_dict(found)
    return Step(str(data["learner"]), int(data["position"]), tuple(data["notes"]), outcome)


def outcome_to_dict(outcome: pipeline.Outcome) -> dict[str, Any]:
    """An outcome with everything a run renders from it, refused candidates included."""
    chosen = outcome.chosen
    return {
        "subject": outcome.subject,
        "source_failure_id": outcome.source_failure_id,
        "learner": outcome.learner,
        "proposal": outcome.proposal.as_dict() if outcome.proposal else None,
        "considered": [list(pair) for pair in outcome.considered],
        "reason": outcome.reason,
        "chosen": None if chosen is None else _evaluation(chosen),
        "refused": [_evaluation(e) for e in outcome.refused],
    }


def outcome_from_dict(data: Mapping[str, Any]) -> pipeline.Outcome:
    proposal = data["proposal"]
    chosen = data["chosen"]
    return pipeline.Outcome(
        subject=str(data["subject"]),
        source_failure_id=str(data["source_failure_id"]),
        learner=str(data["learner"]),
        proposal=None if proposal is None else Proposal.from_dict(proposal),
        considered=tuple((str(a), str(b)) for a, b in data["considered"]),
        reason=str(data["reason"]),
        chosen=None if chosen is None else _evaluation_from(chosen),
        refused=tuple(_evaluation_from(e) for e in data.get("refused", ())),
    )


def _evaluation(evaluation: pipeline.Evaluation) -> dict[str, Any]:
    candidate = evaluation.candidate
    return {
        "candidate": {
            "proposal_type": candidate.proposal_type,
            "changes": [c.__dict__ for c in candidate.changes],
            "rationale": candidate.rationale,
            "impact": list(candidate.impact),
            "manifest": candidate.manifest,
            "moves": [list(m) for m in candidate.moves],
            "explanation": [dict(row) for row in candidate.explanation],
        },
        "proposal_id": evaluation.proposal_id,
        "evidence": evaluation.evidence,
        "report": evaluation.report.to_dict(),
        "verdict": {
            "allowed": evaluation.verdict.allowed,
            "criteria": [c.as_dict() for c in evaluation.verdict.criteria],
        },
        "measured": [[c.time_ms, c.memory_kb] for c in evaluation.measured],
    }


def _evaluation_from(data: Mapping[str, Any]) -> pipeline.Evaluation:
    found = data["candidate"]
    candidate = Candidate(
        proposal_type=found["proposal_type"],
        changes=tuple(Change(**c) for c in found["changes"]),
        rationale=found["rationale"],
        impact=tuple(found["impact"]),
        manifest=found["manifest"],
        moves=tuple((a, b) for a, b in found["moves"]),
        explanation=tuple(found["explanation"]),
    )
    verdict = gate.Verdict(
        bool(data["verdict"]["allowed"]),
        tuple(gate.Criterion(**c) for c in data["verdict"]["criteria"]),
    )
    baseline, proposal = (Cost(float(t), float(m)) for t, m in data["measured"])
    return pipeline.Evaluation(
        candidate,
        data["proposal_id"],
        data["evidence"],
        SandboxReport.from_dict(data["report"]),
        verdict,
        (baseline, proposal),
    )
