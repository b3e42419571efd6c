"""The trainer learner (001/002): an agent's labels -> its rule's thresholds, one PR per agent.

Configured per agent (`learners.trainer.agents`): the positive label, the model and which
payload feature sets which parameter. The fit and its k-fold verification are in `trainer`
(arithmetic) and `fitting` (scikit-learn, the optional `learnbot[train]` extra: without it
the learner says how to install it and proposes nothing). Its check refits on the base
branch's labels (the fit is deterministic) and requires the diff to equal it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.gate import (
    DECLARED_MEMORY,
    DECLARED_TIME,
    WORK_COST,
    AccuracyGain,
    AllOf,
    Protected,
    RefitMatches,
    Stable,
)
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
    families,
    fitting,
    labeled,
    trainer,
)
from bot.model import Config, Parameter
from bot.model.config import LearnerSettings
from bot.model.inputs import Input
from bot.model.labels import Example
from bot.model.proposal import Change
from bot.model.report import Consistency, Training

PREFIX = "trainer/"


@dataclass(frozen=True)
class Spec:
    """One agent's trainer settings."""

    agent: str
    positive: str
    model: str
    depth: int
    features: tuple[trainer.Feature, ...]

    @classmethod
    def from_config(cls, agent: str, data: Mapping[str, Any]) -> Spec:
        return cls(
            agent=agent,
            positive=str(data["positive"]),
            model=str(data.get("model", "tree")),
            depth=int(data.get("depth", 3)),
            features=tuple(
                trainer.Feature(name, str(entry["parameter"]), str(entry.get("op", ">=")))
                for name, entry in sorted(data["features"].items())
            ),
        )


@dataclass(frozen=True)
class Fitted:
    """The trained thresholds for one agent, and what they were trained on."""

    changes: tuple[Change, ...]
    trained: trainer.Trained
    examples: tuple[Example, ...]
    parameters: tuple[Parameter, ...]


@dataclass(frozen=True)
class TrainerLearner:
    name: str = "trainer"
    inputs: tuple[Input, ...] = catalog.INPUTS["trainer"]
    settings: LearnerSettings[Any] = catalog.SETTINGS["trainer"]
    proposal_types: tuple[str, ...] = ("trained_thresholds", "family_thresholds")

    def enabled(self, config: Config) -> bool:
        return configs.TRAINER.of(config).enabled

    def subjects(self, context: Context) -> tuple[str, ...]:
        config = configs.TRAINER.of(context.config)
        agents = tuple(f"{PREFIX}{agent}" for agent in sorted(config.agents))
        return agents + tuple(f"{families.PREFIX}{family}" for family in sorted(config.families))

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        if subject.startswith(families.PREFIX):
            return _family_candidates(self.name, context, subject)
        spec = _spec(context, subject)
        found = fit(context, spec) if spec else "no trainer settings for this agent"
        if isinstance(found, str):
            return Skip(found)
        if not found.changes:
            return Skip("the fitted thresholds equal the current ones", conclusive=True)
        assert spec is not None
        candidate = Candidate(
            "trained_thresholds",
            found.changes,
            rationale(spec, found),
            impact=_readers(context, found.changes),
            explanation=rows(spec, found),
        )
        return Candidates(failure_id(self.name, subject, candidate), (candidate,))

    def rules(self) -> AllOf:
        # held-out accuracy and the protected cases decide; see README "trainer"
        return AllOf(
            AccuracyGain(),
            RefitMatches(),
            Protected(),
            WORK_COST,
            DECLARED_TIME,
            DECLARED_MEMORY,
            Stable(),
        )

    def measure(self, context: Context, subject: str) -> Measure:
        if subject.startswith(families.PREFIX):
            family = _family_fit(context, subject)
            broken = () if isinstance(family, str) else family.broken
            return evidence(context, family, broken)
        spec = _spec(context, subject)
        found = fit(context, spec) if spec else "no trainer settings for this agent"
        return evidence(context, found)

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


LEARNER = TrainerLearner()


def _family_fit(context: Context, subject: str) -> families.FamilyFit | str:
    reason = fitting.missing()
    if reason:
        return reason
    family = subject.removeprefix(families.PREFIX)
    settings = configs.TRAINER.of(context.config).families.get(family)
    if settings is None:
        return f"no trainer settings for family {family!r}"
    model, depth = str(settings.get("model", "tree")), int(settings.get("depth", 3))
    return families.fit(context, family, fitting.fitter(model, depth), settings)


def _family_candidates(name: str, context: Context, subject: str) -> Candidates | Skip:
    found = _family_fit(context, subject)
    if isinstance(found, str):
        return Skip(found)
    if not found.changes:
        return Skip("the fitted thresholds equal the current ones", conclusive=True)
    family = subject.removeprefix(families.PREFIX)
    chosen = families.candidate(family, found, context)
    return Candidates(failure_id(name, subject, chosen), (chosen,))


