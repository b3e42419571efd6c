"""The built-in learners' settings: one frozen dataclass per section of `learners:` in
`.github/learnbot.yml`, each declared with its packaged schema (`bot/schemas/learners/`).

A learner's `settings` names its declaration; `labels` and `review` are sections that serve
several learners and commands. Nothing here imports numpy: `validate` builds the config's
schema from these declarations (#17).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.model.config import LearnerSettings


@dataclass(frozen=True)
class BacktestLearnerConfig:
    """000's backtest learner: the bounded search for each failing case's fix."""

    enabled: bool = True
    max_replays: int = 200
    sandbox_best: int = 3
    max_failures: int = 25  # analysed per run; the rest are listed as deferred


@dataclass(frozen=True)
class WeightsLearnerConfig:
    """003's bounded domain weight adjustment."""

    enabled: bool = True
    policy: str = "conviction_weights"
    outcomes: str = "cases/outcomes/positions.jsonl"
    cadence_days: int = 7
    window_days: int = 30
    min_observations: int = 20
    min_pairs: int = 10
    max_delta: float = 0.02
    flat_band: float = 0.01
    floor: float = 0.05
    ceiling: float = 0.40
    observe_days: int = 30
    warm_days: int = 90
    degrade_cycles: int = 3


@dataclass(frozen=True)
class KarmaLearnerConfig:
    """003's producer karma EMA."""

    enabled: bool = True
    policy: str = "producer_karma"
    outcomes: str = "cases/outcomes/positions.jsonl"
    alpha: float = 0.05
    flat_band: float = 0.01


@dataclass(frozen=True)
class SkillsLearnerConfig:
    """003's file-based skill lifecycle."""

    enabled: bool = True
    path: str = "policies/skills"
    promote_at: int = 3
    archive_at: int = -3
    score_lines: int = 40


@dataclass(frozen=True)
class ForecastsLearnerConfig:
    """003's forecast performance and the shadow ensemble."""

    enabled: bool = True
    outcomes: str = "cases/outcomes/forecasts.jsonl"
    activation: int = 500
    shadow: bool = True


def _rollout_metrics() -> dict[str, dict[str, Any]]:
    return {
        "quality": {"better": "higher", "statistic": "mean", "margin": 0.0, "max_regression": 0.05},
        "latency_ms": {
            "better": "lower",
            "statistic": "p95",
            "margin": 0.0,
            "max_regression": 0.10,
        },
    }


@dataclass(frozen=True)
class RolloutLearnerConfig:
    """001/004's staged rollouts judged on exported online metrics."""

    enabled: bool = True
    path: str = "cases/outcomes/rollouts"
    stages: tuple[int, ...] = (10, 50, 100)
    test: str = "welch"  # or "mann_whitney"
    alpha: float = 0.05
    min_samples: int = 30
    lookback_days: int = 14
    max_duration_days: int = 14
    watch_days: int = 7
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=_rollout_metrics)


@dataclass(frozen=True)
class LabelsLearnerConfig:
    """001/002's labeled examples and the curator that guards them."""

    enabled: bool = True
    path: str = "cases/labels"
    near_duplicate: float = 0.95
    recent: int = 100
    diversity_floor: float = 0.1
    diversity_min_batch: int = 10
    self_origins: tuple[str, ...] = ("learnbot", "learnbot[bot]", "github-actions[bot]")
    rejections: str = "learnbot"  # the agent rejected learnbot pull requests are labels of


@dataclass(frozen=True)
class JudgesLearnerConfig:
    """001/002's judge reliability weights, one policy per agent."""

    enabled: bool = True
    policies: Mapping[str, str] = field(default_factory=dict)  # agent -> policy name
    defaults: Mapping[str, float] = field(default_factory=dict)  # judge -> weight
    half_life_days: float = 7.0
    window_days: int = 30
    min_examples: int = 5
    floor: float = 0.1
    ceiling: float = 1.0


@dataclass(frozen=True)
class ReviewLearnerConfig:
    """001/002's uncertainty sampling into one review-queue issue per agent."""

    enabled: bool = True
    top: int = 20
    days: int = 7
    low_confidence: float = 0.6
    label: str = "learnbot-review"


@dataclass(frozen=True)
class TrainerLearnerConfig:
    """001/002's trainer: labels -> thresholds, verified on held-out examples."""

    enabled: bool = True
    min_examples: int = 50
    folds: int = 5
    min_accuracy_delta: float = 0.02
    agents: Mapping[str, Any] = field(default_factory=dict)
    families: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LearnersConfig:
    backtest: BacktestLearnerConfig = BacktestLearnerConfig()
    weights: WeightsLearnerConfig = WeightsLearnerConfig()
    karma: KarmaLearnerConfig = KarmaLearnerConfig()
    skills: SkillsLearnerConfig = SkillsLearnerConfig()
    forecasts: ForecastsLearnerConfig = ForecastsLearnerConfig()
    rollout: RolloutLearnerConfig = RolloutLearnerConfig()
    labels: LabelsLearnerConfig = LabelsLearnerConfig()
    judges: JudgesLearnerConfig = JudgesLearnerConfig()
    review: ReviewLearnerConfig = ReviewLearnerConfig()
    trainer: TrainerLearnerConfig = TrainerLearnerConfig()
    # the learners the file names: they run even before their input files exist (#16)
    configured: tuple[str, ...] = ()


BACKTEST = LearnerSettings("backtest", BacktestLearnerConfig, "learners/backtest")
WEIGHTS = LearnerSettings("weights", WeightsLearnerConfig, "learners/weights", paths=("outcomes",))
KARMA = LearnerSettings("karma", KarmaLearnerConfig, "learners/karma", paths=("outcomes",))
SKILLS = LearnerSettings("skills", SkillsLearnerConfig, "learners/skills", paths=("path",))
FORECASTS = LearnerSettings(
    "forecasts", ForecastsLearnerConfig, "learners/forecasts", paths=("outcomes",)
)
ROLLOUT = LearnerSettings("rollout", RolloutLearnerConfig, "learners/rollout", paths=("path",))
LABELS = LearnerSettings("labels", LabelsLearnerConfig, "learners/labels", paths=("path",))
JUDGES = LearnerSettings("judges", JudgesLearnerConfig, "learners/judges")
REVIEW = LearnerSettings("review", ReviewLearnerConfig, "learners/review")
TRAINER = LearnerSettings("trainer", TrainerLearnerConfig, "learners/trainer")
