"""`learners:` holds each learner's section; the learner's own declaration types it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Config
from bot.model.config import LearnerSettings


@dataclass(frozen=True)
class Knobs:
    path: str = "cases/knobs.jsonl"
    steps: int = 3
    stages: tuple[int, ...] = (10, 100)


KNOBS = LearnerSettings("knobs", Knobs, {"type": "object"})


def test_config_learner_settings_default_when_the_file_says_nothing() -> None:
    assert KNOBS.of(Config()) == Knobs()
    assert KNOBS.of(Config.from_dict({"learners": {"other": {"x": 1}}})) == Knobs()


def test_config_learner_settings_built_from_their_section() -> None:
    config = Config.from_dict({"learners": {"knobs": {"steps": 5.0, "stages": [5, 50]}}})
    found = KNOBS.of(config)
    assert found == Knobs(steps=5, stages=(5, 50))
    assert type(found.steps) is int  # JSON Schema's 5.0 is an integer
    assert KNOBS.of(config) is found  # built once
    assert config.learners.configured == ("knobs",)


def test_config_learner_settings_replaced_keep_the_others() -> None:
    config = Config.from_dict({"learners": {"knobs": {"steps": 5}, "other": {"x": 1}}})
    learners = config.learners.replaced(KNOBS, Knobs(path="elsewhere.jsonl"))
    assert learners.get(KNOBS) == Knobs(path="elsewhere.jsonl")
    assert learners.sections["other"] == {"x": 1}
    assert KNOBS.of(config).steps == 5
