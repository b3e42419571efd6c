"""Skill files: promoted and archived at their score thresholds, scored in the first lines."""

from __future__ import annotations

import pytest

from bot.core.learners import skills
from bot.core.learners.configs import SkillsLearnerConfig


@pytest.mark.parametrize(
    ("state", "value", "moved_to"),
    [
        ("pending", 3, "active"),
        ("pending", 2, None),
        ("pending", 9, "active"),
        ("active", -3, "archived"),
        ("active", -2, None),
        ("active", 3, None),
        ("archived", -9, None),
    ],
)
def test_skill_transitions_exactly_at_three_and_minus_three(
    state: str, value: int, moved_to: str | None
) -> None:
    config = SkillsLearnerConfig()
    found, _ = skills.moves({f"policies/skills/{state}/x.md": f"# X\nscore: {value}\n"}, config)
    assert [m.target for m in found] == ([f"policies/skills/{moved_to}/x.md"] if moved_to else [])


def test_skill_score_must_be_within_the_first_lines() -> None:
    late = "\n" * 40 + "score: 5\n"
    found, unscored = skills.moves({"policies/skills/pending/late.md": late}, SkillsLearnerConfig())
    assert found == () and unscored == ("policies/skills/pending/late.md",)
    assert skills.score("intro\n  score:  -4  \nscore: 9", 40) == -4
