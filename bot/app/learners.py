"""The b1e55ed learners (003) in the one pipeline: weights, karma and skills propose through the
sandbox, gate, pull request, check, merge and ledger like the backtest learner; forecasts
report on the dashboard, and the ensemble stays in shadow until it has enough outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import planning
from bot.app.evaluation import Evaluated
from bot.core import canonical, pipeline
from bot.core.history import History
from bot.core.learners import Candidate
from bot.core.learners import forecasts as forecasts_learner
from bot.core.learners import karma as karma_learner
from bot.core.learners import skills as skills_learner
from bot.core.learners import weights as weights_learner
from bot.core.params import Change
from bot.edges import outcomes, render, yamldoc
from bot.model import Config, Policy, Position, Problem, format_time, parse_time

ReadAt = Callable[[str, str], bytes | None]  # (commit, path) -> bytes, to read history
Extras = Callable[[Candidate], Mapping[str, Any]]


@dataclass
class Learned:
    """What the learners found this run."""

    outcomes: list[pipeline.Outcome] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Run:
    """What every learner step shares in one run."""

    evaluated: Evaluated
    history: History
    read_at: ReadAt
    shared: pipeline.Setting
    learned: Learned
    force: bool

    def judge(self, candidate: Candidate, learner: str, subject: str, extras: Extras) -> None:
        """Replay, gate and keep the candidate (or say why not), like any proposal."""
        changes = [c.describe() for c in candidate.changes]
        failure = f"{learner}_{canonical.short_digest([subject, changes, candidate.moves])}"
        judged = pipeline.judge(candidate, failure, self.shared, extras=extras)
        outcome = pipeline.outcome(
            subject,
            failure,
            learner=learner,
            evaluations=[judged],
            dropped=[],
            setting=self.shared,
            excluded=self.history.known_bad(),
        )
        if outcome.proposal is None:
            self.learned.notes.append(f"{learner}: no proposal: {outcome.reason}")
        self.learned.outcomes.append(outcome)

    def none(self, learner: str, subject: str, reason: str) -> None:
        self.learned.notes.append(f"{learner}: {reason}")
        self.learned.outcomes.append(pipeline.Outcome(subject, "", learner, None, None, (), reason))


def subject_of(learner: str, config: Config) -> str:
    """The subject (and so the branch) a learner's pull request lives on."""
    if learner == "weights":
        return f"weights/{config.learners.weights.policy}"
    if learner == "karma":
        return f"karma/{config.learners.karma.policy}"
    return "skills"


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
    run = _Run(evaluated, history, read_at, planning.setting(evaluated), learned, force)
    steps: tuple[tuple[str, bool, Callable[[_Run], None]], ...] = (
        ("weights", config.weights.enabled, _weights),
        ("karma", config.karma.enabled, _karma),
        ("skills", config.skills.enabled, _skills),
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
        found = _weights_inputs(evaluated)
        return None if isinstance(found, str) else _objective(found[0], found[1], evaluated)
    if subject == subject_of("karma", config):
        return _karma_check(evaluated)
    if subject == subject_of("skills", config):
        return _skills_check(evaluated)
    return None


# -- weights ---------------------------------------------------------------------------------


def _weights_inputs(evaluated: Evaluated) -> tuple[Policy, list[Position], list[Problem]] | str:
    config = evaluated.state.config.learners.weights
    policy = evaluated.state.policies.get(config.policy)
    if policy is None or policy.kind != "weights":
        return f"no weights policy {config.policy!r} in policies/"
    found, problems = outcomes.positions(evaluated.files, config.outcomes)
    return policy, found, problems


def _weights(run: _Run) -> None:
    evaluated = run.evaluated
    config = evaluated.state.config.learners.weights
    subject = subject_of("weights", evaluated.state.config)
    found = _weights_inputs(evaluated)
    if isinstance(found, str):
        run.learned.notes.append(f"weights: {found}")
        return
    policy, positions, problems = found
    run.learned.problems.extend(problems)
    promoted = _promoted_weights(run.history, subject, policy, run.read_at)
    if not run.force and promoted and evaluated.at - promoted[-1][0] < config.cadence_days * 86400:
        run.learned.notes.append(f"weights: not due (every {config.cadence_days} days)")
        return
    current = {name: float(p.value) for name, p in policy.parameters.items()}
    planned = _plan_weights(run, policy, current, positions, promoted)
    if isinstance(planned, str):
        run.none("weights", subject, planned)
        return
    new, kind, reasons = planned
    changes = tuple(
        Change(policy.name, f"parameters.{d}", round(current[d], 9), round(new[d], 9))
        for d in sorted(current)
        if round(new[d] - current[d], 9) != 0
    )
    if not changes:
        run.none("weights", subject, "no domain weight moved by a whole step")
        return
    rows = tuple(
        {
            "domain": d,
            "old": f"{current[d]:.4f}",
            "new": f"{new[d]:.4f}",
            "delta": f"{new[d] - current[d]:+.4f}",
            "why": reasons[d],
        }
        for d in sorted(current)
    )
    recent = weights_learner.window(positions, evaluated.at, config.window_days)
    lead = (
        "Revert the domain weights to the policy's defaults"
        if kind == "weights_revert"
        else ("Nudge the domain weights toward the domains that predicted outcomes")
    )
    rationale = f"{lead}: {len(recent)} positions in the last {config.window_days} days."
    readers = {
        i for c in changes for i in evaluated.params.readers(c.key, evaluated.cases.values())
    }
    candidate = Candidate(kind, changes, rationale, impact=tuple(sorted(readers)), explanation=rows)
    run.judge(candidate, "weights", subject, _objective(policy, positions, evaluated))


def _plan_weights(
    run: _Run,
    policy: Policy,
    current: Mapping[str, float],
    positions: Sequence[Position],
    promoted: Sequence[tuple[int, dict[str, float], dict[str, float]]],
) -> tuple[dict[str, float], str, dict[str, str]] | str:
    """(new weights, proposal type, why each moved), or why nothing changes."""
    config = run.evaluated.state.config.learners.weights
    step = min(p.step for p in policy.parameters.values())
    flags = weights_learner.degraded(promoted, positions, window_days=config.window_days)
    if weights_learner.should_revert(flags, config.degrade_cycles) and policy.defaults:
        defaults = weights_learner.on_grid(
            dict(policy.defaults), step=step, floor=config.floor, ceiling=config.ceiling
        )
        why = f"the last {config.degrade_cycles} adjustments each degraded performance"
        return defaults, "weights_revert", dict.fromkeys(current, why)
    adjusted = weights_learner.adjust(
        current, positions, now=run.evaluated.at, step=step, config=config
    )
    if isinstance(adjusted, str):
        return adjusted
    return dict(adjusted.new), "weight_adjustment", dict(adjusted.reasons)


def _promoted_weights(
    history: History, subject: str, policy: Policy, read_at: ReadAt
) -> list[tuple[int, dict[str, float], dict[str, float]]]:
    """(time, weights before, weights after) of every weights promotion not rolled back."""
    rolled_back = {e.get("reverted") for e in history.of_type("rollback")}
    found = []
    for entry in history.of_type("promotion"):
        if entry.get("subject") != subject or entry.get("commit") in rolled_back:
            continue
        before = _weights_at(read_at, str(entry.get("parent") or ""), policy)
        after = _weights_at(read_at, str(entry["commit"]), policy)
        if before and after:
            found.append((parse_time(str(entry["at"])), before, after))
    return found


def _weights_at(read_at: ReadAt, commit: str, policy: Policy) -> dict[str, float]:
    data = read_at(commit, policy.path) if commit else None
    if data is None:
        return {}
    parsed = yamldoc.parse(data.decode("utf-8"), path=policy.path).data or {}
    return {name: float(entry["value"]) for name, entry in parsed.get("parameters", {}).items()}


def _objective(policy: Policy, positions: Sequence[Position], evaluated: Evaluated) -> Extras:
    """The weights sandbox: the conviction's hit rate and correlation, old weights vs new."""
    config = evaluated.state.config.learners.weights
    recent = weights_learner.window(positions, evaluated.at, config.window_days)
    before = {name: float(p.value) for name, p in policy.parameters.items()}

    def objective(candidate: Candidate) -> Mapping[str, Any]:
        after = dict(before)
        for change in candidate.changes:
            kind, _, name = change.target.partition(".")
            if (
                change.policy == policy.name
                and kind == "parameters"
                and isinstance(change.new, (int, float))
            ):
                after[name] = float(change.new)
        hit_before, corr_before = weights_learner.objective(before, recent)
        hit_after, corr_after = weights_learner.objective(after, recent)
        defaults = policy.defaults
        is_revert = bool(defaults) and all(abs(after[d] - v) < 1e-9 for d, v in defaults.items())
        return {
            "objective": {
                "name": "correlation of the weighted conviction with outcomes",
                "before": round(corr_before, 6),
                "after": round(corr_after, 6),
                "delta": round(corr_after - corr_before, 6),
                "hit_rate_before": round(hit_before, 6),
                "hit_rate_after": round(hit_after, 6),
                "observations": len(recent),
                "required": not is_revert,
            }
        }

    return objective


# -- karma -----------------------------------------------------------------------------------


def _karma_update(
    evaluated: Evaluated,
) -> tuple[Policy, tuple[Change, ...], karma_learner.KarmaUpdate] | str:
    config = evaluated.state.config.learners.karma
    policy = evaluated.state.policies.get(config.policy)
    if policy is None or policy.kind != "karma":
        return f"no karma policy {config.policy!r} in policies/"
    positions, _ = outcomes.positions(evaluated.files, config.outcomes)
    update = karma_learner.update(
        {n: float(p.value) for n, p in policy.parameters.items()},
        positions,
        since=parse_time(policy.as_of) if policy.as_of else None,
        until=evaluated.at,
        alpha=config.alpha,
    )
    if update.folded == 0:
        return "no outcomes closed since the last update"
    changes = [
        Change(policy.name, f"parameters.{n}", p.value, update.values[n])
        for n, p in sorted(policy.parameters.items())
        if round(update.values[n] - float(p.value), 9) != 0
    ]
    changes.append(Change(policy.name, "as_of", policy.as_of, format_time(update.as_of)))
    return policy, tuple(changes), update


def _karma(run: _Run) -> None:
    evaluated = run.evaluated
    subject = subject_of("karma", evaluated.state.config)
    found = _karma_update(evaluated)
    if isinstance(found, str):
        run.none("karma", subject, found)
        return
    policy, changes, update = found
    if update.unknown:
        unknown = ", ".join(update.unknown)
        run.learned.notes.append(f"karma: no entry for producer(s) {unknown} in {policy.path}")
    rows = tuple(
        {"producer": c.target.split(".", 1)[1], "old": f"{c.old:+.6f}", "new": f"{c.new:+.6f}"}
        for c in changes
        if c.target.startswith("parameters.")
        and isinstance(c.old, (int, float))
        and isinstance(c.new, float)
    )
    alpha = evaluated.state.config.learners.karma.alpha
    rationale = (
        f"Fold {update.folded} closed positions into each contributing producer's karma "
        f"(EMA, alpha {alpha})."
    )
    candidate = Candidate("karma_update", changes, rationale, explanation=rows)
    run.judge(candidate, "karma", subject, _karma_check(evaluated))


def _karma_check(evaluated: Evaluated) -> Extras:
    found = _karma_update(evaluated)
    expected = {} if isinstance(found, str) else {c.key: c.new for c in found[1]}

    def check(candidate: Candidate) -> Mapping[str, Any]:
        actual = {c.key: c.new for c in candidate.changes}
        return {
            "consistency": _compare("the karma EMA recomputed from the outcomes", expected, actual)
        }

    return check


# -- skills ----------------------------------------------------------------------------------


def _skill_moves(evaluated: Evaluated) -> tuple[tuple[skills_learner.Move, ...], tuple[str, ...]]:
    config = evaluated.state.config.learners.skills
    texts = {}
    for state in (skills_learner.PENDING, skills_learner.ACTIVE, skills_learner.ARCHIVED):
        for path in evaluated.files.listdir(f"{config.path.rstrip('/')}/{state}", ".md"):
            texts[path] = (evaluated.files.read(path) or b"").decode("utf-8", errors="replace")
    return skills_learner.moves(texts, config)


def _skills(run: _Run) -> None:
    moves, unscored = _skill_moves(run.evaluated)
    if unscored:
        run.learned.notes.append(f"skills: no score line in {', '.join(unscored)}")
    if not moves:
        run.none("skills", "skills", "no skill crossed a threshold")
        return
    rows = tuple(
        {
            "skill": m.source.rsplit("/", 1)[1],
            "from": m.source.split("/")[-2],
            "to": m.target.split("/")[-2],
            "why": m.why,
        }
        for m in moves
    )
    candidate = Candidate(
        "skill_lifecycle",
        (),
        f"Move {len(moves)} skill file(s) by score.",
        moves=tuple((m.source, m.target) for m in moves),
        explanation=rows,
    )
    run.judge(candidate, "skills", "skills", _skills_check(run.evaluated))


def _skills_check(evaluated: Evaluated) -> Extras:
    moves, _ = _skill_moves(evaluated)
    expected = {m.source: m.target for m in moves}

    def check(candidate: Candidate) -> Mapping[str, Any]:
        return {
            "consistency": _compare("the moves the scores dictate", expected, dict(candidate.moves))
        }

    return check


def _compare(rule: str, expected: Mapping[str, Any], actual: Mapping[str, Any]) -> dict[str, Any]:
    differing = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
    difference = ", ".join(f"{k}: {actual.get(k)!r} vs {expected.get(k)!r}" for k in differing[:5])
    return {"rule": rule, "matches": not differing, "difference": difference}


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
