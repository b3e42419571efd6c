"""The label learners' input: examples and evaluations parsed from the labels folder's texts."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from bot.core.learners import Context, configs, labeled
from bot.core.learners.configs import LabelsLearnerConfig
from bot.core.params import Params
from bot.model import Config, parse_time

AT = "2026-01-10T00:00:00Z"


def _example(key: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agent": "triage",
        "key": key,
        "payload": {"risk": 70},
        "label": "bad",
        "source": "gold",
        "source_id": f"g-{key}",
        "confidence": 90,
        "at": AT,
    }
    return {**data, **extra}


def _context(files: dict[str, str], path: str = "cases/labels") -> Context:
    config = Config()
    learners = config.learners.replaced(configs.LABELS, LabelsLearnerConfig(path=path))
    return Context(
        config=replace(config, learners=learners),
        cases={},
        params=Params({}),
        snapshots={},
        failures=(),
        at=parse_time(AT),
        inputs={"labels": tuple(sorted(files.items()))},
    )


def _lines(*values: Any) -> str:
    return "".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in values)


def test_labeled_examples_keep_file_order_and_skip_what_does_not_parse() -> None:
    text = _lines(
        _example("b"),
        "{not json",
        [1, 2],  # a value, but not a record
        {"agent": "triage"},  # a record missing its fields
        _example("c", confidence="high"),  # not a number
        _example("d", agent="other"),  # filed under the wrong agent
        _example("e", confidence=101),  # out of range
        _example("f", confidence=-1),
        _example("a", confidence=0),
        _example("g", confidence=100),
    )
    found = labeled.examples(_context({"cases/labels/triage.jsonl": text}), "triage")
    assert [e.key for e in found] == ["b", "a", "g"]
    assert found[0].payload == {"risk": 70} and found[0].at == parse_time(AT)


def test_labeled_files_are_found_under_the_configured_folder_without_its_slash() -> None:
    text = _lines(_example("k"))
    context = _context({"data/labels/triage.jsonl": text}, path="data/labels/")
    assert [e.key for e in labeled.examples(context, "triage")] == ["k"]
    # an agent without a file has no examples, nor evaluations
    assert labeled.examples(context, "billing") == ()
    assert labeled.evaluations(context, "triage") == ()


def test_labeled_evaluations_belong_to_the_agent_of_their_file() -> None:
    verdict = {"verdict": "bad", "confidence": 0.8}
    text = _lines(
        {"key": "x", "payload": {"risk": 1}, "judges": {"gpt": verdict}, "at": AT},
        {"key": "y", "judges": {"gpt": {"verdict": "ok"}}, "at": AT},  # no confidence
        {"key": "z", "at": AT},  # no judges
        "7",
        {"key": "w", "judges": {}, "at": AT},
    )
    context = _context({f"cases/labels/triage{labeled.EVALUATIONS}": text})
    found = labeled.evaluations(context, "triage")
    assert [(e.agent, e.key) for e in found] == [("triage", "x"), ("triage", "w")]
    assert found[0].judges["gpt"].confidence == 0.8 and found[1].payload == {}
    # the evaluations file is not read as examples
    assert labeled.examples(context, "triage") == ()