def _spec(context: Context, subject: str) -> Spec | None:
    agent = subject.removeprefix(PREFIX)
    data = configs.TRAINER.of(context.config).agents.get(agent)
    return None if data is None else Spec.from_config(agent, data)


def _readers(context: Context, changes: Sequence[Change]) -> tuple[str, ...]:
    return tuple(
        sorted({i for c in changes for i in context.params.readers(c.key, context.cases.values())})
    )


def fit(context: Context, spec: Spec) -> Fitted | str:
    """The trained thresholds for one agent, or why there are none."""
    reason = fitting.missing()
    if reason:
        return reason
    config = configs.TRAINER.of(context.config)
    for feature in spec.features:
        policy, _, name = feature.parameter.partition(".")
        if (
            policy not in context.params.policies
            or name not in context.params.policies[policy].parameters
        ):
            return f"{feature.parameter}: no such parameter for feature {feature.name!r}"
    examples = labeled.examples(context, spec.agent)
    x, y, skipped = trainer.matrix(
        [e.payload for e in examples], [e.label for e in examples], spec.features, spec.positive
    )
    if len(y) < config.min_examples:
        return (
            f"{len(y)} usable labeled examples for {spec.agent} ({skipped} lack a feature), "
            f"{config.min_examples} needed"
        )
    parameters = tuple(context.params.parameter(f.parameter) for f in spec.features)
    trained = trainer.train(
        x,
        y,
        features=spec.features,
        parameters=parameters,
        fitter=fitting.fitter(spec.model, spec.depth),
        k=config.folds,
    )
    changes = tuple(
        Change(
            f.parameter.partition(".")[0],
            f"parameters.{p.name}",
            p.value,
            trained.values[f.parameter],
        )
        for f, p in zip(spec.features, parameters, strict=True)
        if round(trained.values[f.parameter] - float(p.value), 9) != 0
    )
    return Fitted(changes, trained, tuple(examples), parameters)


def rationale(spec: Spec, found: Fitted) -> str:
    trained = found.trained
    sources = Counter(e.source for e in found.examples)
    distribution = Counter(e.label for e in found.examples)
    model = f"decision tree (depth {spec.depth})" if spec.model == "tree" else "logistic regression"
    return (
        f"Fit {spec.agent}'s rule to people's labels with a {model}: "
        f"{trained.examples} training examples (sources: "
        + ", ".join(f"{s} {n}" for s, n in sorted(sources.items()))
        + "; labels: "
        + ", ".join(f"{label} {n}" for label, n in sorted(distribution.items()))
        + f"); held-out accuracy {trained.before:.3f} -> {trained.after:.3f} "
        f"({trained.folds}-fold)."
    )


def rows(spec: Spec, found: Fitted) -> tuple[Mapping[str, str], ...]:
    new = {c.key: c.new for c in found.changes}
    found_rows = []
    for feature, parameter in zip(spec.features, found.parameters, strict=True):
        value = new.get(feature.parameter, parameter.value)
        found_rows.append(
            {
                "feature": feature.name,
                "parameter": feature.parameter,
                "rule": f"{feature.name} {feature.op} value",
                "old": f"{float(parameter.value):g}",
                "new": f"{float(value):g}" if isinstance(value, (int, float)) else str(value),
                "importance": f"{found.trained.importances[feature.name]:.3f}",
            }
        )
    return tuple(found_rows)


def evidence(
    context: Context, found: Fitted | families.FamilyFit | str, trade_off: Sequence[str] = ()
) -> Measure:
    """The training bundle for the report, with the diff compared against the refit."""
    minimum = configs.TRAINER.of(context.config).min_accuracy_delta

    def measure(candidate: Candidate) -> Training:
        if isinstance(found, str):
            return Training(0.0, 0.0, 0.0, minimum, 0, 0, {}, {}, {}, False, found)
        actual = {c.key: c.new for c in candidate.changes}
        expected = {c.key: c.new for c in found.changes}
        compared = Consistency.compare("the refit", expected, actual)
        trained = found.trained
        return Training(
            before=trained.before,
            after=trained.after,
            delta=round(trained.after - trained.before, 6),
            min_delta=minimum,
            folds=trained.folds,
            examples=trained.examples,
            label_distribution=_distribution(found),
            sources=_sources(found),
            feature_importances=dict(trained.importances),
            matches=compared.matches,
            difference=compared.difference,
            trade_off=tuple(trade_off),
        )

    return measure


def _distribution(found: Fitted | families.FamilyFit) -> dict[str, int]:
    if isinstance(found, families.FamilyFit):
        return {
            "fire": found.trained.positives,
            "quiet": found.trained.examples - found.trained.positives,
        }
    return dict(sorted(Counter(e.label for e in found.examples).items()))


def _sources(found: Fitted | families.FamilyFit) -> dict[str, int]:
    if isinstance(found, families.FamilyFit):
        return {"cases": len(found.cases)}
    return dict(sorted(Counter(e.source for e in found.examples).items()))
