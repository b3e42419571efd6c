"""Outcome files (JSONL): closed positions, resolved forecasts and run metrics, each line
schema-validated."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from bot.edges import schemas
from bot.edges.files import Files
from bot.model import Forecast, Position, Problem, RunMetrics

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
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(path, number, "", f"invalid JSON: {exc.args[0]}"))
            continue
        violations = schemas.check_value(value, kind)
        if violations:
            problems.extend(Problem(path, number, p, m) for p, m in violations)
            continue
        found.append((number, value))
    return found, problems


def positions(files: Files, path: str) -> tuple[list[Position], list[Problem]]:
    """Closed positions; invalid lines are problems and left out."""
    found, problems = _load(files, path, "position", Position.from_dict)
    problems += [
        Problem(path, 1, "/closed_at", f"{p.id}: closed before it opened")
        for p in found
        if p.closed_at < p.opened_at
    ]
    return [p for p in found if p.closed_at >= p.opened_at], problems


def forecasts(files: Files, path: str) -> tuple[list[Forecast], list[Problem]]:
    """Resolved forecasts; invalid lines are problems and left out."""
    return _load(files, path, "forecast", Forecast.from_dict)


def runs(files: Files, path: str) -> tuple[list[RunMetrics], list[Problem]]:
    """Run metrics, oldest first; invalid lines are problems and left out."""
    found, problems = _lines(files, path, "run")
    built = [RunMetrics.from_dict(value, line) for line, value in found]
    return sorted(built, key=lambda r: (r.at, r.run_id)), problems
