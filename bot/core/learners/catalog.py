"""The learners' names, the files each reads and their settings, declared apart from the
learners themselves.

`learnbot --help` needs only the names and `learnbot validate` only the inputs and the settings'
schemas; importing the learners would import numpy and scipy (a second of CPU) for neither (#17).
`registry.LEARNERS` holds the learners, in this order, each declaring the inputs and settings
listed here.
"""

from __future__ import annotations

from typing import Any

from bot.core.learners import configs
from bot.model import Config, Forecast, Position, Sample
from bot.model.config import LearnerSettings
from bot.model.inputs import Folder, Input, Lines, Texts

SKILL_STATES = ("pending", "active", "archived")


def _skill_directories(config: Config) -> tuple[str, ...]:
    root = configs.SKILLS.of(config).path.rstrip("/")
    return tuple(f"{root}/{state}" for state in SKILL_STATES)


WEIGHTS_POSITIONS = Lines(
    "positions",
    lambda config: configs.WEIGHTS.of(config).outcomes,
    "position",
    Position.from_dict,
    Position.order_problem,
)
KARMA_POSITIONS = Lines(
    "positions",
    lambda config: configs.KARMA.of(config).outcomes,
    "position",
    Position.from_dict,
    Position.order_problem,
)
SKILL_FILES = Texts("skills", _skill_directories, ".md")
FORECASTS = Lines(
    "forecasts",
    lambda config: configs.FORECASTS.of(config).outcomes,
    "forecast",
    Forecast.from_dict,
)
METRICS = Folder(
    "rollouts", lambda config: configs.ROLLOUT.of(config).path, "rollout", Sample.from_dict
)
LABELS = Texts("labels", lambda config: (configs.LABELS.of(config).path,), ".jsonl")

INPUTS: dict[str, tuple[Input, ...]] = {
    "backtest": (),
    "weights": (WEIGHTS_POSITIONS,),
    "karma": (KARMA_POSITIONS,),
    "skills": (SKILL_FILES,),
    "forecasts": (FORECASTS,),
    "rollout": (METRICS,),
    "judges": (LABELS,),
    "trainer": (LABELS,),
}
LEARNER_NAMES = tuple(INPUTS)

# every section of `learners:`, in the order the configuration reference lists them
SETTINGS: dict[str, LearnerSettings[Any]] = {
    s.key: s
    for s in (
        configs.BACKTEST,
        configs.WEIGHTS,
        configs.KARMA,
        configs.SKILLS,
        configs.FORECASTS,
        configs.ROLLOUT,
        configs.LABELS,
        configs.JUDGES,
        configs.REVIEW,
        configs.TRAINER,
    )
}
