"""A general, bounded search for the fix of one failing case (000, component 2).

1. Knobs: every learnable thing the case reads: each trigger and falsifier threshold, the
   window, the tau of an active decay metric, and every registered operator or metric of its
   policies that is switched off. (Weights of a weights policy move only together, through
   the weights learner, so they are not knobs here.)
2. Singles: for each knob, the smallest move on its grid (either way) under which the case,
   replayed alone, passes. Moves grow one grid step per round over all knobs, so the budget
   is shared and the smallest moves come first.
3. Pairs, only when no single knob does it: two knobs moved together, smallest total steps
   first.
4. Every replay counts against `max_replays`; the search stops when it is spent.
   A case with a stochastic evaluator is replayed under every configured seed, as the
   sandbox does, and passes only when it passes under each (each seed's replay counts).
5. Ranking: regressions on the cases the change reaches (passing before, not after), then
   the size of the change in grid steps, then its declared cost, then the fixed type order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import sandbox
from bot.core.learners import Candidate
from bot.core.params import Params, grid_move
from bot.model import Case, Registration, policy_of
from bot.model.proposal import Change

# what the search proposes, in the tie-break order among equally ranked candidates
TYPES = (
    "threshold_adjustment",
    "window_extension",
    "window_adjustment",
    "integrity_filter",
    "tau_adjustment",
    "new_operator",
    "new_metric",
    "combined_adjustment",
)


@dataclass(frozen=True)
class Knob:
    """One learnable thing a case reads: a number on its grid, or a registration switch."""

    kind: str  # "threshold", "window", "tau" or "switch"
    ref: str  # "policy.parameter", or "policy.operators.name" for a switch
    registration: Registration | None = None

    def change(self, params: Params, steps: int) -> Change | None:
        """The change `steps` grid steps away (None when that leaves the bounds)."""
        policy = policy_of(self.ref)
        if self.registration is not None:
            target = f"{self.registration.type_}.{self.registration.name}"
            return Change(policy, target, False, True) if steps == 1 else None
        parameter = params.parameter(self.ref)
        value = grid_move(parameter, steps)
        if value is None:
            return None
        return Change(policy, f"parameters.{parameter.name}", parameter.value, value)

    @property
    def cost(self) -> float:
        """Declared cost of the change: a registration's expected time (numbers cost nothing)."""
        return self.registration.cost_time_ms if self.registration else 0.0


@dataclass(frozen=True)
class Found:
    """A set of moves under which the case passes, and how it ranks."""

    moves: tuple[tuple[Knob, int], ...]
    changes: tuple[Change, ...]
    regressions: tuple[str, ...] = ()
    reached: tuple[str, ...] = ()

    @property
    def steps(self) -> int:
        return sum(abs(steps) for _, steps in self.moves)

    @property
    def cost(self) -> float:
        return sum(knob.cost for knob, _ in self.moves)

    def key(self) -> tuple[int, int, float, tuple[int, str, str]]:
        return (len(self.regressions), self.steps, self.cost, self.candidate().rank(TYPES))

    def candidate(self) -> Candidate:
        return Candidate(
            _type(self.moves),
            self.changes,
            _rationale(self.moves, self.changes),
            impact=self.reached,
            manifest=_manifest(self),
        )

    def describe(self) -> str:
        regressions = ", ".join(self.regressions) or "none"
        return (
            f"{self.steps} grid step(s), declared cost {self.cost:g} ms, "
            f"regressions on the cases it reaches: {regressions}"
        )


@dataclass(frozen=True)
class Search:
    """What the search found, ranked best first, and what it spent."""

    found: tuple[Found, ...]
    knobs: tuple[Knob, ...]
    replays: int
    exhausted: bool
    pairs: bool


def knobs(case: Case, params: Params) -> tuple[Knob, ...]:
    """Every knob of `case`, in a fixed order."""
    found: list[Knob] = []
    for condition in (*case.triggers, *case.falsifiers):
        if _learnable(condition.threshold, params):
            found.append(Knob("threshold", condition.threshold))
    found.append(Knob("window", case.window_days))
    for owner, registration in params.active(case.policies(), "metrics"):
        if "tau" in registration.config:
            found.append(Knob("tau", f"{owner}.{registration.config['tau']}"))
    for owner, registration in params.inactive(case.policies()):
        ref = f"{owner}.{registration.type_}.{registration.name}"
        found.append(Knob("switch", ref, registration))
    return tuple({knob.ref: knob for knob in found}.values())


def _learnable(ref: str, params: Params) -> bool:
    return params.policies[policy_of(ref)].kind != "weights"


def search(
    case: Case, replay: sandbox.Replay, *, max_replays: int, seeds: Sequence[int] = (0,)
) -> Search:
    """Single moves first, pairs when no single knob makes `case` pass; ranked best first.

    `seeds`: the sandbox's; stochastic evaluators are replayed under each, others under the
    first only."""
    budget = _Budget(case, replay, max_replays, replay.seeds_for((case.id,), seeds))
    all_knobs = knobs(case, replay.params)
    found = _singles(all_knobs, budget)
    pairs = not found
    if pairs:
        found = _pairs(all_knobs, budget)
    ranked = sorted((_rank(f, case, replay, seeds) for f in found), key=Found.key)
    return Search(tuple(ranked), all_knobs, budget.used, budget.spent, pairs)


