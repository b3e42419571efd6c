"""The weights learner's app side: outcomes in, a bounded weight change through the pipeline.

The arithmetic is in bot.core.learners.weights; this module reads the positions and the
promotion history, and attaches the weights sandbox (the objective) to the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.app.evaluation import Evaluated
from bot.app.learner_run import Extras, LearnerRun, ReadAt, subject_of
from bot.core.history import History
from bot.core.learners import Candidate
from bot.core.learners import weighting as weights_learner
from bot.core.params import Change
from bot.edges import outcomes, yamldoc
from bot.model import Policy, Position, Problem, parse_time


def inputs(evaluated: Evaluated) -> tuple[Policy, list[Position], list[Problem]] | str:
    config = evaluated.state.config.learners.weights
    policy = evaluated.state.policies.get(config.policy)
    if policy is None or policy.kind != "weights":
        return f"no weights policy {config.policy!r} in policies/"
    found, problems = outcomes.positions(evaluated.files, config.outcomes)
    return policy, found, problems


def step(run: LearnerRun) -> None:
    evaluated = run.evaluated
    config = evaluated.state.config.learners.weights
    subject = subject_of("weights", evaluated.state.config)
    found = inputs(evaluated)
    if isinstance(found, str):
        run.learned.notes.append(f"weights: {found}")
        return
    policy, positions, problems = found
    run.learned.problems.extend(problems)
    promoted = _promoted_weights(run.history, subject, policy, run.read_at)
    if not run.force and promoted and evaluated.at - promoted[-1][0] < config.cadence_days * 86400:
        run.learned.notes.append(f"weights: not due (every {config.cadence_days} days)")
        return
    current = policy.values()
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
        else "Nudge the domain weights toward the domains that predicted outcomes"
    )
    rationale = f"{lead}: {len(recent)} positions in the last {config.window_days} days."
    readers = {
        i for c in changes for i in evaluated.params.readers(c.key, evaluated.cases.values())
    }
    candidate = Candidate(kind, changes, rationale, impact=tuple(sorted(readers)), explanation=rows)
    run.judge(candidate, "weights", subject, objective(policy, positions, evaluated))


def _plan_weights(
    run: LearnerRun,
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
    parsed = yamldoc.parse_bytes(data, path=policy.path).data or {}
    return {name: float(entry["value"]) for name, entry in parsed.get("parameters", {}).items()}


def objective(policy: Policy, positions: Sequence[Position], evaluated: Evaluated) -> Extras:
    """The weights sandbox: the conviction's hit rate and correlation, old weights vs new."""
    config = evaluated.state.config.learners.weights
    recent = weights_learner.window(positions, evaluated.at, config.window_days)
    before = policy.values()

    def measure(candidate: Candidate) -> Mapping[str, Any]:
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

    return measure
