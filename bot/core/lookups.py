"""Parameter values, active registrations and condition shapes, looked up once per batch.

A batch asks the same questions for thousands of conditions that share a few parameters,
policies and terms: each answer is computed once and then read from a dict.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bot.core.params import Params
from bot.model import policy_of

_HOUR = 3600.0
Weights = tuple[tuple[str, str], ...]


class Lookups:
    """Parameter values and active registrations, looked up once per batch."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self._values: dict[str, float] = {}
        self._memo: dict[Hashable, Any] = {}

    def value(self, ref: str) -> float:
        found = self._values.get(ref)
        if found is None:
            found = self._values[ref] = float(self.params.value(ref))
        return found

    def excludes_synthetic(self, policies: tuple[str, ...]) -> bool:
        """Whether an `exclude_synthetic` operator is active in one of these policies."""
        active = self.params.active(policies, "operators")
        return any(r.kind == "exclude_synthetic" for _, r in active)

    def alias_table(self, policy: str) -> dict[str, tuple[str, ...]]:
        """Every term the policy's active `alias_terms` operators widen, with its aliases."""
        merged: dict[str, set[str]] = {}
        for _, registration in self.params.active((policy,), "operators"):
            if registration.kind == "alias_terms":
                for name, aliases in registration.config.get("aliases", {}).items():
                    merged.setdefault(name, set()).update(aliases)
        return {name: tuple(sorted(aliases)) for name, aliases in merged.items()}

    def metric(self, policy: str) -> tuple[str, float] | None:
        """The count metric of a policy: distinct sources first, then a time decay's tau."""
        key = ("metric", policy)
        if key not in self._memo:
            metrics = {r.kind: (p, r) for p, r in self.params.active((policy,), "metrics")}
            found: tuple[str, float] | None = None
            if "distinct_sources" in metrics:
                found = ("distinct_sources", 0.0)
            elif "time_decay" in metrics:
                owner, registration = metrics["time_decay"]
                tau = self.value(f"{owner}.{registration.config['tau']}") * _HOUR
                found = ("time_decay", tau)
            self._memo[key] = found
        metric: tuple[str, float] | None = self._memo[key]
        return metric

    def shape(
        self, kind: str, ref: str, field: str | None, fn: str | None, weights: Weights
    ) -> Hashable:
        """What decides how a condition is measured: conditions of one shape share a pass."""
        if kind == "count":
            return ("count", self.metric(policy_of(ref)))
        if kind == "aggregate":
            return ("aggregate", field, fn)
        return ("weighted_score", fn or "last", tuple((d, self.value(r)) for d, r in weights))
