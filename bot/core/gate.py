"""The promotion gate (000, component 4): every criterion with its value, limit and verdict.

A decision is a value: `Verdict(allowed, criteria)`. Criteria compose with `all_of`, which
fails closed when it has nothing to check. An exception means "could not decide".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.model import GateConfig


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


Rule = Callable[[Mapping[str, Any], GateConfig], Criterion]


def all_of(rules: Sequence[Rule], report: Mapping[str, Any], config: GateConfig) -> Verdict:
    """Every rule must pass; an empty list fails closed."""
    criteria = tuple(rule(report, config) for rule in rules)
    return Verdict(bool(criteria) and all(c.passed for c in criteria), criteria)


def pass_rate(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    delta = report["delta"]["pass_rate_delta"]
    return Criterion(
        "pass_rate_delta",
        delta,
        f">= {config.min_pass_rate_delta}",
        delta >= config.min_pass_rate_delta,
    )


def fixed_case(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    fixed = len(report["delta"]["fixed_cases"])
    needed = 1 if config.require_fixed_case else 0
    return Criterion("failed_cases_now_passing", fixed, f">= {needed}", fixed >= needed)


def source_fixed(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    """A proposal made for a failure must fix that failure, not only others."""
    source = report.get("source_case")
    if source is None:
        return Criterion("source_case_fixed", "no source case", "none needed", True)
    fixed = source in report["delta"]["fixed_cases"]
    return Criterion(
        "source_case_fixed", source if fixed else f"{source} still fails", f"{source} passes", fixed
    )


def protected(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    broken = len(report["delta"]["protected_regressions"])
    limit = config.max_protected_regressions
    return Criterion("protected_regressions", broken, f"<= {limit}", broken <= limit)


def new_failures(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    broken = report["delta"]["regression_count"]
    limit = config.max_new_failures
    return Criterion("passing_cases_now_failing", broken, f"<= {limit}", broken <= limit)


def _increase(
    name: str, before: float, after: float, *, ratio: float, floor: float, unit: str
) -> Criterion:
    delta = after - before
    allowed = max(before * ratio, floor)
    relative = delta / before if before > 0 else 0.0
    value = f"{delta:+.3f} {unit} ({relative:+.1%})"
    return Criterion(
        name, value, f"<= +{ratio:.0%} (or +{floor:g} {unit} of noise)", delta <= allowed
    )


def time_cost(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    cost = report["cost_delta"]
    return _increase(
        "time_increase",
        cost["baseline_time_ms"],
        cost["proposal_time_ms"],
        ratio=config.max_time_increase,
        floor=config.time_floor_ms,
        unit="ms",
    )


def memory_cost(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    cost = report["cost_delta"]
    return _increase(
        "memory_increase",
        cost["baseline_memory_kb"],
        cost["proposal_memory_kb"],
        ratio=config.max_memory_increase,
        floor=config.memory_floor_kb,
        unit="KB",
    )


def stabilization(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    stable = report["stabilization"]
    value = f"{stable['runs']} runs, {stable['distinct_outcomes']} distinct outcome(s)"
    return Criterion("stabilization", value, "1 distinct outcome", bool(stable["identical"]))


def objective(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    """The learner's objective must improve (a revert to preset defaults only reports it)."""
    found = report["objective"]
    delta = found["delta"]
    if found.get("required", True) is False:
        return Criterion(
            "objective_delta", delta, "reported, not required (revert to defaults)", True
        )
    limit = config.min_objective_delta
    return Criterion("objective_delta", delta, f"> {limit}", delta > limit)


def hit_rate(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    found = report["objective"]
    before, after = found.get("hit_rate_before", 0.0), found.get("hit_rate_after", 0.0)
    if found.get("required", True) is False:
        return Criterion(
            "hit_rate_not_lower", f"{before:.3f} -> {after:.3f}", "reported, not required", True
        )
    return Criterion(
        "hit_rate_not_lower", f"{before:.3f} -> {after:.3f}", ">= before", after >= before
    )


def consistency(report: Mapping[str, Any], config: GateConfig) -> Criterion:
    """A learner whose change is a recomputation (karma, skills): the diff must equal it."""
    found = report["consistency"]
    value = "matches" if found["matches"] else f"differs: {found['difference']}"
    return Criterion(
        "matches_recomputation", value, f"equal to {found['rule']}", bool(found["matches"])
    )


CASE_RULES: tuple[Rule, ...] = (
    pass_rate,
    fixed_case,
    source_fixed,
    protected,
    new_failures,
    time_cost,
    memory_cost,
    stabilization,
)
OBJECTIVE_RULES: tuple[Rule, ...] = (
    objective,
    hit_rate,
    protected,
    new_failures,
    time_cost,
    memory_cost,
    stabilization,
)
CONSISTENCY_RULES: tuple[Rule, ...] = (
    consistency,
    protected,
    new_failures,
    time_cost,
    memory_cost,
    stabilization,
)


def decide(report: Mapping[str, Any], config: GateConfig) -> Verdict:
    """The rules for a report: a learner's objective, a recomputation, or the case replay."""
    if "objective" in report:
        return all_of(OBJECTIVE_RULES, report, config)
    if "consistency" in report:
        return all_of(CONSISTENCY_RULES, report, config)
    return all_of(CASE_RULES, report, config)
