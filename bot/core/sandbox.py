"""Replay a change in memory on historical snapshots only, N times, and compare (000, component 3).

The working tree is never touched: changes are applied to an in-memory copy of the
policies. The report carries the deterministic cost model (`bot.core.cost`), which the gate
judges; time and memory measured by an injected `Meter` (the core reads no clock) stay on the
`SandboxRun`, shown as information, never in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TypeVar

from bot.core import backtest, cost, stability
from bot.core.evaluate import Evaluator, Result
from bot.core.params import Params, Readers
from bot.model import Case
from bot.model.cost import Cost
from bot.model.proposal import Change
from bot.model.report import (
    CaseDetail,
    CostModel,
    Delta,
    Evidence,
    RunLoss,
    SandboxReport,
    Seeds,
    Stabilization,
    Totals,
    Work,
)
from bot.model.snapshot import Snapshot

T = TypeVar("T")


# meter(work, trace_memory) -> (result, cost); tracing memory slows work down, so the
# sandbox traces it on the first run only and takes time from the untraced runs.
Meter = Callable[[Callable[[], T], bool], tuple[T, Cost]]


def unmetered(work: Callable[[], T], trace_memory: bool = False) -> tuple[T, Cost]:
    """A meter that measures nothing (for callers that do not gate on cost)."""
    return work(), Cost(0.0, 0.0)


@dataclass(frozen=True)
class Replay:
    """Everything a replay reads: cases, parameters, snapshots, custom evaluators."""

    cases: Mapping[str, Case]
    params: Params
    snapshots: Mapping[str, Snapshot]
    evaluators: Mapping[str, Evaluator]
    known_readers: Readers | None = field(default=None, compare=False, repr=False)

    @cached_property
    def readers(self) -> Readers:
        """Who reads what, indexed once for every candidate this replay judges."""
        return self.known_readers or Readers.of(self.cases.values())

    def run(self, ids: Sequence[str], params: Params, seed: int = 0) -> tuple[Result, ...]:
        cases = [self.cases[i] for i in ids]
        return backtest.run(cases, params, self.snapshots, self.evaluators, seed=seed)

    def seeds_for(self, ids: Sequence[str], seeds: Sequence[int]) -> tuple[int, ...]:
        """Every seed when a replayed case has a stochastic evaluator, else the first only."""
        chosen = tuple(seeds) or (0,)
        return chosen if backtest.stochastic(ids, self.evaluators) else chosen[:1]


@dataclass(frozen=True)
class SandboxRun:
    """Baseline and proposal results over N identical replays."""

    case_ids: tuple[str, ...]
    baseline: tuple[Result, ...]
    proposal: tuple[Result, ...]
    runs: int
    distinct_outcomes: int
    baseline_cost: Cost
    proposal_cost: Cost
    seeds: tuple[int, ...] = (0,)
    stochastic: bool = False
    pass_rates: tuple[tuple[float, float], ...] = ()  # (baseline, proposal) per seed

    def spread(self) -> Seeds:
        """The pass rate's mean, deviation and stability over the seeds, on both sides."""
        rates = self.pass_rates or (
            (
                backtest.summarize(self.baseline).pass_rate,
                backtest.summarize(self.proposal).pass_rate,
            ),
        )
        return Seeds(
            self.seeds,
            self.stochastic,
            stability.spread([b for b, _ in rates]),
            stability.spread([p for _, p in rates]),
        )

    baseline_work: Work = field(default_factory=Work)
    proposal_work: Work = field(default_factory=Work)


def replay_set(
    changes: Iterable[Change],
    cases: Mapping[str, Case],
    params: Params,
    *,
    scope: str = "affected",
    readers: Readers | None = None,
) -> tuple[str, ...]:
    """Cases a change can affect (a parameter's readers, a switched policy's cases) + protected.

    `readers` indexes `cases` (`Replay.readers`); without it they are scanned.
    """
    if scope == "all":
        return tuple(sorted(cases))
    index = readers if readers is not None else Readers.of(cases.values())
    chosen = set(index.protected)
    for change in changes:
        if change.target.startswith("parameters."):
            chosen.update(index.of_ref(change.key, params))
        else:
            chosen.update(index.of_policy(change.policy))
    return tuple(sorted(chosen))


