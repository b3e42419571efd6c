"""The label learners' input: every file under the labels folder, parsed in the core.

Examples live in one file per agent (`<agent>.jsonl`) and judge evaluations beside them
(`<agent>.evaluations.jsonl`); `learnbot validate` checks every line against its schema. A
line that does not parse into a value is left out here (validate names it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import jsonline
from bot.core.learners import Context, catalog, configs
from bot.model.labels import Evaluation, Example

EVALUATIONS = ".evaluations.jsonl"
LABELS = catalog.LABELS


def _records(context: Context, name: str) -> list[Mapping[str, Any]]:
    directory = configs.LABELS.of(context.config).path.rstrip("/")
    text = context.texts(LABELS).get(f"{directory}/{name}")
    if text is None:
        return []
    found: list[Mapping[str, Any]] = []
    for _, line in jsonline.numbered(text.encode("utf-8")):
        try:
            value = jsonline.loads(line)
        except jsonline.LineError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def examples(context: Context, agent: str) -> tuple[Example, ...]:
    """The agent's labeled examples that parse, in file order."""
    found = []
    for value in _records(context, f"{agent}.jsonl"):
        try:
            example = Example.from_dict(value)
        except (KeyError, TypeError, ValueError):
            continue
        if example.agent == agent and 0 <= example.confidence <= 100:
            found.append(example)
    return tuple(found)


def evaluations(context: Context, agent: str) -> tuple[Evaluation, ...]:
    """The agent's judge evaluations that parse."""
    found = []
    for value in _records(context, f"{agent}{EVALUATIONS}"):
        try:
            found.append(Evaluation.from_dict(agent, value))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(found)
