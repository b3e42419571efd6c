"""Learners whose change is a recomputation (karma, skills): the check recomputes and compares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.app.evaluation import Evaluated
from bot.app.learner_run import Extras, LearnerRun, subject_of
from bot.core.learners import Candidate
from bot.core.learners import karma as karma_learner
from bot.core.learners import skills as skills_learner
from bot.core.params import Change
from bot.edges import outcomes
from bot.model import Policy, format_time, parse_time


def _karma_update(
    evaluated: Evaluated,
) -> tuple[Policy, tuple[Change, ...], karma_learner.KarmaUpdate] | str:
    config = evaluated.state.config.learners.karma
    policy = evaluated.state.policies.get(config.policy)
    if policy is None or policy.kind != "karma":
        return f"no karma policy {config.policy!r} in policies/"
    positions, _ = outcomes.positions(evaluated.files, config.outcomes)
    update = karma_learner.update(
        policy.values(),
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


def karma(run: LearnerRun) -> None:
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
    run.judge(candidate, "karma", subject, _karma_consistency({c.key: c.new for c in changes}))


def karma_check(evaluated: Evaluated) -> Extras:
    """Gate a karma branch on the EMA recomputed from the base branch's outcomes."""
    found = _karma_update(evaluated)
    return _karma_consistency({} if isinstance(found, str) else {c.key: c.new for c in found[1]})


def _karma_consistency(expected: Mapping[str, Any]) -> Extras:
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


def skills(run: LearnerRun) -> None:
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
    run.judge(candidate, "skills", "skills", _skills_consistency(moves))


def skills_check(evaluated: Evaluated) -> Extras:
    """Gate a skills branch on the moves the scores on the base branch dictate."""
    return _skills_consistency(_skill_moves(evaluated)[0])


def _skills_consistency(moves: tuple[skills_learner.Move, ...]) -> Extras:
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
