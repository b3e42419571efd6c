"""Experiment history (004's registry) from what already exists: the ledger and the pull requests.

Every candidate that reached a pull request is an experiment. Its outcome:
- rolled back: a rollback in the ledger reverted its promotion;
- merged: a promotion in the ledger (or merged on the forge, not recorded yet);
- rejected: a rejection in the ledger (or closed unmerged by a person, not recorded yet);
- superseded: learnbot closed it itself (the failure was fixed, no proposal passes any more);
- open: still under review;
- refused by the gate: a candidate the sandbox replayed and the gate refused, which never
  reached a pull request (kept when `experiments.gate_rejected` is on).
A learner's success rate is merged / (merged + rejected + rolled back): open and superseded
experiments were never decided by a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.model.entries import Promotion, Recorded, Rejection, Rollback, seq

T = TypeVar("T")
Decided = Promotion | Rejection | Rollback  # the entries that record a person's decision
_Text = str | None
_Told = tuple[int | None, _Text, _Text, _Text, _Text, _Text]  # see _first

OPEN, MERGED, REJECTED, ROLLED_BACK, SUPERSEDED, REFUSED = (
    "open",
    "merged",
    "rejected",
    "rolled back",
    "superseded",
    "refused by the gate",
)
REASON_LIMIT = 300  # characters of the gate's reasons kept per refused candidate
DECIDED = (MERGED, REJECTED, ROLLED_BACK)


@dataclass(frozen=True)
class Pull:
    """A pull request as the registry needs it: number, branch, forge state, metadata."""

    number: int
    branch: str
    state: str  # open | closed | merged
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """One candidate that reached a pull request, and what became of it."""

    pr: int | None
    subject: str
    learner: str
    proposal_type: str
    proposal_id: str
    outcome: str
    reason: str
    at: str = ""
    seeds: tuple[int, ...] = ()
    evidence: str = ""
    report_sha256: str = ""
    objective_delta: float | None = None
    stability: float | None = None
    cost: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pr": self.pr,
            "subject": self.subject,
            "learner": self.learner,
            "type": self.proposal_type,
            "proposal_id": self.proposal_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "at": self.at,
            "seeds": list(self.seeds),
            "evidence_digest": self.evidence,
            "report_sha256": self.report_sha256,
            "objective_delta": self.objective_delta,
            "stability": self.stability,
            "cost": dict(self.cost),
        }


@dataclass(frozen=True)
class Rate:
    """Success rate of one group (a learner or a proposal type)."""

    group: str
    merged: int
    decided: int
    total: int

    @property
    def rate(self) -> float | None:
        return round(self.merged / self.decided, 6) if self.decided else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "merged": self.merged,
            "decided": self.decided,
            "experiments": self.total,
            "success_rate": self.rate,
        }


_COST = ("events_scanned", "declared_time_ms", "declared_memory_kb")  # the modelled cost


def metadata(report: Mapping[str, Any], proposal_type: str, evidence: str) -> dict[str, Any]:
    """What a pull request's hidden metadata records of its sandbox run, for the registry."""
    objective = report.get("objective")
    delta = objective["delta"] if objective else report.get("delta", {}).get("pass_rate_delta")
    seeds = report.get("seeds") or {}
    cost = (report.get("cost_model") or {}).get("proposal") or {}
    return {
        "type": proposal_type,
        "evidence": evidence,
        "objective_delta": delta,
        "seeds": list(seeds.get("seeds", ())),
        "stability": (seeds.get("proposal") or {}).get("stability"),
        "cost": {k: cost[k] for k in _COST if k in cost},
    }


def refused_record(
    report: Mapping[str, Any],
    *,
    proposal_id: str,
    subject: str,
    learner: str,
    proposal_type: str,
    evidence: str,
    at: str,
) -> dict[str, Any]:
    """What the registry keeps of a candidate the gate refused (its report holds the reasons)."""
    reasons = "; ".join((report.get("gate") or {}).get("reasons") or ()) or "refused by the gate"
    return {
        "proposal_id": proposal_id,
        "subject": subject,
        "learner": learner,
        "reason": reasons[:REASON_LIMIT],
        "at": at,
        **metadata(report, proposal_type, evidence),
    }


def remember(
    kept: Sequence[Mapping[str, Any]], fresh: Iterable[Mapping[str, Any]], keep: int
) -> list[dict[str, Any]]:
    """The refused candidates kept after a run: those kept before, then the ones never seen
    (by proposal id, so a candidate refused again on the same evidence keeps its first time),
    the newest `keep` of them."""
    found = [dict(r) for r in kept if isinstance(r, Mapping) and r.get("proposal_id")]
    seen = {r["proposal_id"] for r in found}
    for record in fresh:
        if record["proposal_id"] not in seen:
            seen.add(record["proposal_id"])
            found.append(dict(record))
    return found[-keep:] if keep > 0 else []


