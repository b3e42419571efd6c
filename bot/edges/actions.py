"""The GitHub Actions runtime: event in; outputs, step summary and annotations out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from bot.core import jsonline
from bot.errors import ConfigError
from bot.model import Problem, parse_time


def read_event(path: Path | None) -> dict[str, Any]:
    """The triggering event's payload (empty when there is none, e.g. a local run)."""
    if path is None:
        return {}
    try:
        data = jsonline.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{path}: cannot read the event payload ($GITHUB_EVENT_PATH): {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the event payload is not a JSON object")
    wrong = _event_problem(data)
    if wrong:
        raise ConfigError(f"{path}: event payload {wrong}", hint="is $GITHUB_EVENT_PATH an event?")
    return data


# The fields learnbot reads from a payload, and what each must be when present.
_EVENT_OBJECTS = ("repository", "head_commit", "pull_request")
_EVENT_STRINGS = (
    ("repository", "default_branch"),
    ("head_commit", "timestamp"),
    ("pull_request", "closed_at"),
    ("pull_request", "updated_at"),
)


def _event_problem(data: Mapping[str, Any]) -> str:
    """Why the payload cannot be used ('' when it can): checked once, before any field is read."""
    for key in _EVENT_OBJECTS:
        if data.get(key) is not None and not isinstance(data[key], dict):
            return f"/{key}: must be an object"
    for key, field in _EVENT_STRINGS:
        value = (data.get(key) or {}).get(field)
        if value is not None and not isinstance(value, str):
            return f"/{key}/{field}: must be a string"
    pull = data.get("pull_request")
    if pull is None:
        return ""
    head = pull.get("head")
    if not isinstance(head, dict):
        return "/pull_request/head: required, an object with sha and ref"
    for field in ("sha", "ref"):
        if not isinstance(head.get(field), str) or not head[field]:
            return f"/pull_request/head/{field}: required, a non-empty string"
    return ""


def event_time(event: Mapping[str, Any]) -> int | None:
    """When the triggering event happened (a push's head commit, a pull request's close)."""
    candidates = [
        (event.get("head_commit") or {}).get("timestamp"),
        (event.get("pull_request") or {}).get("closed_at"),
        (event.get("pull_request") or {}).get("updated_at"),
        (event.get("comment") or {}).get("created_at"),
    ]
    for stamp in candidates:
        if isinstance(stamp, str) and stamp:
            try:
                return parse_time(stamp)
            except ValueError:
                continue
    return None


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotate(problems: Iterable[Problem], stream: TextIO) -> None:
    """One `::error file=...,line=...::` workflow command per problem."""
    for problem in problems:
        where = f"file={_escape_property(problem.path)},line={problem.line}"
        message = f"{problem.pointer}: {problem.message}" if problem.pointer else problem.message
        stream.write(f"::error {where}::{_escape_data(message)}\n")


def set_outputs(path: Path | None, outputs: Mapping[str, object]) -> None:
    """Append step outputs to $GITHUB_OUTPUT (multi-line safe)."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            if "\n" in text:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
            else:
                handle.write(f"{name}={text}\n")


def write_summary(path: Path | None, markdown: str) -> None:
    """Append rendered Markdown to the job's step summary."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n")
