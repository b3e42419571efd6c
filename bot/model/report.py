"""The sandbox report (000, component 3) as frozen values: built once, never changed after.

`to_dict` gives the documented JSON shape; `from_dict` reads it back (e.g. `learnbot gate`).
A learner may add one piece of evidence of its own: an objective it must improve, or the
recomputation its change must equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Totals:
    """One side of the replay: pass rate and counts over the replayed cases."""

    backtest_pass_rate: float
    hit_count: int
    miss_count: int
    abstain_count: int
    error_count: int
    avg_score: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Totals:
        return cls(
            backtest_pass_rate=float(data["backtest_pass_rate"]),
            hit_count=int(data["hit_count"]),
            miss_count=int(data["miss_count"]),
            abstain_count=int(data["abstain_count"]),
            error_count=int(data["error_count"]),
            avg_score=float(data["avg_score"]),
        )


@dataclass(frozen=True)
class Delta:
    """Proposal minus baseline, and which cases moved."""

    pass_rate_delta: float
    hit_count_delta: int
    avg_score_delta: float
    fixed_cases: tuple[str, ...]
    regressed_cases: tuple[str, ...]
    protected_regressions: tuple[str, ...]

    @property
    def regression_count(self) -> int:
        return len(self.regressed_cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pass_rate_delta": self.pass_rate_delta,
            "hit_count_delta": self.hit_count_delta,
            "avg_score_delta": self.avg_score_delta,
            "fixed_cases": list(self.fixed_cases),
            "regressed_cases": list(self.regressed_cases),
            "regression_count": self.regression_count,
            "protected_regressions": list(self.protected_regressions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delta:
        return cls(
            pass_rate_delta=float(data["pass_rate_delta"]),
            hit_count_delta=int(data["hit_count_delta"]),
            avg_score_delta=float(data["avg_score_delta"]),
            fixed_cases=_strings(data["fixed_cases"]),
            regressed_cases=_strings(data["regressed_cases"]),
            protected_regressions=_strings(data["protected_regressions"]),
        )


@dataclass(frozen=True)
class Work:
    """What one replay costs by the deterministic model (`bot.core.cost`)."""

    events_scanned: int = 0
    conditions: int = 0
    declared_time_ms: float = 0.0
    declared_memory_kb: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "events_scanned": self.events_scanned,
            "conditions": self.conditions,
            "declared_time_ms": round(self.declared_time_ms, 6),
            "declared_memory_kb": round(self.declared_memory_kb, 6),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Work:
        return cls(
            events_scanned=int(data["events_scanned"]),
            conditions=int(data["conditions"]),
            declared_time_ms=float(data["declared_time_ms"]),
            declared_memory_kb=float(data["declared_memory_kb"]),
        )


@dataclass(frozen=True)
class CostModel:
    """The modelled cost of the baseline and the proposal replays: what the gate judges."""

    baseline: Work
    proposal: Work

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline.to_dict(), "proposal": self.proposal.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CostModel:
        return cls(Work.from_dict(data["baseline"]), Work.from_dict(data["proposal"]))


@dataclass(frozen=True)
class Stabilization:
    """N replays and how many distinct outcomes they gave (1: stable)."""

    runs: int
    distinct_outcomes: int

    @property
    def identical(self) -> bool:
        return self.distinct_outcomes == 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "distinct_outcomes": self.distinct_outcomes,
            "identical": self.identical,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stabilization:
        return cls(runs=int(data["runs"]), distinct_outcomes=int(data["distinct_outcomes"]))


@dataclass(frozen=True)
class CaseDetail:
    """One replayed case, before and after."""

    case_id: str
    protected: bool
    baseline_status: str
    proposal_status: str
    baseline_score: float
    proposal_score: float
    improved: bool
    fixed: bool
    regressed: bool

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseDetail:
        return cls(
            case_id=str(data["case_id"]),
            protected=bool(data["protected"]),
            baseline_status=str(data["baseline_status"]),
            proposal_status=str(data["proposal_status"]),
            baseline_score=float(data["baseline_score"]),
            proposal_score=float(data["proposal_score"]),
            improved=bool(data["improved"]),
            fixed=bool(data["fixed"]),
            regressed=bool(data["regressed"]),
        )


@dataclass(frozen=True)
class Objective:
    """A learner's objective before and after the change (`required`: must it improve?)."""

    name: str
    before: float
    after: float
    delta: float
    hit_rate_before: float
    hit_rate_after: float
    observations: int
    required: bool = True
    maximum: float | None = None  # the best the objective can be (a correlation: 1)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Objective:
        return cls(
            name=str(data["name"]),
            before=float(data["before"]),
            after=float(data["after"]),
            delta=float(data["delta"]),
            hit_rate_before=float(data.get("hit_rate_before", 0.0)),
            hit_rate_after=float(data.get("hit_rate_after", 0.0)),
            observations=int(data.get("observations", 0)),
            required=bool(data.get("required", True)),
            maximum=None if data.get("maximum") is None else float(data["maximum"]),
        )


