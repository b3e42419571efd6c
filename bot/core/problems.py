"""Problems reported by their root cause: follow-on errors left out, their subjects named (#16)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.model import Problem

SNAPSHOT_PIN = "/snapshot/sha256"


def root_causes(
    problems: Sequence[Problem], dependents: Mapping[str, Sequence[str]]
) -> tuple[Problem, ...]:
    """Every root cause once (#16): an invalid policy names the cases it left out, a changed
    snapshot is reported on the first case pinning it, naming the others."""
    unique = sorted(set(problems))
    pinned: dict[str, list[Problem]] = {}
    for problem in unique:
        if problem.pointer == SNAPSHOT_PIN:
            pinned.setdefault(problem.message, []).append(problem)
    noted: set[str] = set()
    result = []
    for problem in unique:
        cases = dependents.get(problem.path)
        same = pinned.get(problem.message, []) if problem.pointer == SNAPSHOT_PIN else []
        note = ""
        if cases and problem.path not in noted:
            noted.add(problem.path)
            note = f" ({len(cases)} case(s) that use it left out until it is fixed: "
            note += _names(cases) + ")"
        elif same and same[0] is not problem:
            continue
        elif len(same) > 1:
            others = [_stem(p.path) for p in same[1:]]
            note = f" (also pinned by {len(others)}: {_names(others)})"
        result.append(_noted(problem, note) if note else problem)
    return tuple(result)


def _noted(problem: Problem, note: str) -> Problem:
    return Problem(problem.path, problem.line, problem.pointer, problem.message + note)


def _names(names: Sequence[str], shown: int = 5) -> str:
    ordered = sorted(names)
    return ", ".join(ordered[:shown]) + (", ..." if len(ordered) > shown else "")


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
