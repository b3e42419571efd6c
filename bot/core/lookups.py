"""Parameter values, active registrations and condition shapes, looked up once per batch.

A batch asks the same questions for thousands of conditions that share a few parameters,
policies and terms: each answer is computed once and then read from a dict.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bot.core.params import Params
from bot.core.partition import Selection
from bot.model import Condition, policy_of

_HOUR = 3600.0


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
        key = ("exclude", policies)
        if key not in self._memo:
            active = self.params.active(policies, "operators")
            self._memo[key] = any(r.kind == "exclude_synthetic" for _, r in active)
        return bool(self._memo[key])

    def aliases(self, policy: str, term: str) -> tuple[str, ...]:
        """The aliases of a term that the policy's active `alias_terms` operators add."""
        key = ("aliases", policy)
        table: dict[str, tuple[str, ...]] | None = self._memo.get(key)
        if table is None:
            merged: dict[str, set[str]] = {}
            for _, registration in self.params.active((policy,), "operators"):
                if registration.kind == "alias_terms":
                    for name, aliases in registration.config.get("aliases", {}).items():
                        merged.setdefault(name, set()).update(aliases)
            table = self._memo[key] = {n: tuple(sorted(a)) for n, a in merged.items()}
        return table.get(term, ())

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

    def shape(self, condition: Condition) -> Hashable:
        """What decides how a condition is measured: conditions of one shape share a pass."""
        kind = condition.kind
        if kind == "aggregate":
            return ("aggregate", condition.field, condition.fn)
        key = (kind, condition.threshold, condition.fn, condition.weights)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._shape(condition)
        return found

    def _shape(self, condition: Condition) -> Hashable:
        if condition.kind == "count":
            return ("count", self.metric(condition.policy))
        weights = tuple((d, self.value(ref)) for d, ref in condition.weights)
        return ("weighted_score", condition.fn or "last", weights)

    def selection(self, condition: Condition, exclude_synthetic: bool) -> Selection:
        """The events a condition can select: its match, its term's active aliases."""
        match = condition.match
        terms = None
        if match.term is not None:
            key = ("terms", condition.threshold, match.term)
            terms = self._memo.get(key)
            if terms is None:
                aliases = self.aliases(policy_of(condition.threshold), match.term)
                terms = self._memo[key] = (match.term, *aliases)
        return Selection(match.kind, terms, match.source, match.text_contains, exclude_synthetic)
