"""The backtest learner (000, component 2): from one failure analysis, candidates by rule.

Rules, each producing at most one candidate per parameter it touches:
1. a condition on the wrong side -> threshold adjustment: the smallest change on the step
   grid that puts it on the right side (dropped when that crosses a bound);
2. too few signals, or matching events just before the window -> window extension: the
   shortest window on the grid that makes the case pass;
3. an integrity limit exceeded -> enable a registered `exclude_synthetic` operator;
4. a time-decayed count short of its threshold -> the smallest tau on the grid that makes
   the case pass;
5. any other registered but inactive operator or metric of the case's policies -> enable
   it, with a draft manifest (id, kind, expected cost, expected delta).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.analyze import FailureAnalysis
from bot.core.conditions import compare
from bot.core.evaluate import HIT, evaluate
from bot.core.gate import SAFETY, AllOf, FixedCase, PassRate, SourceFixed
from bot.core.learners import (
    Candidate,
    Candidates,
    Context,
    Dropped,
    Input,
    Measure,
    Section,
    Skip,
)
from bot.core.params import (
    Change,
    Params,
    grid_ceil,
    grid_floor,
    grid_values_above,
    on_grid,
    within,
)
from bot.core.snapshot import Snapshot
from bot.model import Case, Config, Parameter, Registration, policy_of


@dataclass(frozen=True)
class CaseContext:
    """What the rules may look at besides the analysis."""

    case: Case
    params: Params
    snapshot: Snapshot
    cases: Mapping[str, Case]


def candidates(
    failure: FailureAnalysis, context: CaseContext
) -> tuple[tuple[Candidate, ...], tuple[Dropped, ...]]:
    """Every candidate the rules give for `failure`, and the ones dropped by bounds."""
    found: list[Candidate | Dropped] = []
    found.extend(_thresholds(failure, context))
    if "extend_window" in _kinds(failure):
        found.append(_search("window_extension", context.case.window_days, context))
    if "enable_integrity_filter" in _kinds(failure):
        found.extend(_integrity_filters(context))
    for suggestion in failure.suggested_adjustments:
        if suggestion.startswith("adjust_tau:"):
            found.append(_search("tau_adjustment", suggestion.split(":", 1)[1], context))
    found.extend(_registrations(failure, context))
    kept = tuple(c for c in found if isinstance(c, Candidate))
    unique = tuple({c.identity(): c for c in kept}.values())
    return unique, tuple(d for d in found if isinstance(d, Dropped))


def _kinds(failure: FailureAnalysis) -> set[str]:
    return {s.split(":", 1)[0] for s in failure.suggested_adjustments}


def _thresholds(failure: FailureAnalysis, context: CaseContext) -> Iterable[Candidate | Dropped]:
    flip_to_met = context.case.expect == "fire"
    for condition in failure.unmet_triggers:
        yield _threshold(condition, context, make_met=flip_to_met)
    for condition in failure.hit_falsifiers:
        yield _threshold(condition, context, make_met=False)


def _threshold(
    condition: Mapping[str, Any], context: CaseContext, *, make_met: bool
) -> Candidate | Dropped:
    ref, actual = condition["parameter"], condition["actual"]
    op = condition["expected"].split(" ", 1)[0]
    parameter = context.params.parameter(ref)
    label = f"threshold_adjustment of {ref}"
    if actual is None:
        return Dropped(label, "nothing was measured, so no threshold can change the outcome")
    new = _flip(actual, op, parameter, make_met=make_met)
    if not within(new, parameter):
        return Dropped(
            label, f"needs {new}, outside the bounds [{parameter.minimum}, {parameter.maximum}]"
        )
    change = Change(policy_of(ref), f"parameters.{parameter.name}", parameter.value, new)
    verb = "Relax" if make_met else "Tighten"
    return Candidate(
        "threshold_adjustment",
        (change,),
        f"{verb} {ref} from {parameter.value} to {new}: {condition['name']} measured {actual:.6g}.",
        impact=context.params.readers(ref, context.cases.values()),
    )


def _flip(actual: float, op: str, parameter: Parameter, *, make_met: bool) -> float:
    """The grid value nearest `actual` on the side that makes `actual op value` == `make_met`."""
    down = (op in (">=", ">")) == make_met  # e.g. a >= condition becomes met by lowering
    new = grid_floor(actual, parameter) if down else grid_ceil(actual, parameter)
    if compare(actual, op, new) != make_met:  # on the grid exactly, and the comparison is strict
        new = on_grid(new - parameter.step if down else new + parameter.step, parameter)
    return new


def _search(proposal_type: str, ref: str, context: CaseContext) -> Candidate | Dropped:
    """The smallest grid increase of `ref` under which the case passes."""
    parameter = context.params.parameter(ref)
    policy = policy_of(ref)
    last = parameter.value
    for value in grid_values_above(parameter):  # ends after the last grid step (#18)
        last = value
        change = Change(policy, f"parameters.{parameter.name}", parameter.value, value)
        if evaluate(context.case, context.params.apply([change]), context.snapshot).status == HIT:
            what = "Extend the window" if proposal_type == "window_extension" else "Slow the decay"
            return Candidate(
                proposal_type,
                (change,),
                f"{what}: {ref} from {parameter.value} to {value}, the smallest step that passes.",
                impact=context.params.readers(ref, context.cases.values()),
            )
    cut = "" if on_grid(last + parameter.step, parameter) > parameter.maximum else " (step limit)"
    return Dropped(f"{proposal_type} of {ref}", f"no value up to {last}{cut} makes the case pass")


def _integrity_filters(context: CaseContext) -> Iterable[Candidate | Dropped]:
    found = [
        (policy, registration)
        for policy, registration in context.params.inactive(context.case.policies())
        if registration.kind == "exclude_synthetic"
    ]
    if not found:
        yield Dropped("integrity_filter", "no registered exclude_synthetic operator to enable")
    for policy, registration in found:
        yield _enable("integrity_filter", policy, registration, context)


def _registrations(failure: FailureAnalysis, context: CaseContext) -> Iterable[Candidate]:
    for policy, registration in context.params.inactive(context.case.policies()):
        if registration.kind == "exclude_synthetic" and "enable_integrity_filter" in _kinds(
            failure
        ):
            continue
        type_ = "new_operator" if registration.type_ == "operators" else "new_metric"
        yield _enable(type_, policy, registration, context)


def _enable(
    proposal_type: str, policy: str, registration: Registration, context: CaseContext
) -> Candidate:
    target = f"{registration.type_}.{registration.name}"
    affected = tuple(sorted(c.id for c in context.cases.values() if policy in c.policies()))
    manifest = {
        "id": f"{policy}.{registration.name}",
        "kind": registration.kind,
        "type": registration.type_.rstrip("s"),
        "expected_cost": {
            "time_ms": registration.cost_time_ms,
            "memory_kb": registration.cost_memory_kb,
        },
        "expected_delta": {"fixes": [context.case.id], "affects": list(affected)},
    }
    return Candidate(
        proposal_type,
        (Change(policy, target, False, True),),
        f"Enable the registered {registration.kind} {registration.name!r} of {policy}: "
        f"{registration.description or 'no description'}",
        impact=affected,
        manifest=manifest,
    )


@dataclass(frozen=True)
class BacktestLearner:
    """One subject per failing case: candidates by rule, judged on the replay of the cases."""

    name: str = "backtest"
    inputs: tuple[Input, ...] = ()
    proposal_types: tuple[str, ...] = (
        "threshold_adjustment",
        "window_extension",
        "integrity_filter",
        "tau_adjustment",
        "new_operator",
        "new_metric",
    )

    def enabled(self, config: Config) -> bool:
        return config.learners.backtest.enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        return tuple(f.case_id for f in context.failures)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        failure = next((f for f in context.failures if f.case_id == subject), None)
        if failure is None:
            return Skip(f"{subject} does not fail", conclusive=True)
        case = context.cases[subject]
        snapshot = context.snapshots[case.snapshot_sha256]
        found, dropped = candidates(
            failure, CaseContext(case, context.params, snapshot, context.cases)
        )
        return Candidates(failure.failure_id, found, dropped, source_case=case.id)

    def rules(self) -> AllOf:
        return AllOf(PassRate(), FixedCase(), SourceFixed(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure | None:
        return None

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = BacktestLearner()