def collect(
    entries: Iterable[Recorded],
    pulls: Sequence[Pull],
    refused: Sequence[Mapping[str, Any]] = (),
) -> tuple[Experiment, ...]:
    """Every experiment, by pull request number (entries without one by proposal id), then
    the candidates the gate refused."""
    by_pr: dict[object, list[Decided]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry, (Promotion, Rejection, Rollback)):
            by_pr[entry.pr or entry.proposal_id].append(entry)
    found = [_experiment(pull, by_pr.pop(pull.number, [])) for pull in pulls]
    found += [_experiment(None, recorded) for recorded in by_pr.values()]
    ordered = sorted(found, key=lambda e: (e.pr is None, e.pr or 0, e.proposal_id))
    return (*ordered, *(_refused(r) for r in refused))


def _refused(record: Mapping[str, Any]) -> Experiment:
    return Experiment(
        pr=None,
        subject=str(record.get("subject", "")),
        learner=str(record.get("learner", "")),
        proposal_type=str(record.get("type", "unknown")),
        proposal_id=str(record.get("proposal_id", "")),
        outcome=REFUSED,
        reason=str(record.get("reason", "")),
        at=str(record.get("at", "")),
        seeds=tuple(record.get("seeds") or ()),
        evidence=str(record.get("evidence", "")),
        objective_delta=record.get("objective_delta"),
        stability=record.get("stability"),
        cost=dict(record.get("cost") or {}),
    )


def _experiment(pull: Pull | None, recorded: Sequence[Decided]) -> Experiment:
    meta: Mapping[str, Any] = pull.metadata if pull else {}
    outcome, reason, at = _outcome(pull, recorded)
    pr, subject, learner, type_, proposal_id, sha256 = _first(recorded)
    return Experiment(
        pr=pull.number if pull else pr,
        subject=str(meta.get("subject") or subject or ""),
        learner=str(meta.get("learner") or learner or "backtest"),
        proposal_type=str(meta.get("type") or type_ or "unknown"),
        proposal_id=str(meta.get("proposal_id") or proposal_id or ""),
        outcome=outcome,
        reason=reason,
        at=at,
        seeds=tuple(meta.get("seeds", ())),
        evidence=str(meta.get("evidence", "")),
        report_sha256=str(meta.get("report_sha256") or sha256 or ""),
        objective_delta=meta.get("objective_delta"),
        stability=meta.get("stability"),
        cost=dict(meta.get("cost", {})),
    )


def _first(recorded: Sequence[Decided]) -> _Told:
    """What the first entry says: (pr, subject, learner, type, proposal id, report sha256)."""
    if not recorded:
        return (None, None, None, None, None, None)
    first = recorded[0]
    sha256 = first.report_sha256 if isinstance(first, Promotion) else None
    return first.pr, first.subject, first.learner, first.proposal_type, first.proposal_id, sha256


def _last(recorded: Sequence[Decided], kind: type[T]) -> T | None:
    found = [e for e in recorded if isinstance(e, kind)]
    return found[-1] if found else None


def _outcome(pull: Pull | None, recorded: Sequence[Decided]) -> tuple[str, str, str]:
    """(outcome, reason, when) from the ledger first, the forge's state otherwise."""
    rollback = _last(recorded, Rollback)
    if rollback is not None:
        who = rollback.reverted_by or "someone"
        return ROLLED_BACK, f"reverted in {rollback.commit[:12]} by {who}", rollback.at
    promotion = _last(recorded, Promotion)
    if promotion is not None:
        approvers = ", ".join(promotion.approvers) or "no approving review"
        return MERGED, f"promoted in ledger entry {seq(promotion)} ({approvers})", promotion.at
    rejection = _last(recorded, Rejection)
    if rejection is not None:
        at = rejection.at
        return REJECTED, f"closed without merging (ledger entry {seq(rejection)})", at
    assert pull is not None  # an experiment comes from a ledger entry or a pull request
    if pull.state == "closed" and "superseded" in pull.metadata:
        return SUPERSEDED, str(pull.metadata["superseded"]), ""
    if pull.state == "merged":
        return MERGED, "merged; promote has not recorded it yet", ""
    if pull.state == "closed":
        return REJECTED, "closed without merging; promote has not recorded it yet", ""
    return OPEN, "under review", ""


def rates(found: Iterable[Experiment], by: str) -> tuple[Rate, ...]:
    """Success rate per learner (`by="learner"`) or per proposal type (`by="type"`)."""
    groups: dict[str, list[Experiment]] = defaultdict(list)
    for experiment in found:
        groups[experiment.learner if by == "learner" else experiment.proposal_type].append(
            experiment
        )
    return tuple(
        Rate(
            group,
            sum(e.outcome == MERGED for e in items),
            sum(e.outcome in DECIDED for e in items),
            len(items),
        )
        for group, items in sorted(groups.items())
    )
