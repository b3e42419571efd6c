"""Configuration values (`.github/learnbot.yml`), every key with a default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def _build(cls: type[T], data: Mapping[str, Any] | None) -> T:
    """Build a config dataclass from a validated mapping; absent keys keep their defaults."""
    instance = cls()
    if not data:
        return instance
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    updates: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        nested = getattr(instance, name)
        if hasattr(nested, "__dataclass_fields__"):
            updates[name] = _build(type(nested), value)
        elif isinstance(nested, tuple):
            updates[name] = tuple(value)
        elif name in known:
            # JSON Schema counts 3.0 as an integer; an int field gets an int (range(3.0) fails)
            integral = type(nested) is int and isinstance(value, float)
            updates[name] = int(value) if integral else value
    return replace(instance, **updates)  # type: ignore[type-var]


@dataclass(frozen=True)
class GateConfig:
    """000's promotion criteria; each one can be tuned.

    The default gate is absolute (the source case fixed, nothing regresses), so a one-case fix
    passes in a repository of 10 cases or of 10,000. `min_pass_rate_delta` is an optional
    relative criterion, over all cases.
    """

    min_pass_rate_delta: float | None = None
    require_fixed_case: bool = True
    max_protected_regressions: int = 0
    max_new_failures: int = 0
    max_time_increase: float = 0.20
    max_memory_increase: float = 0.20
    time_floor_ms: float = 25.0
    work_floor_events: int = 100_000
    memory_floor_kb: float = 256.0
    min_objective_delta: float = 0.0
    # stochastic evaluators: 1 - std / mean of the pass rate over the seeds
    min_stability: float = 0.9
    # set: the composite run loss may rise by at most this (0: crl_not_higher)
    max_crl_delta: float | None = None


@dataclass(frozen=True)
class SandboxConfig:
    """How proposals are replayed."""

    scope: str = "affected"  # "affected" (+ protected) or "all"
    stabilization_runs: int = 3
    seeds: tuple[int, ...] = (42, 43, 44)  # passed to stochastic evaluators, one replay each


@dataclass(frozen=True)
class PullRequestConfig:
    """How proposals become pull requests."""

    max_open: int = 10
    max_new_per_run: int = 5
    labels: tuple[str, ...] = ("learnbot",)
    reviewers: tuple[str, ...] = ()
    branch_prefix: str = "learnbot/"
    body_limit: int = 58000


@dataclass(frozen=True)
class ChecksConfig:
    """How the stabilization and gate result is reported on a commit."""

    mode: str = "check_run"  # or "status"
    name: str = "learnbot/stabilization"


@dataclass(frozen=True)
class DashboardConfig:
    """The one issue that shows what scheduled runs did."""

    enabled: bool = True
    label: str = "learnbot-dashboard"
    title: str = "learnbot dashboard"
    trend_points: int = 20
    body_limit: int = 58000


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


@dataclass(frozen=True)
class CrlWeights:
    """004's composite run loss weights (wq, wg, wr, wc, wt, ws, wa, wd, wrag), by term."""

    gate_pass_rate: float = 0.20
    contradiction_rate: float = 0.15
    grounding: float = 0.15
    cost_over_budget_pct: float = 0.15
    latency_p95_norm: float = 0.10
    security_criticals: float = 0.10
    api_breakages: float = 0.05
    db_migration_fail: float = 0.05
    rag_coverage: float = 0.05

    def as_mapping(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class ObjectiveConfig:
    """The composite run loss: where run metrics are and how terms are weighted."""

    runs: str = "cases/outcomes/runs.jsonl"
    weights: CrlWeights = CrlWeights()


@dataclass(frozen=True)
class ExperimentsConfig:
    """The experiment history: which sandbox runs that reached no pull request are kept."""

    gate_rejected: bool = True
    keep: int = 50


@dataclass(frozen=True)
class GitConfig:
    author_name: str = "learnbot"
    author_email: str = "learnbot@users.noreply.github.com"
    push_retries: int = 5


@dataclass(frozen=True)
class Config:
    """Everything `.github/learnbot.yml` can say."""

    gate: GateConfig = GateConfig()
    sandbox: SandboxConfig = SandboxConfig()
    pull_requests: PullRequestConfig = PullRequestConfig()
    checks: ChecksConfig = ChecksConfig()
    dashboard: DashboardConfig = DashboardConfig()
    learners: LearnersConfig = LearnersConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    experiments: ExperimentsConfig = ExperimentsConfig()
    git: GitConfig = GitConfig()
    ledger: str = "ledgers/learning.jsonl"
    evaluators: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Config:
        built = _build(cls, data)
        named = tuple(sorted((data or {}).get("learners") or {}))
        return replace(
            built,
            learners=replace(built.learners, configured=named),
            evaluators=dict(sorted((data or {}).get("evaluators", {}).items())),
        )
