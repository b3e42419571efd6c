"""Every learner, in the order a run asks them: one line each (like pre-commit's languages)."""

from __future__ import annotations

from bot.core.learners import (
    Learner,
    backtest,
    forecasts,
    judges,
    karma,
    rollout_learner,
    skills,
    training,
    weights,
)

LEARNERS: dict[str, Learner] = {
    "backtest": backtest.LEARNER,
    "weights": weights.LEARNER,
    "karma": karma.LEARNER,
    "skills": skills.LEARNER,
    "forecasts": forecasts.LEARNER,
    "rollout": rollout_learner.LEARNER,
    "judges": judges.LEARNER,
    "trainer": training.LEARNER,
}
