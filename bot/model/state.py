"""Learned state as frozen values: policies, their parameters and registrations, cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.model.rollout import Rollout

POLICY_KINDS = ("thresholds", "weights", "karma", "judges")
TRIGGER_KINDS = ("count", "aggregate", "weighted_score")
AGGREGATE_FNS = ("sum", "mean", "max", "min", "last")
OPERATORS = (">=", ">", "<=", "<")
OPERATOR_KINDS = ("exclude_synthetic", "alias_terms")
METRIC_KINDS = ("time_decay", "distinct_sources")
INTEGRITY_LIMITS = ("max_synthetic_share",)


def parse_time(text: str) -> int:
    """ISO-8601 UTC timestamp ('2025-12-20T00:00:00Z') -> epoch seconds."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no timezone; use a trailing Z")
    return int(moment.timestamp())


def format_time(epoch: int) -> str:
    """Epoch seconds -> canonical ISO-8601 UTC with a trailing Z."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def policy_of(ref: str) -> str:
    """The policy a `policy.parameter` reference names."""
    return ref.split(".", 1)[0]


@dataclass(frozen=True)
class Parameter:
    """One learnable number with the bounds that limit every proposal."""

    name: str
    value: float
    minimum: float
    maximum: float
    step: float
    description: str = ""

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> Parameter:
        return cls(
            name=name,
            value=data["value"],
            minimum=data["min"],
            maximum=data["max"],
            step=data["step"],
            description=data.get("description", ""),
        )


@dataclass(frozen=True)
class Registration:
    """A registered operator or metric that a proposal may switch on."""

    name: str
    type_: str  # "operators" | "metrics"
    kind: str
    active: bool
    config: Mapping[str, Any] = field(default_factory=dict)
    cost_time_ms: float = 0.0
    cost_memory_kb: float = 0.0
    description: str = ""

    @classmethod
    def from_dict(cls, type_: str, name: str, data: Mapping[str, Any]) -> Registration:
        cost = data.get("cost", {})
        return cls(
            name=name,
            type_=type_,
            kind=data["kind"],
            active=data["active"],
            config=dict(data.get("config", {})),
            cost_time_ms=cost.get("time_ms", 0.0),
            cost_memory_kb=cost.get("memory_kb", 0.0),
            description=data.get("description", ""),
        )


@dataclass(frozen=True)
class Policy:
    """A named, versioned parameter set: the only thing proposals change."""

    name: str
    path: str
    version: int
    kind: str = "thresholds"
    description: str = ""
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    defaults: Mapping[str, float] = field(default_factory=dict)
    registrations: Mapping[str, Registration] = field(default_factory=dict)
    as_of: str | None = None
    candidate: Rollout | None = None

    @classmethod
    def from_dict(cls, path: str, data: Mapping[str, Any]) -> Policy:
        registrations = {
            f"{type_}.{name}": Registration.from_dict(type_, name, entry)
            for type_ in ("operators", "metrics")
            for name, entry in sorted(data.get(type_, {}).items())
        }
        return cls(
            name=data["name"],
            path=path,
            version=data["version"],
            kind=data.get("kind", "thresholds"),
            description=data.get("description", ""),
            parameters={
                name: Parameter.from_dict(name, entry)
                for name, entry in sorted(data.get("parameters", {}).items())
            },
            defaults=dict(sorted(data.get("defaults", {}).items())),
            registrations=registrations,
            as_of=data.get("as_of"),
            candidate=Rollout.from_dict(data["candidate"]) if "candidate" in data else None,
        )

    def values(self) -> dict[str, float]:
        """Every parameter's value by name (the weights of a weights policy, karma of karma)."""
        return {name: float(p.value) for name, p in self.parameters.items()}

    def active(self, type_: str) -> tuple[Registration, ...]:
        """The switched-on registrations of one type, in name order."""
        return tuple(r for r in self.registrations.values() if r.type_ == type_ and r.active)


