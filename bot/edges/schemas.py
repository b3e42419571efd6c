"""The packaged JSON Schemas: validate a parsed document and report every problem with its line."""

from __future__ import annotations

import copy
import json
import math
import sys
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from bot.core.jsonline import MAX_INT
from bot.core.learners.catalog import SETTINGS
from bot.edges.yamldoc import Document, pointer_of
from bot.model import Problem
from bot.model.config import LearnerSettings

KINDS = (
    "policy",
    "case",
    "event",
    "config",
    "position",
    "forecast",
    "run",
    "rollout",
    "label",
    "evaluation",
)


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of state file (the config's with every learner's section)."""
    return _config(learner_settings()) if kind == "config" else _packaged(kind)


def learner_settings() -> tuple[LearnerSettings[Any], ...]:
    """Every section of `learners:`: the catalog's, then those of the learners registered
    beyond it (a repository's own); the registry is read once loaded: it imports numpy (#17)."""
    registry = sys.modules.get("bot.core.learners.registry")
    registered = registry.LEARNERS.values() if registry is not None else ()
    extra = [r.settings for r in registered if r.settings.key not in SETTINGS]
    return (*SETTINGS.values(), *extra)


@cache
def _packaged(kind: str) -> dict[str, Any]:
    path = resources.files("bot.schemas")
    for part in f"{kind}.schema.json".split("/"):  # one at a time: a namespace package's path
        path = path.joinpath(part)
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


@cache
def _config(declared: tuple[LearnerSettings[Any], ...]) -> dict[str, Any]:
    root = copy.deepcopy(_packaged("config"))
    root["properties"]["learners"]["properties"] = {
        s.key: _packaged(s.schema) if isinstance(s.schema, str) else dict(s.schema)
        for s in declared
    }
    return root


def _validator(kind: str) -> jsonschema.Draft7Validator:
    return _config_validator(learner_settings()) if kind == "config" else _packaged_validator(kind)


@cache
def _packaged_validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_packaged(kind))


@cache
def _config_validator(declared: tuple[LearnerSettings[Any], ...]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_config(declared))


def check(document: Document, kind: str) -> list[Problem]:
    """Every schema violation of `document`, with file, JSON pointer and line, in order."""
    problems = [
        Problem(document.path, line, pointer, "duplicate key (YAML keeps only the last one)")
        for pointer, line in document.duplicates
    ]
    problems.extend(_value_problems(document))
    for error in _validator(kind).iter_errors(document.data):
        problems.extend(_describe(document, error))
    return sorted(set(problems), key=lambda p: (p.line, p.pointer, p.message))


def check_value(value: Any, kind: str | Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, message) for every schema violation of a plain value (a JSONL line).

    `kind` names a packaged schema, or is a schema (a learner's own input).
    """
    validator = _validator(kind) if isinstance(kind, str) else jsonschema.Draft7Validator(kind)
    return [
        (pointer_of(error.absolute_path) or "/", error.message)
        for error in validator.iter_errors(value)
    ]


def export(directory: Path) -> list[Path]:
    """Write every schema into `directory` for editors; return the written paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        target = directory / f"learnbot-{kind}.schema.json"
        target.write_text(json.dumps(schema(kind), indent=2, sort_keys=True) + "\n", "utf-8")
        written.append(target)
    return written


def _value_problems(document: Document) -> list[Problem]:
    """Keys that are not strings, numbers that are not finite or do not fit in 64 bits: JSON
    Schema lets these through (NaN compares false with every bound), the loop cannot use them."""
    found: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", document.data)]
    while stack:
        pointer, value = stack.pop()
        message = ""
        if isinstance(value, dict):
            for key, item in value.items():
                child = pointer + pointer_of([key])
                if not isinstance(key, str):
                    line = document.line_of(child)
                    found.append(Problem(document.path, line, child, f"key {key!r} must be text"))
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", item) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            message = f"{value} is not a finite number"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            message = "the integer does not fit in 64 bits"
        if message:
            found.append(Problem(document.path, document.line_of(pointer), pointer or "/", message))
    return found


def _describe(document: Document, error: jsonschema.ValidationError) -> list[Problem]:
    pointer = pointer_of(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(
                document.path,
                document.line_of(f"{pointer}/{key}"),
                f"{pointer}/{key}",
                f"unknown key {key!r} (allowed: {', '.join(sorted(allowed)) or 'none'})",
            )
            for key in sorted(set(error.instance) - allowed, key=str)
        ]
    message = _literal_message(error) or error.message
    return [Problem(document.path, document.line_of(pointer), pointer or "/", message)]


def _literal_message(error: jsonschema.ValidationError) -> str | None:
    """A number where a `policy.parameter` reference belongs: say so, not just its type (#16)."""
    value = error.instance
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if error.schema.get("description") != "policy.parameter" or not is_number:
        return None
    return (
        f"{value} is a number where a reference is required: a case never hard-codes a "
        f"learnable number; put {value} in a policy parameter and write `policy.parameter`"
    )
