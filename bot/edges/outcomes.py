"""Run and rollout metrics (JSONL), each line schema-validated.

The registered learners' own inputs are loaded by `inputs`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.core import jsonline
from bot.edges import schemas
from bot.edges.files import Files
from bot.model import Problem, RunMetrics, Sample

T = TypeVar("T")


def _load(
    files: Files, path: str, kind: str, build: Callable[[Any], T]
) -> tuple[list[T], list[Problem]]:
    found, problems = _lines(files, path, kind)
    return [build(value) for _, value in found], problems


def _lines(files: Files, path: str, kind: str) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """(line number, value) of every valid line; a problem for every invalid one."""
    data = files.read(path)
    if data is None:
        return [], []
    found: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for number, line in jsonline.numbered(data):
        try:
            value = jsonline.loads(line)
        except jsonline.LineError as exc:
            problems.append(Problem(path, number, "", str(exc)))
            continue
        violations = schemas.check_value(value, kind)
        if violations:
            problems.extend(Problem(path, number, p, m) for p, m in violations)
            continue
        found.append((number, value))
    return found, problems


def runs(files: Files, path: str) -> tuple[list[RunMetrics], list[Problem]]:
    """Run metrics, oldest first; invalid lines are problems and left out."""
    found, problems = _lines(files, path, "run")
    built = [RunMetrics.from_dict(value, line) for line, value in found]
    return sorted(built, key=lambda r: (r.at, r.run_id)), problems


def rollout_path(folder: str, policy: str) -> str:
    """Where the team's system appends a policy's rollout metrics."""
    return f"{folder.rstrip('/')}/{policy}.jsonl"


def rollout_samples(files: Files, folder: str, policy: str) -> tuple[list[Sample], list[Problem]]:
    """A policy's rollout metrics, oldest first; invalid lines are problems and left out."""
    found, problems = _load(files, rollout_path(folder, policy), "rollout", Sample.from_dict)
    return sorted(found, key=lambda s: (s.ts, s.arm)), problems
