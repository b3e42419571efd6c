"""Learners: learned state + history in, bounded candidate changes out. One module per learner.

A learner is a `Learner` (below) and one line in `registry.LEARNERS`. It declares the files
it reads (`Lines` or `Texts`, loaded and validated at the edges), its settings (its section of
`learners:` in the config, with their schema), the proposal types it may propose in their
tie-break order, its subjects, its candidates for each subject, the gate rules it is judged
by, and the evidence `check` re-derives for its branches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.core import canonical
from bot.core.history import History
from bot.core.params import Readers
from bot.model.config import LearnerSettings
from bot.model.inputs import Folder, Input, Lines, Texts
from bot.model.proposal import Change

if TYPE_CHECKING:  # numpy-backed types: declaring an input must not import numpy (#17)
    from bot.core.analyze import FailureAnalysis
    from bot.core.evaluate import Evaluator
    from bot.core.gate import AllOf
    from bot.core.params import Params
    from bot.model import Case, Config
    from bot.model.report import Evidence
    from bot.model.snapshot import Snapshot

T = TypeVar("T")


@dataclass(frozen=True)
class Candidate:
    """One bounded change a learner proposes, before it is replayed."""

    proposal_type: str
    changes: tuple[Change, ...]
    rationale: str
    impact: tuple[str, ...] = ()
    manifest: Mapping[str, Any] | None = None
    moves: tuple[tuple[str, str], ...] = field(default=())
    explanation: tuple[Mapping[str, str], ...] = field(default=())  # rows: what moved and why

    @property
    def keys(self) -> tuple[str, ...]:
        """Lock keys: what this candidate writes."""
        return tuple(sorted({c.key for c in self.changes} | {src for src, _ in self.moves}))

    def rank(self, order: Sequence[str]) -> tuple[int, str, str]:
        """The fixed tie-break order: the learner's proposal types, then keys and values."""
        if self.proposal_type not in order:
            raise ValueError(
                f"proposal type {self.proposal_type!r} is not declared by its learner "
                f"(declared: {', '.join(order) or 'none'})"
            )
        return (order.index(self.proposal_type), *self.identity()[1:])

    def identity(self) -> tuple[str, str, str]:
        """(type, keys, new values): two candidates with the same identity are the same change."""
        values = ",".join(str(c.new) for c in self.changes)
        return (self.proposal_type, ",".join(self.keys), values)

    def describe(self) -> str:
        parts = [c.describe() for c in self.changes] + [f"{a} -> {b}" for a, b in self.moves]
        return f"{self.proposal_type}: {'; '.join(parts)}"


@dataclass(frozen=True)
class Dropped:
    """A candidate the rules produced but that cannot be proposed, and why."""

    description: str
    reason: str


@dataclass(frozen=True)
class Candidates:
    """What a learner proposes for one subject: candidates to replay, and what it dropped."""

    failure_id: str
    items: tuple[Candidate, ...]
    dropped: tuple[Dropped, ...] = ()
    notes: tuple[str, ...] = ()
    source_case: str | None = None
    # ranked candidates (best first, with what ranked each): the pipeline replays the `best`
    # first in order and keeps the first the gate allows; unranked, it replays all
    ranks: tuple[str, ...] = ()
    best: int = 0


@dataclass(frozen=True)
class Skip:
    """Nothing to propose for a subject, and why.

    `conclusive`: the learner looked and nothing should change, so an open pull request for
    the subject is superseded. Otherwise (not due, input missing) it is left as it is.
    """

    reason: str
    conclusive: bool = False
    notes: tuple[str, ...] = ()


# (commit, policy file) -> that policy's parameter values at the commit ({} if absent)
ValuesAt = Callable[[str, str], Mapping[str, float]]


@dataclass(frozen=True)
class Context:
    """Everything a learner may look at: the evaluated tree, its inputs, the ledger."""

    config: Config
    cases: Mapping[str, Case]
    params: Params
    snapshots: Mapping[str, Snapshot]
    failures: tuple[FailureAnalysis, ...]
    at: int
    inputs: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    history: History = field(default_factory=History)
    values_at: ValuesAt = lambda commit, path: {}
    force: bool = False
    evaluators: Mapping[str, Evaluator] = field(default_factory=dict)

    @cached_property
    def readers(self) -> Readers:
        """Who reads what, indexed once for every subject of the run (#17)."""
        return Readers.of(self.cases.values())

    def lines(self, source: Lines[T]) -> tuple[T, ...]:
        """The records of a `Lines` input (empty when the file is absent)."""
        found: tuple[T, ...] = self.inputs.get(source.name, ())
        return found

    def folder(self, source: Folder[T]) -> dict[str, tuple[T, ...]]:
        """key (the file name without .jsonl) -> the records of a `Folder` input."""
        found: tuple[tuple[str, tuple[T, ...]], ...] = self.inputs.get(source.name, ())
        return dict(found)

    def texts(self, source: Texts) -> dict[str, str]:
        """path -> text of a `Texts` input."""
        found: tuple[tuple[str, str], ...] = self.inputs.get(source.name, ())
        return dict(found)


@dataclass(frozen=True)
class Section:
    """A report a learner adds to the dashboard: a template and what it renders."""

    template: str
    context: Mapping[str, Any]


Measure = Callable[[Candidate], "Evidence"]


class Learner(Protocol):
    """What every learner declares; `registry.LEARNERS` lists them in the order they run."""

    @property
    def name(self) -> str:
        """The registry key, the `Learnbot-Learner` trailer and the ledger's `learner`."""
        ...

    @property
    def inputs(self) -> tuple[Input, ...]:
        """The files it reads (loaded and validated at the edges)."""
        ...

    @property
    def settings(self) -> LearnerSettings[Any]:
        """Its section of `learners:` in the config: a dataclass of defaults and its schema."""
        ...

    @property
    def proposal_types(self) -> tuple[str, ...]:
        """What it may propose, in the tie-break order among equally good candidates."""
        ...

    def enabled(self, config: Config) -> bool:
        """Whether the configuration turns this learner on."""
        ...

    def subjects(self, context: Context) -> tuple[str, ...]:
        """The subjects it proposes for (one pull request each, on branch prefix + subject)."""
        ...

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        """The candidate changes for one subject, or why there are none."""
        ...

    def rules(self) -> AllOf:
        """The gate rules its proposals are judged by."""
        ...

    def measure(self, context: Context, subject: str) -> Measure | None:
        """The evidence a candidate is judged on beyond the replay, re-derived by `check`."""
        ...

    def sections(self, context: Context) -> tuple[Section, ...]:
        """Reports for the dashboard (e.g. a learner still in shadow)."""
        ...


def failure_id(learner: str, subject: str, candidate: Candidate) -> str:
    """A stable failure id for a learner's subject: derived from the change it proposes."""
    changes = [c.describe() for c in candidate.changes]
    return f"{learner}_{canonical.short_digest([subject, changes, candidate.moves])}"
