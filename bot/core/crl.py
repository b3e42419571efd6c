"""Composite run loss (004): one number per run, lower is better.

    L = wq (1 - gate_pass_rate) + wg contradiction_rate + wr (1 - grounding)
      + wc cost_over_budget_pct + wt latency_p95_norm + ws security_criticals
      + wa api_breakages + wd db_migration_fail + wrag (1 - rag_coverage)

A term the weights need and the metrics do not have is an error naming the term: a missing
term is never read as zero. A term whose weight is 0 is not needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.model import RunMetrics
from bot.model.report import RunLoss

# term -> (weight name in 004, default weight, True when the loss counts 1 - value)
TERMS: Mapping[str, tuple[str, float, bool]] = {
    "gate_pass_rate": ("wq", 0.20, True),
    "contradiction_rate": ("wg", 0.15, False),
    "grounding": ("wr", 0.15, True),
    "cost_over_budget_pct": ("wc", 0.15, False),
    "latency_p95_norm": ("wt", 0.10, False),
    "security_criticals": ("ws", 0.10, False),
    "api_breakages": ("wa", 0.05, False),
    "db_migration_fail": ("wd", 0.05, False),
    "rag_coverage": ("wrag", 0.05, True),
}
DEFAULT_WEIGHTS: Mapping[str, float] = {term: spec[1] for term, spec in TERMS.items()}


class MissingTerm(ValueError):
    """Metrics that lack a term the weights need."""

    def __init__(self, terms: Sequence[str], where: str = "") -> None:
        self.terms = tuple(terms)
        prefix = f"{where}: " if where else ""
        names = ", ".join(self.terms)
        super().__init__(f"{prefix}composite run loss needs the term(s) {names}, which are missing")


@dataclass(frozen=True)
class Loss:
    """A composite run loss and what each term contributed."""

    value: float
    contributions: Mapping[str, float]

    def as_dict(self) -> dict[str, object]:
        return {"crl": self.value, "contributions": dict(self.contributions)}


def needed(weights: Mapping[str, float]) -> tuple[str, ...]:
    """The terms a loss with these weights reads (a zero weight reads nothing)."""
    return tuple(term for term in TERMS if weights.get(term, 0.0) != 0.0)


def missing(terms: Mapping[str, float], weights: Mapping[str, float]) -> tuple[str, ...]:
    """The needed terms that `terms` lacks."""
    return tuple(term for term in needed(weights) if term not in terms)


def compute(
    terms: Mapping[str, float], weights: Mapping[str, float] = DEFAULT_WEIGHTS, *, where: str = ""
) -> Loss:
    """The composite run loss of one run's terms; raises MissingTerm naming what is absent."""
    absent = missing(terms, weights)
    if absent:
        raise MissingTerm(absent, where)
    contributions = {
        term: round(_part(term, terms[term], weights[term]), 9) for term in needed(weights)
    }
    return Loss(round(sum(contributions.values()), 9), contributions)


def _part(term: str, value: float, weight: float) -> float:
    inverted = TERMS[term][2]
    return weight * ((1.0 - value) if inverted else value)


def delta(baseline: Loss, candidate: Loss) -> float:
    """Candidate minus baseline: negative is an improvement."""
    return round(candidate.value - baseline.value, 9)


def replay_loss(
    run: RunMetrics | None, weights: Mapping[str, float], baseline: float, proposal: float
) -> RunLoss:
    """A replay's loss before and after: the run's terms, with `gate_pass_rate` replaced by the
    replayed pass rate (the one term a replay measures); a missing term is named, never 0."""
    if run is None:
        return RunLoss(
            "", None, None, "no system-wide run (without a component) in the run metrics"
        )
    losses = []
    for pass_rate in (baseline, proposal):
        try:
            terms = {**run.terms, "gate_pass_rate": pass_rate}
            losses.append(compute(terms, weights, where=f"run {run.run_id}").value)
        except MissingTerm as exc:
            return RunLoss(run.run_id, None, None, str(exc))
    return RunLoss(run.run_id, losses[0], losses[1])


def latest_system_run(runs: Sequence[RunMetrics]) -> RunMetrics | None:
    """The most recent run that measures the whole system (no component)."""
    found = [r for r in runs if not r.component]
    return max(found, key=lambda r: (r.at, r.run_id)) if found else None
