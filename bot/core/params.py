"""Policies as the evaluator sees them, and changes applied to them in memory."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from bot.model import Case, Parameter, Policy, Registration, policy_of
from bot.model.proposal import Change

_DIGITS = 9
_GRID_TOLERANCE = 1e-6
MAX_GRID_STEPS = 1_000_000  # a step is at least 1e-6 of the range (#18)


@dataclass(frozen=True)
class Params:
    """Read access to parameter values and active registrations across all policies."""

    policies: Mapping[str, Policy]

    def value(self, ref: str) -> float:
        """The value of `policy.parameter` (the store has checked that it exists)."""
        return float(self.parameter(ref).value)

    def parameter(self, ref: str) -> Parameter:
        policy, name = ref.split(".", 1)
        return self.policies[policy].parameters[name]

    def active(self, policies: Iterable[str], type_: str) -> tuple[tuple[str, Registration], ...]:
        """Switched-on registrations of `type_` in the named policies, as (policy, registration)."""
        return tuple(
            (name, registration)
            for name in sorted(set(policies))
            if name in self.policies
            for registration in self.policies[name].active(type_)
        )

    def inactive(self, policies: Iterable[str]) -> tuple[tuple[str, Registration], ...]:
        """Registered but switched-off operators and metrics, as (policy, registration)."""
        return tuple(
            (name, registration)
            for name in policies
            for registration in self.policies[name].registrations.values()
            if not registration.active
        )

    def policy_wide(self) -> frozenset[str]:
        """Parameters a registration reads (a decay's tau): they reach every case of the policy."""
        return frozenset(
            f"{name}.{registration.config['tau']}"
            for name, policy in self.policies.items()
            for registration in policy.registrations.values()
            if "tau" in registration.config
        )

    def readers(self, ref: str, cases: Iterable[Case]) -> tuple[str, ...]:
        """Every case a change of `ref` can affect: its direct readers, or the whole policy."""
        policy = policy_of(ref)
        wide = ref in self.policy_wide()
        return tuple(
            sorted(c.id for c in cases if ref in c.refs() or (wide and policy in c.policies()))
        )

    def apply(self, changes: Iterable[Change]) -> Params:
        """A new view with `changes` applied; the original is untouched."""
        policies = dict(self.policies)
        for change in changes:
            policies[change.policy] = apply_change(policies[change.policy], change)
        return Params(policies)


@dataclass(frozen=True)
class Readers:
    """Which cases read each parameter and each policy, and which are protected.

    Built once per run: scanning every case for every candidate made a run quadratic in its
    failing cases (#17).
    """

    by_ref: Mapping[str, tuple[str, ...]]
    by_policy: Mapping[str, tuple[str, ...]]
    protected: tuple[str, ...]

    @classmethod
    def of(cls, cases: Iterable[Case]) -> Readers:
        by_ref: dict[str, list[str]] = {}
        by_policy: dict[str, list[str]] = {}
        protected = []
        for case in sorted(cases, key=lambda c: c.id):
            for ref in case.refs():
                by_ref.setdefault(ref, []).append(case.id)
            for policy in case.policies():
                by_policy.setdefault(policy, []).append(case.id)
            if case.protected:
                protected.append(case.id)
        return cls(
            {k: tuple(v) for k, v in by_ref.items()},
            {k: tuple(v) for k, v in by_policy.items()},
            tuple(protected),
        )

    def of_ref(self, ref: str, params: Params) -> tuple[str, ...]:
        """Every case a change of `ref` can affect: its direct readers, or the whole policy."""
        if ref in params.policy_wide():
            return tuple(sorted({*self.by_ref.get(ref, ()), *self.of_policy(policy_of(ref))}))
        return self.by_ref.get(ref, ())

    def of_policy(self, policy: str) -> tuple[str, ...]:
        """Every case whose operators and metrics come from `policy`."""
        return self.by_policy.get(policy, ())


def apply_change(policy: Policy, change: Change) -> Policy:
    """`policy` with one change applied (values are not re-validated here; the gate does that)."""
    kind, _, name = change.target.partition(".")
    if kind == "parameters":
        parameter = policy.parameters[name]
        value = change.new
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"{change.key}: a parameter needs a number, not {value!r}")
        new = {**policy.parameters, name: replace(parameter, value=value)}
        return replace(policy, parameters=new)
    if kind in ("operators", "metrics"):
        key = f"{kind}.{name}"
        registration = replace(policy.registrations[key], active=bool(change.new))
        return replace(policy, registrations={**policy.registrations, key: registration})
    if change.target == "as_of":
        return replace(policy, as_of=str(change.new))
    if kind == "candidate":  # a candidate's stage and traffic share are not what cases replay
        return policy
    raise ValueError(f"unknown change target {change.target!r}")


