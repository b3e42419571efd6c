"""What every learner step shares: the run's inputs, what the learners found, subjects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.app.evaluation import Evaluated
from bot.core import canonical, pipeline
from bot.core.history import History
from bot.core.learners import Candidate
from bot.model import Config, Problem

ReadAt = Callable[[str, str], bytes | None]  # (commit, path) -> bytes, to read history
Extras = Callable[[Candidate], Mapping[str, Any]]


@dataclass
class Learned:
    """What the learners found this run."""

    outcomes: list[pipeline.Outcome] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class LearnerRun:
    """What every learner step shares in one run."""

    evaluated: Evaluated
    history: History
    read_at: ReadAt
    shared: pipeline.Setting
    learned: Learned
    force: bool

    def judge(self, candidate: Candidate, learner: str, subject: str, extras: Extras) -> None:
        """Replay, gate and keep the candidate (or say why not), like any proposal."""
        changes = [c.describe() for c in candidate.changes]
        failure = f"{learner}_{canonical.short_digest([subject, changes, candidate.moves])}"
        outcome = pipeline.propose(
            subject,
            failure,
            [candidate],
            self.shared,
            learner=learner,
            excluded=self.history.known_bad(),
            extras=extras,
        )
        if outcome.proposal is None:
            self.learned.notes.append(f"{learner}: no proposal: {outcome.reason}")
        self.learned.outcomes.append(outcome)

    def none(self, learner: str, subject: str, reason: str) -> None:
        self.learned.notes.append(f"{learner}: {reason}")
        self.learned.outcomes.append(pipeline.Outcome(subject, "", learner, None, (), reason))


def subject_of(learner: str, config: Config) -> str:
    """The subject (and so the branch) a learner's pull request lives on."""
    if learner == "weights":
        return f"weights/{config.learners.weights.policy}"
    if learner == "karma":
        return f"karma/{config.learners.karma.policy}"
    return "skills"
