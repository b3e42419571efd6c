"""Label files: cases/labels/<agent>.jsonl (examples) and <agent>.evaluations.jsonl (judges).

Each line is schema-validated; a line with a problem is reported (file, line, JSON pointer)
and left out, the others still load. Lines are written as canonical JSON, one per line, so
an import appends bytes and the same examples always give the same file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from bot.core import canonical
from bot.edges import schemas
from bot.edges.files import Files
from bot.model import Problem
from bot.model.labels import Evaluation, Example

EVALUATIONS = ".evaluations.jsonl"


def example_path(directory: str, agent: str) -> str:
    return f"{directory.rstrip('/')}/{agent}.jsonl"


def evaluations_path(directory: str, agent: str) -> str:
    return f"{directory.rstrip('/')}/{agent}{EVALUATIONS}"


def agents(files: Files, directory: str) -> tuple[str, ...]:
    """Every agent with a labels file."""
    return tuple(
        PurePosixPath(p).name.removesuffix(".jsonl")
        for p in files.listdir(directory, ".jsonl")
        if not p.endswith(EVALUATIONS)
    )


def _lines(files: Files, path: str) -> list[tuple[int, Any, list[Problem]]]:
    data = files.read(path)
    if data is None:
        return []
    found: list[tuple[int, Any, list[Problem]]] = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line), []))
        except ValueError as exc:
            found.append(
                (number, None, [Problem(path, number, "", f"invalid JSON: {exc.args[0]}")])
            )
    return found


def examples(files: Files, directory: str, agent: str) -> tuple[list[Example], list[Problem]]:
    """The agent's labeled examples, in file order; invalid lines are problems."""
    path = example_path(directory, agent)
    found: list[Example] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, value, bad in _lines(files, path):
        problems += bad
        if value is None:
            continue
        violations = schemas.check_value(value, "label")
        if violations:
            problems += [Problem(path, number, p, m) for p, m in violations]
            continue
        if value["agent"] != agent:
            problems.append(
                Problem(
                    path, number, "/agent", f"{value['agent']!r} must equal the file's {agent!r}"
                )
            )
            continue
        ident = (value["source"], value["source_id"])
        if ident in seen:
            problems.append(
                Problem(
                    path, number, "/source_id", f"{ident[0]} {ident[1]} repeats line {seen[ident]}"
                )
            )
            continue
        seen[ident] = number
        found.append(Example.from_dict(value))
    return found, problems


def evaluations(files: Files, directory: str, agent: str) -> tuple[list[Evaluation], list[Problem]]:
    """The agent's judge evaluations; invalid lines are problems."""
    path = evaluations_path(directory, agent)
    found: list[Evaluation] = []
    problems: list[Problem] = []
    for number, value, bad in _lines(files, path):
        problems += bad
        if value is None:
            continue
        violations = schemas.check_value(value, "evaluation")
        if violations:
            problems += [Problem(path, number, p, m) for p, m in violations]
            continue
        found.append(Evaluation.from_dict(agent, value))
    return found, problems


def problems(files: Files, directory: str) -> list[Problem]:
    """Every problem in every label and evaluation file (for `learnbot validate`)."""
    found: list[Problem] = []
    for agent in agents(files, directory):
        found += examples(files, directory, agent)[1]
    for path in files.listdir(directory, EVALUATIONS):
        agent = PurePosixPath(path).name.removesuffix(EVALUATIONS)
        found += evaluations(files, directory, agent)[1]
    return found


def encode(items: Sequence[Example]) -> bytes:
    """Examples as canonical JSON lines."""
    return b"".join(canonical.encode(e.as_dict()) + b"\n" for e in items)


def appended(current: bytes | None, items: Sequence[Example]) -> bytes:
    """The file with `items` appended (a missing final newline is added first)."""
    base = current or b""
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return base + encode(items)


def payload_summary(payload: Mapping[str, Any], limit: int = 80) -> str:
    """A short one-line view of a (redacted) payload for the review queue."""
    text = ", ".join(f"{k}={canonical.dumps(v)}" for k, v in sorted(payload.items()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
