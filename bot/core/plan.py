"""A batch of cases compiled once per snapshot: their columns, whatever the parameters.

Replays evaluate the same cases under many parameter sets. What does not depend on the
parameters (windows' ends, conditions, which parameter each reads, what each selects) is
read from the cases once and kept as columns of codes; a replay looks up the parameters
once per distinct code and spreads the answers with numpy, without visiting cases.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.partition import Ints, Selection
from bot.model import Case, Condition, policy_of
from bot.model.snapshot import UNKNOWN, Snapshot

ANY = -1  # a match without a kind filter

Bools = npt.NDArray[np.bool_]
_KEPT = 8  # plans kept per snapshot: a replay's baseline and proposal, a few candidates'


@dataclass(frozen=True)
class Coded:
    """Values by code: `values[codes[i]]` is item i's."""

    values: list[Any]
    codes: Ints

    @classmethod
    def of(cls, keys: Sequence[Hashable]) -> Coded:
        distinct = {key: index for index, key in enumerate(dict.fromkeys(keys))}
        codes = np.fromiter(map(distinct.__getitem__, keys), np.int64, len(keys))
        return cls(list(distinct), codes)

    def spread(self, table: Sequence[Any], dtype: Any) -> Any:
        """Each item's entry of `table` (one entry per distinct value)."""
        return np.array(table, dtype=dtype).reshape(-1)[self.codes]


MatchKey = tuple[str | None, str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Matches:
    """Distinct matches as (kind, term, source, text, policy), with their snapshot codes."""

    keys: Coded
    kinds: Ints  # per distinct match: its kind's code (ANY: no kind filter)
    terms: Ints  # its term's code (UNKNOWN: no event has it, or no term filter)
    simple: Bools  # one term, no source or text filter: a slot of a cached layout

    @classmethod
    def of(cls, snapshot: Snapshot, keys: Sequence[MatchKey]) -> Matches:
        coded = Coded.of(keys)
        kinds, terms = snapshot.kinds, snapshot.terms
        values: list[MatchKey] = coded.values
        return cls(
            coded,
            _ints([ANY if k[0] is None else kinds.get(k[0], UNKNOWN) for k in values]),
            _ints([UNKNOWN if k[1] is None else terms.get(k[1], UNKNOWN) for k in values]),
            np.array([k[1] is not None and k[2] is k[3] is None for k in values], dtype=bool),
        )


def _ints(values: list[int]) -> Ints:
    return np.array(values, dtype=np.int64).reshape(-1)


@dataclass(frozen=True)
class Plan:
    """Cases' columns (one row per case) and their conditions' (one row per condition)."""

    cases: tuple[Case, ...]
    ends: Ints
    fire: Bools
    minimum: Ints
    limits: npt.NDArray[np.float64]
    days: Coded  # window_days references
    policies: Coded  # the policies whose operators apply
    signals: Matches  # `signals` filters (no policy: aliases do not widen them)
    conditions: list[Condition]
    owner: Ints  # each condition's case
    first: Ints  # each case's first condition
    trigger: Bools
    upper: Bools  # op is > or >=
    refs: Coded  # thresholds
    shapes: Coded  # (kind, threshold, field, fn, weights)
    matches: Matches  # conditions' matches, with the policy of their threshold


def plan_of(snapshot: Snapshot, cases: Sequence[Case]) -> Plan:
    """The plan of these cases over this snapshot, compiled on first use and kept."""
    plans: dict[tuple[int, ...], Plan] = snapshot.memo.setdefault("plans", {})
    key = tuple(map(id, cases))
    found = plans.get(key)  # it holds the cases: their ids cannot be reused while it is kept
    if found is None:
        found = plans[key] = _compile(snapshot, cases)
        while len(plans) > _KEPT:
            del plans[next(iter(plans))]
    return found


def _compile(snapshot: Snapshot, cases: Sequence[Case]) -> Plan:
    triggers = np.array([len(c.triggers) for c in cases], dtype=np.int64)
    falsifiers = np.array([len(c.falsifiers) for c in cases], dtype=np.int64)
    conditions = [x for c in cases for part in (c.triggers, c.falsifiers) for x in part]
    per_case = triggers + falsifiers
    first = np.cumsum(per_case) - per_case
    owner = np.repeat(np.arange(len(cases), dtype=np.int64), per_case)
    within = np.arange(len(conditions), dtype=np.int64) - first[owner]
    matches = [
        (m.kind, m.term, m.source, m.text_contains, policy_of(c.threshold))
        for c in conditions
        for m in (c.match,)
    ]
    signals = [(m.kind, m.term, m.source, m.text_contains, None) for m in _signals(cases)]
    return Plan(
        cases=tuple(cases),
        ends=np.array([c.window_end for c in cases], dtype=np.int64),
        fire=np.array([c.expect == "fire" for c in cases], dtype=np.bool_),
        minimum=np.array([c.min_signals for c in cases], dtype=np.int64),
        limits=np.array(
            [c.integrity.get("max_synthetic_share", np.nan) for c in cases], dtype=np.float64
        ),
        days=Coded.of([c.window_days for c in cases]),
        policies=Coded.of([c.policies() for c in cases]),
        signals=Matches.of(snapshot, signals),
        conditions=conditions,
        owner=owner,
        first=first,
        trigger=within < triggers[owner],
        upper=np.array([c.op[0] == ">" for c in conditions], dtype=np.bool_),
        refs=Coded.of([c.threshold for c in conditions]),
        shapes=Coded.of([(c.kind, c.threshold, c.field, c.fn, c.weights) for c in conditions]),
        matches=Matches.of(snapshot, matches),
    )


def _signals(cases: Sequence[Case]) -> list[Any]:
    return [c.signals for c in cases]


def selection(key: MatchKey, aliases: tuple[str, ...], exclude_synthetic: bool) -> Selection:
    """The events a condition with this match can select."""
    kind, term, source, text, _ = key
    terms = None if term is None else (term, *aliases)
    return Selection(kind, terms, source, text, exclude_synthetic)
