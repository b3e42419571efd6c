"""Skill lifecycle (003, component 4): markdown files move pending -> active -> archived by score.

A skill's score is the first `score: <int>` line within its first N lines. A pending skill
with score >= promote_at becomes active; an active one with score <= archive_at is archived.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.gate import SAFETY, AllOf, MatchesRecomputation
from bot.core.learners import (
    Candidate,
    Candidates,
    Context,
    Measure,
    Section,
    Skip,
    catalog,
    configs,
    failure_id,
)
from bot.core.learners.configs import SkillsLearnerConfig
from bot.model import Config
from bot.model.config import LearnerSettings
from bot.model.inputs import Input
from bot.model.report import Consistency

PENDING, ACTIVE, ARCHIVED = catalog.SKILL_STATES
_SCORE = re.compile(r"^\s*score:\s*(-?\d+)\s*$")


def score(text: str, lines: int) -> int | None:
    """The first `score: <int>` line within the first `lines` lines, or None."""
    for line in text.splitlines()[:lines]:
        found = _SCORE.match(line)
        if found:
            return int(found.group(1))
    return None


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    score: int
    why: str


def moves(
    skills: Mapping[str, str], config: SkillsLearnerConfig
) -> tuple[tuple[Move, ...], tuple[str, ...]]:
    """The moves the rule dictates for `skills` (path -> text), and the files without a score."""
    root = config.path.rstrip("/")
    found: list[Move] = []
    unscored: list[str] = []
    for path, text in sorted(skills.items()):
        state, _, name = path.removeprefix(root + "/").partition("/")
        value = score(text, config.score_lines)
        if value is None:
            unscored.append(path)
            continue
        rule = _rule(state, value, config)
        if rule is not None:
            target, why = rule
            found.append(Move(path, f"{root}/{target}/{name}", value, why))
    return tuple(found), tuple(unscored)


def _rule(state: str, value: int, config: SkillsLearnerConfig) -> tuple[str, str] | None:
    """Where a skill in `state` with score `value` moves, and why (None: it stays)."""
    if state == PENDING and value >= config.promote_at:
        return ACTIVE, f"score {value} >= {config.promote_at}"
    if state == ACTIVE and value <= config.archive_at:
        return ARCHIVED, f"score {value} <= {config.archive_at}"
    return None


SKILL_FILES = catalog.SKILL_FILES


@dataclass(frozen=True)
class SkillsLearner:
    """One subject, `skills`: the moves the scores dictate, re-derived by the check."""

    name: str = "skills"
    inputs: tuple[Input, ...] = catalog.INPUTS["skills"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["skills"]
    proposal_types: tuple[str, ...] = ("skill_lifecycle",)

    def enabled(self, config: Config) -> bool:
        return configs.SKILLS.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        return ("skills",)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        found, unscored = moves(context.texts(SKILL_FILES), configs.SKILLS.of(context.config))
        notes = (f"no score line in {', '.join(unscored)}",) if unscored else ()
        if not found:
            return Skip("no skill crossed a threshold", conclusive=True, notes=notes)
        rows = tuple(
            {
                "skill": m.source.rsplit("/", 1)[1],
                "from": m.source.split("/")[-2],
                "to": m.target.split("/")[-2],
                "why": m.why,
            }
            for m in found
        )
        candidate = Candidate(
            "skill_lifecycle",
            (),
            f"Move {len(found)} skill file(s) by score.",
            moves=tuple((m.source, m.target) for m in found),
            explanation=rows,
        )
        return Candidates(failure_id(self.name, subject, candidate), (candidate,), notes=notes)

    def rules(self) -> AllOf:
        return AllOf(MatchesRecomputation(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure:
        found, _ = moves(context.texts(SKILL_FILES), configs.SKILLS.of(context.config))
        expected = {m.source: m.target for m in found}

        def check(candidate: Candidate) -> Consistency:
            return Consistency.compare(
                "the moves the scores dictate", expected, dict(candidate.moves)
            )

        return check

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = SkillsLearner()
