"""The promotion gate (000, component 4): every criterion with its value, limit and verdict.

A decision is a value: `Verdict(allowed, criteria)`. Each rule is a small object that turns
a report into one criterion; rules compose with `AllOf`, which fails closed when it has
nothing to check. Each learner names the rules it is judged by; nothing here looks at
which keys a report has. An exception means "could not decide".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.model import GateConfig
from bot.model.report import Consistency, Objective, SandboxReport, Training, Work

_AT_MAXIMUM = 1e-6  # rounding of the reported objective


@dataclass(frozen=True)
class Criterion:
    """One rule's outcome."""

    name: str
    value: Any
    limit: str
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "limit": self.limit, "passed": self.passed}


@dataclass(frozen=True)
class Verdict:
    """Allowed only when every criterion passed (and there was at least one)."""

    allowed: bool
    criteria: tuple[Criterion, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it was refused: one line per failed criterion."""
        if not self.criteria:
            return ("no criteria to check: the gate fails closed",)
        return tuple(
            f"{c.name}: {c.value} (needs {c.limit})" for c in self.criteria if not c.passed
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "criteria": [c.as_dict() for c in self.criteria],
            "reasons": list(self.reasons),
        }


class Rule(Protocol):
    """One criterion of the gate."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        """The criterion's value, limit and verdict for `report`."""
        ...


@dataclass(frozen=True)
class AllOf:
    """Every rule must pass; no rules at all fails closed."""

    rules: tuple[Rule, ...]

    def __init__(self, *rules: Rule) -> None:
        object.__setattr__(self, "rules", rules)

    def check(self, report: SandboxReport, config: GateConfig) -> Verdict:
        criteria = tuple(rule.check(report, config) for rule in self.rules)
        return Verdict(bool(criteria) and all(c.passed for c in criteria), criteria)


@dataclass(frozen=True)
class PassRate:
    """Optional, relative: the pass-rate gain over ALL cases, so it never depends on how many
    cases a change happens to reach. Off unless `min_pass_rate_delta` is configured."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        delta = report.pass_rate_delta_all_cases
        value = f"{delta} over all {report.all_cases} cases"
        limit = config.min_pass_rate_delta
        if limit is None:
            return Criterion("pass_rate_delta", value, "not required (optional, off)", True)
        return Criterion("pass_rate_delta", value, f">= {limit}", delta >= limit)


@dataclass(frozen=True)
class FixedCase:
    """At least one failing case passes (when the configuration requires it)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        fixed = len(report.delta.fixed_cases)
        needed = 1 if config.require_fixed_case else 0
        return Criterion("failed_cases_now_passing", fixed, f">= {needed}", fixed >= needed)


@dataclass(frozen=True)
class SourceFixed:
    """A proposal made for a failure must fix that failure, not only others."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        source = report.source_case
        if source is None:
            return Criterion("source_case_fixed", "no source case", "none needed", True)
        fixed = source in report.delta.fixed_cases
        value = source if fixed else f"{source} still fails"
        return Criterion("source_case_fixed", value, f"{source} passes", fixed)


@dataclass(frozen=True)
class Protected:
    """No protected case regresses (beyond the configured number)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        broken = len(report.delta.protected_regressions)
        limit = config.max_protected_regressions
        return Criterion("protected_regressions", broken, f"<= {limit}", broken <= limit)


@dataclass(frozen=True)
class NewFailures:
    """No passing case now fails (beyond the configured number)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        broken = report.delta.regression_count
        limit = config.max_new_failures
        return Criterion("passing_cases_now_failing", broken, f"<= {limit}", broken <= limit)


def _increase(
    name: str, before: float, after: float, *, ratio: float, floor: float, unit: str
) -> Criterion:
    delta = after - before
    allowed = max(before * ratio, floor)
    relative = delta / before if before > 0 else 0.0
    value = f"{before:g} -> {after:g} {unit} ({relative:+.1%})"
    return Criterion(name, value, f"<= +{ratio:.0%} (or +{floor:g} {unit})", delta <= allowed)


@dataclass(frozen=True)
class CostIncrease:
    """One measure of the deterministic cost model grows by at most the configured ratio (or
    the floor): counted work, or the declared time or memory of the operators and metrics the
    replayed cases run under."""

    name: str
    unit: str
    measure: Callable[[Work], float]
    ratio: Callable[[GateConfig], float]
    floor: Callable[[GateConfig], float]

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        model = report.cost_model
        return _increase(
            self.name,
            self.measure(model.baseline),
            self.measure(model.proposal),
            ratio=self.ratio(config),
            floor=self.floor(config),
            unit=self.unit,
        )


WORK_COST = CostIncrease(
    "work_increase",
    "events scanned",
    measure=lambda work: work.events_scanned,
    ratio=lambda config: config.max_time_increase,
    floor=lambda config: config.work_floor_events,
)
DECLARED_TIME = CostIncrease(
    "declared_time_increase",
    "ms",
    measure=lambda work: work.declared_time_ms,
    ratio=lambda config: config.max_time_increase,
    floor=lambda config: config.time_floor_ms,
)
DECLARED_MEMORY = CostIncrease(
    "declared_memory_increase",
    "KB",
    measure=lambda work: work.declared_memory_kb,
    ratio=lambda config: config.max_memory_increase,
    floor=lambda config: config.memory_floor_kb,
)


@dataclass(frozen=True)
class Stable:
    """Every replay gave the same outcomes."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        stable = report.stabilization
        value = f"{stable.runs} runs, {stable.distinct_outcomes} distinct outcome(s)"
        return Criterion("stabilization", value, "1 distinct outcome", stable.identical)


@dataclass(frozen=True)
class ObjectiveImproves:
    """The learner's objective must improve (a revert to preset defaults only reports it).

    An objective already at its maximum cannot rise: there it must only not fall (003).
    """

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        found = report.evidence
        limit = config.min_objective_delta
        if not isinstance(found, Objective):
            return Criterion("objective_delta", "no objective measured", f"> {limit}", False)
        if not found.required:
            return Criterion(
                "objective_delta", found.delta, "reported, not required (revert to defaults)", True
            )
        top = found.maximum
        if top is not None and found.before >= top - _AT_MAXIMUM:
            limit_ = f">= 0 (already at its maximum {top})"
            return Criterion("objective_delta", found.delta, limit_, found.delta >= 0)
        return Criterion("objective_delta", found.delta, f"> {limit}", found.delta > limit)


@dataclass(frozen=True)
class HitRateNotLower:
    """The objective's hit rate must not fall (unless the objective is only reported)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        found = report.evidence
        if not isinstance(found, Objective):
            return Criterion("hit_rate_not_lower", "no objective measured", ">= before", False)
        value = f"{found.hit_rate_before:.3f} -> {found.hit_rate_after:.3f}"
        if not found.required:
            return Criterion("hit_rate_not_lower", value, "reported, not required", True)
        passed = found.hit_rate_after >= found.hit_rate_before
        return Criterion("hit_rate_not_lower", value, ">= before", passed)


@dataclass(frozen=True)
class MatchesRecomputation:
    """A learner whose change is a recomputation (karma, skills): the diff must equal it."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        found = report.evidence
        if not isinstance(found, Consistency):
            return Criterion(
                "matches_recomputation", "nothing recomputed", "a recomputation", False
            )
        value = "matches" if found.matches else f"differs: {found.difference}"
        return Criterion("matches_recomputation", value, f"equal to {found.rule}", found.matches)


@dataclass(frozen=True)
class SeedStability:
    """Under a stochastic evaluator the replayed pass rate must hold across seeds (004)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        limit = f">= {config.min_stability}"
        found = report.seeds
        if found is None:
            return Criterion("stability", "not replayed under seeds", limit, False)
        if not found.stochastic:
            return Criterion("stability", "deterministic evaluators: one seed", limit, True)
        spread = found.proposal
        seeds = ", ".join(str(s) for s in found.seeds)
        value = (
            f"{spread.stability:.3f} over seeds {seeds} "
            f"(pass rate mean {spread.mean:.3f}, std {spread.std:.3f})"
        )
        return Criterion("stability", value, limit, spread.stability >= config.min_stability)


@dataclass(frozen=True)
class CrlNotHigher:
    """The composite run loss may rise by at most `gate.max_crl_delta` (0: crl_not_higher)."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        limit = config.max_crl_delta if config.max_crl_delta is not None else 0.0
        found = report.crl
        if found is None or found.delta is None:
            problem = found.problem if found is not None else "no composite run loss measured"
            return Criterion("crl_delta", f"cannot compute: {problem}", f"<= {limit:g}", False)
        return Criterion("crl_delta", found.delta, f"<= {limit:g}", found.delta <= limit)


def configured(rules: AllOf, config: GateConfig) -> AllOf:
    """A learner's rules plus the ones the configuration adds for every learner (CRL)."""
    if config.max_crl_delta is None:
        return rules
    return AllOf(*rules.rules, CrlNotHigher())


@dataclass(frozen=True)
class AccuracyGain:
    """A trainer's held-out accuracy rises by at least its configured delta."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        found = report.evidence
        if not isinstance(found, Training):
            return Criterion("held_out_accuracy_delta", "nothing trained", "a training", False)
        value = f"{found.before:.4f} -> {found.after:.4f} ({found.delta:+.4f})"
        passed = found.delta >= found.min_delta - 1e-9
        return Criterion("held_out_accuracy_delta", value, f">= +{found.min_delta}", passed)


@dataclass(frozen=True)
class RefitMatches:
    """A trainer's diff equals the thresholds refitted on the base branch's labels."""

    def check(self, report: SandboxReport, config: GateConfig) -> Criterion:
        found = report.evidence
        if not isinstance(found, Training):
            return Criterion("matches_refit", "nothing trained", "a training", False)
        value = "matches" if found.matches else f"differs: {found.difference}"
        return Criterion("matches_refit", value, "equal to the refit on the base", found.matches)


# What every change is judged by, whatever learned it: nothing protected or passing breaks,
# costs stay bounded, replays agree.
SAFETY: tuple[Rule, ...] = (
    Protected(),
    NewFailures(),
    WORK_COST,
    DECLARED_TIME,
    DECLARED_MEMORY,
    Stable(),
    SeedStability(),
)
