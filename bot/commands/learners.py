"""Every registered learner through the one pipeline: inputs loaded here, the rest in the core.

The registry (bot.core.learners.registry.LEARNERS) says which learners exist, in which order
they run, what they read and how they are judged; nothing here names a learner.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.commands import planning
from bot.commands.evaluation import Evaluated
from bot.commands.output import status
from bot.core import pipeline
from bot.core.history import History
from bot.core.learners import Candidates, Context, Learner
from bot.core.learners.registry import LEARNERS
from bot.edges import inputs, render, yamldoc
from bot.errors import ConfigError
from bot.model import Config, Problem

ReadAt = Callable[[str, str], bytes | None]  # (commit, path) -> bytes, to read history
Owns = Callable[[str, str], bool]  # (learner, subject) -> whether this shard learns it


@dataclass(frozen=True)
class Step:
    """One subject a learner looked at: its place in the run, its notes and its outcome."""

    learner: str
    position: int
    notes: tuple[str, ...]
    outcome: pipeline.Outcome | None


class Memo(Protocol):
    """Findings kept between runs, by what they depend on (`bot.commands.learncache`)."""

    def recall(self, learner: str, subject: str, position: int) -> Step | None: ...

    def keep(self, step: Step, subject: str) -> None: ...


@dataclass(frozen=True)
class Stage:
    """What one learner found apart from its subjects' outcomes (the same in every shard)."""

    learner: str
    problems: tuple[Problem, ...]
    subjects: tuple[str, ...]
    sections: tuple[str, ...]


@dataclass
class Learned:
    """What the learners found this run."""

    outcomes: list[pipeline.Outcome] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def of(cls, stages: Sequence[Stage], steps: Sequence[Step]) -> Learned:
        """Reassemble a run's findings from its stages and steps (e.g. from shards)."""
        learned = cls(stages=list(stages), steps=list(steps))
        order = {stage.learner: index for index, stage in enumerate(stages)}
        mine: dict[str, list[Step]] = {}
        for step in sorted(steps, key=lambda s: (order[s.learner], s.position)):
            mine.setdefault(step.learner, []).append(step)
        for stage in stages:
            learned.problems.extend(p for p in stage.problems if p not in learned.problems)
            learned.subjects.update(stage.subjects)
            for step in mine.get(stage.learner, ()):
                learned.notes.extend(step.notes)
                if step.outcome is not None:
                    learned.outcomes.append(step.outcome)
            learned.sections.extend(stage.sections)
        return learned


def learner(name: str) -> Learner:
    """The registered learner called `name`."""
    found = LEARNERS.get(name)
    if found is None:
        known = ", ".join(LEARNERS)
        raise ConfigError(f"no learner {name!r} (registered: {known})")
    return found


def context(
    evaluated: Evaluated,
    learner_: Learner,
    history: History,
    read_at: ReadAt,
    *,
    force: bool = False,
) -> tuple[Context, list[Problem]]:
    """What `learner_` may look at in this tree, and the problems of the files it reads."""
    config = evaluated.state.config
    loaded, problems = inputs.load(evaluated.files, config, learner_.inputs)
    found = Context(
        config=config,
        cases=evaluated.cases,
        params=evaluated.params,
        snapshots=evaluated.snapshots,
        failures=evaluated.failures(),
        at=evaluated.at,
        inputs=loaded,
        history=history,
        values_at=_values_at(read_at),
        force=force,
        evaluators=evaluated.evaluators,
    )
    return found, problems


def learn(
    evaluated: Evaluated,
    history: History,
    read_at: ReadAt,
    *,
    only: str | None = None,
    force: bool = False,
    templates: Sequence[Path] = (),
    progress: bool = False,
    subjects: Collection[str] | None = None,
    owns: Owns | None = None,
    memo: Memo | None = None,
) -> Learned:
    """Run every enabled learner (or `only` one); `force` runs one even when it is not due.

    With `subjects`, only those subjects are proposed for (the others are still listed in
    `Learned.subjects`) and no dashboard section is rendered: rebuilding open proposals.
    `owns` picks the subjects this process learns (one shard of a run); the others are left
    to the other shards. `memo` recalls the findings of subjects whose inputs did not change
    since they were learned, and keeps the others' (the learning cache).
    """
    stages: list[Stage] = []
    steps: list[Step] = []
    shared = planning.setting(evaluated)
    excluded = history.known_bad()
    for name, each in LEARNERS.items():
        if only not in (None, name) or not each.enabled(evaluated.state.config):
            continue
        found, problems = context(evaluated, each, history, read_at, force=force)
        if not (only or problems or has_inputs(each, found, evaluated.state.config)):
            continue
        owned = each.subjects(found)
        todo = owned if subjects is None else [s for s in owned if s in subjects]
        for index, subject in enumerate(todo, start=1):
            if owns is not None and not owns(name, subject):
                continue
            step = memo.recall(name, subject, index) if memo is not None else None
            if step is None:
                seen = Learned()
                outcome = propose(each, found, subject, shared, excluded=excluded, learned=seen)
                step = Step(name, index, tuple(seen.notes), outcome)
                if memo is not None:
                    memo.keep(step, subject)
            steps.append(step)
            outcome = step.outcome
            if progress and outcome is not None and subject in evaluated.cases:
                what = "a proposal" if outcome.proposal else f"no proposal: {outcome.reason}"
                status(f"  [{index}/{len(todo)}] {subject}: {what}")
        dirs = templates or render.template_dirs(None)
        sections = tuple(
            render.render(section.template, section.context, dirs=dirs)
            for section in (each.sections(found) if subjects is None else ())
        )
        stages.append(Stage(name, tuple(problems), tuple(owned), sections))
    return Learned.of(stages, steps)


def has_inputs(learner_: Learner, found: Context, config: Config) -> bool:
    """Whether a learner has anything to learn from: configured by name, or its files exist.

    A learner no file names and whose inputs are absent stays silent: a repository without
    positions or skills never hears about the weights, karma or skills learners (#16).
    """
    if learner_.name in config.learners.configured or not learner_.inputs:
        return True
    return any(found.inputs.get(source.name) for source in learner_.inputs)


def propose(
    learner_: Learner,
    found: Context,
    subject: str,
    shared: pipeline.Setting,
    *,
    excluded: Mapping[str, str],
    learned: Learned,
) -> pipeline.Outcome | None:
    """One subject's outcome (None when the learner did not look: not due, input missing)."""
    name = learner_.name
    candidates = learner_.candidates(found, subject)
    learned.notes.extend(f"{name}: {note}" for note in candidates.notes)
    if not isinstance(candidates, Candidates):
        learned.notes.append(f"{name}: {candidates.reason}")
        if not candidates.conclusive:
            return None
        outcome = pipeline.Outcome(subject, "", name, None, (), candidates.reason)
    else:
        measure = learner_.measure(found, subject)
        outcome = pipeline.propose(
            subject, candidates, shared, learner_, excluded=excluded, measure=measure
        )
        # a failing case's outcome is reported with the case; a learner's subject is not
        if outcome.proposal is None and subject not in found.cases:
            learned.notes.append(f"{name}: no proposal: {outcome.reason}")
    learned.outcomes.append(outcome)
    return outcome


def _values_at(read_at: ReadAt) -> Callable[[str, str], dict[str, float]]:
    def values(commit: str, path: str) -> dict[str, float]:
        data = read_at(commit, path) if commit else None
        if data is None:
            return {}
        parsed = yamldoc.parse_bytes(data, path=path).data or {}
        return {name: float(e["value"]) for name, e in parsed.get("parameters", {}).items()}

    return values