def replay(
    changes: Sequence[Change],
    replay_inputs: Replay,
    *,
    runs: int,
    meter: Meter[tuple[Result, ...]] = unmetered,
    case_ids: Sequence[str] | None = None,
    seeds: Sequence[int] = (0,),
) -> SandboxRun:
    """Replay baseline and proposal `runs` times under each seed; within a seed, outcomes must
    not vary between runs. Results and costs are the first seed's."""
    ids = (
        tuple(case_ids)
        if case_ids is not None
        else replay_set(
            changes, replay_inputs.cases, replay_inputs.params, readers=replay_inputs.readers
        )
    )
    base, proposed = replay_inputs.params, replay_inputs.params.apply(changes)
    used = replay_inputs.seeds_for(ids, seeds)
    count = max(1, runs)
    first: tuple[tuple[Result, ...], tuple[Result, ...]] = ((), ())
    costs: tuple[list[Cost], list[Cost]] = ([], [])
    distinct, rates = 0, []
    for seed in used:
        outcomes = set()
        measured = meter if seed == used[0] else unmetered
        for index in range(count):
            baseline, spent = measured(partial(replay_inputs.run, ids, base, seed), index == 0)
            costs[0].append(spent)
            proposal, spent = measured(partial(replay_inputs.run, ids, proposed, seed), index == 0)
            costs[1].append(spent)
            outcomes.add(tuple(r.outcome() for r in (*baseline, *proposal)))
        if seed == used[0]:
            first = (baseline, proposal)
        distinct = max(distinct, len(outcomes))
        rates.append(
            (backtest.summarize(baseline).pass_rate, backtest.summarize(proposal).pass_rate)
        )
    return SandboxRun(
        ids,
        first[0],
        first[1],
        count,
        distinct,
        _least(costs[0][:count]),
        _least(costs[1][:count]),
        used,
        len(used) > 1,
        tuple(rates),
        baseline_work=cost.count(first[0], replay_inputs.cases, replay_inputs.snapshots, base),
        proposal_work=cost.count(first[1], replay_inputs.cases, replay_inputs.snapshots, proposed),
    )


def _least(costs: Sequence[Cost]) -> Cost:
    """Memory from the traced first run; time as the least of the untraced runs (or the only one).

    The least time is the measurement least disturbed by everything else on the machine.
    """
    timed = costs[1:] or costs
    return Cost(min(c.time_ms for c in timed), costs[0].memory_kb)


def report(
    run: SandboxRun,
    cases: Mapping[str, Case],
    *,
    proposal_id: str,
    executed_at: str,
    source_case: str | None = None,
    evidence: Evidence | None = None,
    crl: RunLoss | None = None,
) -> SandboxReport:
    """000's sandbox report: baseline vs proposal, per-case before/after, deltas, cost.

    Under several seeds (a stochastic evaluator) the pass-rate delta is the mean over the
    seeds; per-case details are the first seed's.
    """
    details = tuple(
        _detail(b, p, cases[b.case_id]) for b, p in zip(run.baseline, run.proposal, strict=True)
    )
    before, after = backtest.summarize(run.baseline), backtest.summarize(run.proposal)
    seeds = run.spread()
    gain = seeds.delta_mean if run.stochastic else round(after.pass_rate - before.pass_rate, 6)
    return SandboxReport(
        sandbox_run_id=run_id(proposal_id, executed_at),
        proposal_id=proposal_id,
        executed_at=executed_at,
        source_case=source_case,
        replayed_cases=run.case_ids,
        baseline=_totals(before),
        proposal=_totals(after),
        delta=Delta(
            pass_rate_delta=gain,
            hit_count_delta=after.counts["HIT"] - before.counts["HIT"],
            avg_score_delta=round(after.avg_score - before.avg_score, 6),
            fixed_cases=tuple(d.case_id for d in details if d.fixed),
            regressed_cases=tuple(d.case_id for d in details if d.regressed),
            protected_regressions=tuple(d.case_id for d in details if d.regressed and d.protected),
        ),
        cost_model=CostModel(run.baseline_work, run.proposal_work),
        stabilization=Stabilization(run.runs, run.distinct_outcomes),
        case_details=details,
        evidence=evidence,
        seeds=seeds,
        crl=crl,
        all_cases=len(cases),
    )


def run_id(proposal_id: str, executed_at: str) -> str:
    """A sandbox run's id: the proposal's, stamped with when it ran."""
    return f"sandbox_{proposal_id}_{executed_at.replace('-', '').replace(':', '')}"


def _totals(summary: backtest.Summary) -> Totals:
    return Totals(
        backtest_pass_rate=summary.pass_rate,
        hit_count=summary.counts["HIT"],
        miss_count=summary.counts["MISS"],
        abstain_count=summary.counts["ABSTAIN"],
        error_count=summary.counts["ERROR"],
        avg_score=summary.avg_score,
    )


def _detail(before: Result, after: Result, case: Case) -> CaseDetail:
    return CaseDetail(
        case_id=before.case_id,
        protected=case.protected,
        baseline_status=before.status,
        proposal_status=after.status,
        baseline_score=before.score,
        proposal_score=after.score,
        improved=not before.passed and after.passed,
        fixed=before.failed and after.passed,
        regressed=before.passed and not after.passed,
    )
