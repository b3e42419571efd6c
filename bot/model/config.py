"""Configuration values (`.github/learnbot.yml`), every key with a default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, TypeVar

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


@dataclass(frozen=True, eq=False)
class LearnerSettings(Generic[T]):
    """A learner's section of `learners:`, declared by the learner: a frozen dataclass with a
    default for every key, and its JSON Schema (`schema` names a packaged schema,
    `bot/schemas/NAME.schema.json`, or is the schema itself)."""

    key: str
    type: type[T]
    schema: str | Mapping[str, Any]
    paths: tuple[str, ...] = ()  # keys that name a file or folder of the repository

    def of(self, config: Config) -> T:
        """This learner's settings in `config` (the defaults where the file says nothing)."""
        return config.learners.get(self)


@dataclass(frozen=True)
class LearnersConfig:
    """The `learners:` section: each learner's validated mapping, built into the learner's own
    settings type on first use (the config knows no learner: each declares its settings)."""

    sections: Mapping[str, Any] = field(default_factory=dict)  # key -> mapping or settings
    # the learners the file names: they run even before their input files exist (#16)
    configured: tuple[str, ...] = ()
    _built: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def get(self, settings: LearnerSettings[T]) -> T:
        """The settings of one learner, built once."""
        found = self._built.get(settings.key)
        if isinstance(found, settings.type):
            return found
        section = self.sections.get(settings.key)
        built = section if isinstance(section, settings.type) else _build(settings.type, section)
        self._built[settings.key] = built
        return built

    def replaced(self, settings: LearnerSettings[T], value: T) -> LearnersConfig:
        """A copy with one learner's settings replaced."""
        return replace(self, sections={**self.sections, settings.key: value})


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
    learners: LearnersConfig = field(default_factory=LearnersConfig)
    objective: ObjectiveConfig = ObjectiveConfig()
    experiments: ExperimentsConfig = ExperimentsConfig()
    git: GitConfig = GitConfig()
    ledger: str = "ledgers/learning.jsonl"
    evaluators: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Config:
        sections = dict((data or {}).get("learners") or {})
        built = _build(cls, {k: v for k, v in (data or {}).items() if k != "learners"})
        return replace(
            built,
            learners=LearnersConfig(sections, configured=tuple(sorted(sections))),
            evaluators=dict(sorted((data or {}).get("evaluators", {}).items())),
        )
