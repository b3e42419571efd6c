"""The b1e55ed learners (003) in the one pipeline: weights, karma and skills propose through the
sandbox, gate, pull request, check, merge and ledger like the backtest learner; forecasts
report on the dashboard, and the ensemble stays in shadow until it has enough outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bot.app import planning, recomputed, weights
from bot.app.evaluation import Evaluated
from bot.app.learner_run import Extras, Learned, LearnerRun, ReadAt, subject_of
from bot.core.history import History
from bot.core.learners import forecasts as forecasts_learner
from bot.edges import outcomes, render

__all__ = ["Learned", "ReadAt", "extras_for", "learn", "subject_of"]


def learn(
    evaluated: Evaluated,
    history: History,
    read_at: ReadAt,
    *,
    only: str | None = None,
    force: bool = False,
    templates: Sequence[Path] = (),
) -> Learned:
    """Run every enabled learner (or `only` one); weights only when due unless `force`."""
    config = evaluated.state.config.learners
    learned = Learned()
    run = LearnerRun(evaluated, history, read_at, planning.setting(evaluated), learned, force)
    steps: tuple[tuple[str, bool, Callable[[LearnerRun], None]], ...] = (
        ("weights", config.weights.enabled, weights.step),
        ("karma", config.karma.enabled, recomputed.karma),
        ("skills", config.skills.enabled, recomputed.skills),
    )
    for name, enabled, step in steps:
        if enabled and only in (None, name):
            learned.subjects.add(subject_of(name, evaluated.state.config))
            step(run)
    if config.forecasts.enabled and only in (None, "forecasts"):
        _forecasts(evaluated, learned, templates or render.template_dirs(None))
    return learned


def extras_for(
    subject: str, evaluated: Evaluated, history: History, read_at: ReadAt
) -> Extras | None:
    """The objective or recomputation a learner's branch is gated on (None for a case)."""
    config = evaluated.state.config
    if subject == subject_of("weights", config):
        found = weights.inputs(evaluated)
        return None if isinstance(found, str) else weights.objective(found[0], found[1], evaluated)
    if subject == subject_of("karma", config):
        return recomputed.karma_check(evaluated)
    if subject == subject_of("skills", config):
        return recomputed.skills_check(evaluated)
    return None


# -- forecasts -------------------------------------------------------------------------------


def _forecasts(evaluated: Evaluated, learned: Learned, templates: Sequence[Path]) -> None:
    config = evaluated.state.config.learners.forecasts
    found, problems = outcomes.forecasts(evaluated.files, config.outcomes)
    learned.problems.extend(problems)
    if not found:
        return
    ensemble = forecasts_learner.ensemble(found, activation=config.activation)
    context = {
        "producers": forecasts_learner.performance(found),
        "regimes": forecasts_learner.performance(found, by_regime=True),
        "ensemble": ensemble,
        "shadow": config.shadow or not ensemble.active,
    }
    learned.sections.append(render.render("forecasts.md.j2", context, dirs=templates))
