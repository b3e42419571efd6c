"""The learners' names and the files each reads, declared apart from the learners themselves.

`learnbot --help` needs only the names and `learnbot validate` only the inputs; importing the
learners would import numpy and scipy (a second of CPU) for neither (#17). `registry.LEARNERS`
holds the learners, in this order, each declaring the inputs listed here.
"""

from __future__ import annotations

from bot.model import Config, Forecast, Position, Sample
from bot.model.inputs import Folder, Input, Lines, Texts

SKILL_STATES = ("pending", "active", "archived")


def _skill_directories(config: Config) -> tuple[str, ...]:
    root = config.learners.skills.path.rstrip("/")
    return tuple(f"{root}/{state}" for state in SKILL_STATES)


WEIGHTS_POSITIONS = Lines(
    "positions",
    lambda config: config.learners.weights.outcomes,
    "position",
    Position.from_dict,
    Position.order_problem,
)
KARMA_POSITIONS = Lines(
    "positions",
    lambda config: config.learners.karma.outcomes,
    "position",
    Position.from_dict,
    Position.order_problem,
)
SKILL_FILES = Texts("skills", _skill_directories, ".md")
FORECASTS = Lines(
    "forecasts",
    lambda config: config.learners.forecasts.outcomes,
    "forecast",
    Forecast.from_dict,
)
METRICS = Folder(
    "rollouts", lambda config: config.learners.rollout.path, "rollout", Sample.from_dict
)
LABELS = Texts("labels", lambda config: (config.learners.labels.path,), ".jsonl")

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
