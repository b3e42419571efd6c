"""Skill lifecycle (003, component 4): markdown files move pending -> active -> archived by score.

A skill's score is the first `score: <int>` line within its first N lines. A pending skill
with score >= promote_at becomes active; an active one with score <= archive_at is archived.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.model import SkillsLearnerConfig

PENDING, ACTIVE, ARCHIVED = "pending", "active", "archived"
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