@dataclass(frozen=True)
class Match:
    """Which events a condition looks at; None matches anything.

    `text_contains`: a phrase found in the event's free text, case-insensitively and on word
    boundaries (000's free-text terms).
    """

    kind: str | None = None
    term: str | None = None
    source: str | None = None
    text_contains: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Match:
        data = data or {}
        return cls(
            kind=data.get("kind"),
            term=data.get("term"),
            source=data.get("source"),
            text_contains=data.get("text_contains"),
        )


@dataclass(frozen=True)
class Condition:
    """A trigger or falsifier: a measured value compared with a policy parameter."""

    name: str
    kind: str
    op: str
    threshold: str
    match: Match = Match()
    field: str | None = None
    fn: str | None = None
    weights: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, role: str, index: int, data: Mapping[str, Any]) -> Condition:
        return cls(
            name=data.get("name", f"{role}[{index}]"),
            kind=data["kind"],
            op=data.get("op", ">="),
            threshold=data["threshold"],
            match=Match.from_dict(data.get("match")),
            field=data.get("field"),
            fn=data.get("fn", "last" if data["kind"] == "weighted_score" else None),
            weights=tuple(sorted(data.get("weights", {}).items())),
        )

    @property
    def policy(self) -> str:
        """The policy of the threshold: its active operators and metrics apply."""
        return policy_of(self.threshold)

    def refs(self) -> tuple[str, ...]:
        """Every policy parameter this condition reads."""
        return (self.threshold, *(ref for _, ref in self.weights))


@dataclass(frozen=True)
class Case:
    """A backtest case: what happened in history and what the system should have said."""

    id: str
    path: str
    snapshot_path: str
    snapshot_sha256: str
    window_end: int
    window_days: str
    expect: str = "fire"
    triggers: tuple[Condition, ...] = ()
    falsifiers: tuple[Condition, ...] = ()
    min_signals: int = 0
    signals: Match = Match()
    integrity: Mapping[str, float] = field(default_factory=dict)
    protected: bool = False
    gold: bool = False
    evaluator: str | None = None
    description: str = ""
    family: str = ""

    @classmethod
    def from_dict(cls, path: str, data: Mapping[str, Any]) -> Case:
        window = data["window"]
        return cls(
            id=data["id"],
            path=path,
            snapshot_path=data["snapshot"]["path"],
            snapshot_sha256=data["snapshot"]["sha256"],
            window_end=parse_time(window["end"]),
            window_days=window["days"],
            expect=data.get("expect", "fire"),
            triggers=_conditions("trigger", data.get("triggers", ())),
            falsifiers=_conditions("falsifier", data.get("falsifiers", ())),
            min_signals=data.get("min_signals", 0),
            signals=Match.from_dict(data.get("signals")),
            integrity=dict(sorted(data.get("integrity", {}).items())),
            protected=data.get("protected", False),
            gold=data.get("gold", False),
            evaluator=data.get("evaluator"),
            description=data.get("description", ""),
            family=data.get("family", ""),
        )

    def refs(self) -> tuple[str, ...]:
        """Every policy parameter this case reads, sorted and unique."""
        return self._refs

    def policies(self) -> tuple[str, ...]:
        """The policies whose operators and metrics apply to this case."""
        return self._policies

    @cached_property
    def _refs(self) -> tuple[str, ...]:  # a case is immutable: read once per replay is enough
        found = {self.window_days}
        for condition in (*self.triggers, *self.falsifiers):
            found.update(condition.refs())
        return tuple(sorted(found))

    @cached_property
    def _policies(self) -> tuple[str, ...]:
        return tuple(sorted({policy_of(ref) for ref in self.refs()}))


def _conditions(role: str, items: Sequence[Mapping[str, Any]]) -> tuple[Condition, ...]:
    return tuple(Condition.from_dict(role, i, item) for i, item in enumerate(items))


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one state file: where it is and what to do."""

    path: str
    line: int
    pointer: str
    message: str

    def __str__(self) -> str:
        where = f" {self.pointer}:" if self.pointer else ""
        return f"{self.path}:{self.line}:{where} {self.message}"
