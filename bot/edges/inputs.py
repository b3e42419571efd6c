"""The files learners read: JSONL lines validated against their schema, or text files.

Each learner declares its inputs (bot.core.learners: `Lines`, `Texts`); this module loads
them. A file read by several learners is read and reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.core import jsonline
from bot.edges import schemas
from bot.edges.files import Files
from bot.model import Config, Problem
from bot.model.inputs import Folder, Input, Lines, Texts


def load(
    files: Files, config: Config, inputs: Iterable[Input]
) -> tuple[dict[str, tuple[Any, ...]], list[Problem]]:
    """name -> records (or (path, text) pairs) for each input, and the problems found."""
    loaded: dict[str, tuple[Any, ...]] = {}
    problems: list[Problem] = []
    for source in inputs:
        if isinstance(source, Texts):
            loaded[source.name] = _texts(files, source.directories(config), source.suffix)
        elif isinstance(source, Folder):
            loaded[source.name], trouble = _folder(files, source, config)
            problems.extend(p for p in trouble if p not in problems)
        else:
            found, trouble = lines(files, source, config)
            loaded[source.name] = found
            problems.extend(p for p in trouble if p not in problems)
    return loaded, problems


def paths(config: Config, inputs: Iterable[Input]) -> tuple[str, ...]:
    """Where these inputs are read from: a file's path, or a directory's (ending in /)."""
    found: list[str] = []
    for source in inputs:
        if isinstance(source, Texts):
            found += [d.rstrip("/") + "/" for d in source.directories(config)]
        elif isinstance(source, Folder):
            found.append(source.directory(config).rstrip("/") + "/")
        else:
            found.append(source.path(config))
    return tuple(sorted(set(found)))


def lines(
    files: Files, source: Lines[Any], config: Config
) -> tuple[tuple[Any, ...], list[Problem]]:
    """A JSONL input's valid records; invalid lines are problems and left out."""
    path = source.path(config)
    data = files.read(path)
    if data is None:
        return (), []
    found: list[Any] = []
    problems: list[Problem] = []
    for number, line in jsonline.numbered(data):
        try:
            value = jsonline.loads(line)
        except jsonline.LineError as exc:
            problems.append(Problem(path, number, "", str(exc)))
            continue
        violations = schemas.check_value(value, source.schema)
        if violations:
            problems.extend(Problem(path, number, p, m) for p, m in violations)
            continue
        record = source.build(value)
        trouble = source.check(record)
        if trouble is not None:
            problems.append(Problem(path, number, *trouble))
            continue
        found.append(record)
    return tuple(found), problems


def _folder(
    files: Files, source: Folder[Any], config: Config
) -> tuple[tuple[tuple[str, tuple[Any, ...]], ...], list[Problem]]:
    """(key, records) for every `<key>.jsonl` in the folder, and the problems of its lines."""
    found, problems = [], []
    for path in files.listdir(source.directory(config).rstrip("/"), ".jsonl"):
        each: Lines[Any] = Lines(source.name, _fixed_path(path), source.schema, source.build)
        records, trouble = lines(files, each, config)
        found.append((path.rsplit("/", 1)[-1].removesuffix(".jsonl"), records))
        problems.extend(trouble)
    return tuple(found), problems


def _fixed_path(path: str) -> Callable[[Config], str]:
    return lambda _: path


def _texts(files: Files, directories: Iterable[str], suffix: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (path, (files.read(path) or b"").decode("utf-8", errors="replace"))
        for directory in directories
        for path in files.listdir(directory, suffix)
    )