class _Budget:
    """Replays of the one case, counted and bounded."""

    def __init__(
        self, case: Case, replay: sandbox.Replay, limit: int, seeds: Sequence[int]
    ) -> None:
        self.case, self.replay, self.limit, self.used = case, replay, limit, 0
        self.seeds = tuple(seeds)

    @property
    def spent(self) -> bool:
        return self.used >= self.limit

    def passes(self, changes: Sequence[Change]) -> bool:
        """Whether the case passes under every seed (stopping at the first it fails under)."""
        params = self.replay.params.apply(changes)
        for seed in self.seeds:
            self.used += 1
            (result,) = self.replay.run((self.case.id,), params, seed)
            if not result.passed:
                return False
        return True


def _singles(all_knobs: Sequence[Knob], budget: _Budget) -> list[Found]:
    """Each knob's smallest passing move; a knob stops at its first, or at its bounds."""
    found: list[Found] = []
    live = {knob.ref: knob for knob in all_knobs}
    size = 0
    while True:  # every round moves each live knob one grid step further; bounds end it
        size += 1
        for knob in list(live.values()):
            moves = [(knob, s) for s in (size, -size) if knob.change(budget.replay.params, s)]
            if not moves:
                del live[knob.ref]
            for move in moves:
                if budget.spent:
                    return found
                change = knob.change(budget.replay.params, move[1])
                assert change is not None
                if budget.passes((change,)):
                    found.append(Found((move,), (change,)))
                    live.pop(knob.ref, None)
        if not live:
            return found


def _pairs(all_knobs: Sequence[Knob], budget: _Budget) -> list[Found]:
    """Two knobs moved together, by total steps; every passing pair at the smallest total."""
    params = budget.replay.params
    total = 1
    while True:  # the total grows until a pair passes or no pair stays within the bounds
        total += 1
        found: list[Found] = []
        any_move = False
        for moves in _pair_moves(all_knobs, total):
            changes = tuple(knob.change(params, steps) for knob, steps in moves)
            if any(change is None for change in changes):
                continue
            any_move = True
            if budget.spent:
                return found
            fixed = tuple(c for c in changes if c is not None)
            if budget.passes(fixed):
                found.append(Found(moves, fixed))
        if found or not any_move:
            return found


def _pair_moves(all_knobs: Sequence[Knob], total: int) -> Iterator[tuple[tuple[Knob, int], ...]]:
    for first, second in itertools.combinations(all_knobs, 2):
        for size in range(1, total):
            for a, b in itertools.product((size, -size), (total - size, size - total)):
                yield ((first, a), (second, b))


def _rank(found: Found, case: Case, replay: sandbox.Replay, seeds: Sequence[int]) -> Found:
    """`found` with the cases it reaches and the ones it makes fail (under any seed)."""
    ids = tuple(
        i
        for i in sandbox.replay_set(
            found.changes, replay.cases, replay.params, readers=replay.readers
        )
        if i != case.id
    )
    failing: set[str] = set()
    for seed in replay.seeds_for(ids, seeds):
        before = replay.run(ids, replay.params, seed)
        after = replay.run(ids, replay.params.apply(found.changes), seed)
        failing |= {b.case_id for b, a in zip(before, after, strict=True) if b.passed > a.passed}
    regressions = tuple(i for i in ids if i in failing)
    reached = tuple(sorted({case.id, *ids}))
    return Found(found.moves, found.changes, regressions, reached)


def _manifest(found: Found) -> dict[str, Any] | None:
    """A draft rent manifest for a registration switched on (its declared cost and effect)."""
    switched = [knob for knob, _ in found.moves if knob.registration is not None]
    if not switched:
        return None
    knob = switched[0]
    registration = knob.registration
    assert registration is not None
    return {
        "id": f"{policy_of(knob.ref)}.{registration.name}",
        "kind": registration.kind,
        "type": registration.type_.rstrip("s"),
        "expected_cost": {
            "time_ms": registration.cost_time_ms,
            "memory_kb": registration.cost_memory_kb,
        },
        "expected_delta": {"fixes": [found.reached[0]], "affects": list(found.reached)},
    }


_TYPES = {"threshold": "threshold_adjustment", "tau": "tau_adjustment"}


def _type(moves: Sequence[tuple[Knob, int]]) -> str:
    if len(moves) > 1:
        return "combined_adjustment"
    knob, steps = moves[0]
    if knob.registration is not None:
        if knob.registration.kind == "exclude_synthetic":
            return "integrity_filter"
        return "new_operator" if knob.registration.type_ == "operators" else "new_metric"
    if knob.kind == "window":
        return "window_extension" if steps > 0 else "window_adjustment"
    return _TYPES[knob.kind]


def _rationale(moves: Sequence[tuple[Knob, int]], changes: Sequence[Change]) -> str:
    parts = []
    for (knob, steps), change in zip(moves, changes, strict=True):
        if knob.registration is not None:
            what = knob.registration.description or "no description"
            parts.append(f"enable the registered {knob.registration.kind} {knob.ref} ({what})")
        else:
            parts.append(f"move {knob.ref} from {change.old} to {change.new} ({steps:+d} step(s))")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + ": the smallest change on the grid that passes."