@dataclass(frozen=True)
class Consistency:
    """Whether the change equals what the learner's rule recomputes from the base branch."""

    rule: str
    matches: bool
    difference: str

    @classmethod
    def compare(
        cls, rule: str, expected: Mapping[str, Any], actual: Mapping[str, Any]
    ) -> Consistency:
        """Compare two key -> value maps; the difference names up to five keys."""
        keys = sorted(set(expected) | set(actual))
        differing = [k for k in keys if expected.get(k) != actual.get(k)]
        shown = ", ".join(f"{k}: {actual.get(k)!r} vs {expected.get(k)!r}" for k in differing[:5])
        return cls(rule, not differing, shown)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Consistency:
        return cls(str(data["rule"]), bool(data["matches"]), str(data["difference"]))


@dataclass(frozen=True)
class Training:
    """A trainer's bundle: held-out accuracy before and after, what it trained on, the refit."""

    before: float
    after: float
    delta: float
    min_delta: float
    folds: int
    examples: int
    label_distribution: Mapping[str, int]
    sources: Mapping[str, int]
    feature_importances: Mapping[str, float]
    matches: bool  # the diff equals the thresholds refitted on the base branch
    difference: str = ""
    trade_off: tuple[str, ...] = ()  # unprotected cases a family-wide fix breaks

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Training:
        return cls(
            before=float(data["before"]),
            after=float(data["after"]),
            delta=float(data["delta"]),
            min_delta=float(data["min_delta"]),
            folds=int(data["folds"]),
            examples=int(data["examples"]),
            label_distribution={str(k): int(v) for k, v in data["label_distribution"].items()},
            sources={str(k): int(v) for k, v in data["sources"].items()},
            feature_importances={str(k): float(v) for k, v in data["feature_importances"].items()},
            matches=bool(data["matches"]),
            difference=str(data.get("difference", "")),
            trade_off=_strings(data.get("trade_off", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["trade_off"] = list(self.trade_off)
        return found


Evidence = Objective | Consistency | Training


@dataclass(frozen=True)
class Spread:
    """An objective measured once per seed: mean, population std, stability = 1 - std / |mean|."""

    values: tuple[float, ...]
    mean: float
    std: float
    stability: float

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Spread:
        return cls(
            values=tuple(float(v) for v in data["values"]),
            mean=float(data["mean"]),
            std=float(data["std"]),
            stability=float(data["stability"]),
        )


@dataclass(frozen=True)
class Seeds:
    """The replayed cases' pass rate under each seed a stochastic evaluator was given (004).

    Deterministic evaluators are replayed under the first seed only (`stochastic` false).
    """

    seeds: tuple[int, ...]
    stochastic: bool
    baseline: Spread
    proposal: Spread

    @property
    def delta_mean(self) -> float:
        return round(self.proposal.mean - self.baseline.mean, 6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seeds": list(self.seeds),
            "stochastic": self.stochastic,
            "objective": "pass_rate",
            "baseline": self.baseline.as_dict(),
            "proposal": self.proposal.as_dict(),
            "delta_mean": self.delta_mean,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Seeds:
        return cls(
            seeds=tuple(int(s) for s in data["seeds"]),
            stochastic=bool(data["stochastic"]),
            baseline=Spread.from_dict(data["baseline"]),
            proposal=Spread.from_dict(data["proposal"]),
        )


@dataclass(frozen=True)
class RunLoss:
    """Composite run loss (004) before and after, or why it could not be computed."""

    run_id: str
    baseline: float | None
    proposal: float | None
    problem: str = ""

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.proposal is None:
            return None
        return round(self.proposal - self.baseline, 9)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "delta": self.delta}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunLoss:
        def number(key: str) -> float | None:
            return None if data.get(key) is None else float(data[key])

        return cls(
            str(data["run_id"]), number("baseline"), number("proposal"), str(data["problem"])
        )


@dataclass(frozen=True)
class SandboxReport:
    """Baseline vs proposal over the replayed cases, N times, plus the learner's evidence."""

    sandbox_run_id: str
    proposal_id: str
    executed_at: str
    source_case: str | None
    replayed_cases: tuple[str, ...]
    baseline: Totals
    proposal: Totals
    delta: Delta
    cost_model: CostModel
    stabilization: Stabilization
    case_details: tuple[CaseDetail, ...]
    evidence: Evidence | None = None
    seeds: Seeds | None = None
    crl: RunLoss | None = None
    all_cases: int = 0  # every case of the tree, replayed or not

    @property
    def pass_rate_delta_all_cases(self) -> float:
        """The pass-rate gain over all cases: a case not replayed cannot change."""
        return round(self.delta.hit_count_delta / max(1, self.all_cases), 6)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "sandbox_run_id": self.sandbox_run_id,
            "proposal_id": self.proposal_id,
            "executed_at": self.executed_at,
            "source_case": self.source_case,
            "replayed_cases": list(self.replayed_cases),
            "all_cases": self.all_cases,
            "baseline": asdict(self.baseline),
            "proposal": asdict(self.proposal),
            "delta": self.delta.to_dict(),
            "cost_model": self.cost_model.to_dict(),
            "stabilization": self.stabilization.to_dict(),
            "case_details": [asdict(d) for d in self.case_details],
        }
        if isinstance(self.evidence, Objective):
            data["objective"] = asdict(self.evidence)
        elif isinstance(self.evidence, Consistency):
            data["consistency"] = asdict(self.evidence)
        elif isinstance(self.evidence, Training):
            data["training"] = self.evidence.to_dict()
        if self.seeds is not None:
            data["seeds"] = self.seeds.to_dict()
        if self.crl is not None:
            data["crl"] = self.crl.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SandboxReport:
        """Read a report back; the keys `to_dict` derives (and a gate decision) are ignored."""
        evidence: Evidence | None = None
        if "objective" in data:
            evidence = Objective.from_dict(data["objective"])
        elif "consistency" in data:
            evidence = Consistency.from_dict(data["consistency"])
        elif "training" in data:
            evidence = Training.from_dict(data["training"])
        source = data["source_case"]
        return cls(
            sandbox_run_id=str(data["sandbox_run_id"]),
            proposal_id=str(data["proposal_id"]),
            executed_at=str(data["executed_at"]),
            source_case=None if source is None else str(source),
            replayed_cases=_strings(data["replayed_cases"]),
            baseline=Totals.from_dict(data["baseline"]),
            proposal=Totals.from_dict(data["proposal"]),
            delta=Delta.from_dict(data["delta"]),
            cost_model=CostModel.from_dict(data["cost_model"]),
            stabilization=Stabilization.from_dict(data["stabilization"]),
            case_details=tuple(CaseDetail.from_dict(d) for d in data["case_details"]),
            evidence=evidence,
            seeds=Seeds.from_dict(data["seeds"]) if "seeds" in data else None,
            crl=RunLoss.from_dict(data["crl"]) if "crl" in data else None,
            all_cases=int(data.get("all_cases", len(data["replayed_cases"]))),
        )


def _strings(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise TypeError(f"expected a list, got {type(values).__name__}")
    return tuple(str(v) for v in values)