def on_grid(value: float, parameter: Parameter) -> float:
    """Round `value` to the parameter's step grid (min + k * step), keeping ints ints."""
    steps = round((value - parameter.minimum) / parameter.step)
    snapped = round(parameter.minimum + steps * parameter.step, _DIGITS)
    return _like(snapped, parameter)


def grid_floor(value: float, parameter: Parameter) -> float:
    """The largest grid value <= `value`."""
    steps = math.floor(round((value - parameter.minimum) / parameter.step, _DIGITS))
    return _like(round(parameter.minimum + steps * parameter.step, _DIGITS), parameter)


def grid_ceil(value: float, parameter: Parameter) -> float:
    """The smallest grid value >= `value`."""
    steps = math.ceil(round((value - parameter.minimum) / parameter.step, _DIGITS))
    return _like(round(parameter.minimum + steps * parameter.step, _DIGITS), parameter)


def grid_problem(minimum: float, maximum: float, step: float) -> str:
    """Why bounds and step make no usable grid ('' when they do): a step of at least 1e-6 of
    the range (so at most MAX_GRID_STEPS steps) and at least 1e-9 (values are rounded to 9
    digits), so every search ends (#18)."""
    if not math.isfinite(maximum - minimum):
        return f"the range [{minimum}, {maximum}] is too wide"
    if step < 10**-_DIGITS:
        return f"step {step} is below 1e-{_DIGITS} (values are rounded to {_DIGITS} digits)"
    if (maximum - minimum) / step > MAX_GRID_STEPS:
        return (
            f"step {step} is below 1e-6 of the range [{minimum}, {maximum}] (more than "
            f"{MAX_GRID_STEPS:,} steps): use at least {(maximum - minimum) / MAX_GRID_STEPS:.3g}"
        )
    return ""


def grid_move(parameter: Parameter, steps: int) -> float | None:
    """The grid value `steps` grid steps from the parameter's value (None outside the bounds).

    Counted in integer grid indexes, never by adding floats until they stop moving (#18).
    """
    index = round((parameter.value - parameter.minimum) / parameter.step) + steps
    last = math.floor(round((parameter.maximum - parameter.minimum) / parameter.step, _DIGITS))
    if not 0 <= index <= last or steps == 0:
        return None
    return _like(round(parameter.minimum + index * parameter.step, _DIGITS), parameter)


def bound_problem(value: float, minimum: float, maximum: float, step: float) -> str:
    """Why `value` breaks bounds or the step grid ('' when it does not)."""
    if broken := grid_problem(minimum, maximum, step):
        return broken
    if not minimum <= value <= maximum:
        return f"{value} is outside the bounds [{minimum}, {maximum}]"
    steps = (value - minimum) / step
    if abs(steps - round(steps)) > _GRID_TOLERANCE:
        return f"{value} is not on the step grid {minimum} + k * {step}"
    return ""


def within(value: float, parameter: Parameter) -> bool:
    """Whether `value` respects the parameter's bounds."""
    return parameter.minimum <= value <= parameter.maximum


def _like(value: float, parameter: Parameter) -> float:
    integral = all(isinstance(x, int) for x in (parameter.minimum, parameter.step))
    return int(value) if integral and float(value).is_integer() else value
