"""A toy learner, as a user would write one: one module, one line in the registry.

It reads `cases/outcomes/nudges.jsonl` (lines `{"parameter": "policy.name", "value": N}`),
or the file `learners.nudge.path` names in `.github/learnbot.yml` (its settings, declared
here), and proposes setting each named parameter to its value. `check` re-derives the same
values from the base branch's file, so a hand-edited branch that differs fails the gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.gate import SAFETY, AllOf, MatchesRecomputation
from bot.core.learners import Candidate, Candidates, Context, Measure, Section, Skip, failure_id
from bot.model import Config
from bot.model.config import LearnerSettings
from bot.model.inputs import Input, Lines
from bot.model.proposal import Change
from bot.model.report import Consistency


@dataclass(frozen=True)
class Nudge:
    parameter: str
    value: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Nudge:
        return cls(str(data["parameter"]), float(data["value"]))


@dataclass(frozen=True)
class NudgeSettings:
    """`learners.nudge` in `.github/learnbot.yml`: every key with its default."""

    path: str = "cases/outcomes/nudges.jsonl"


SETTINGS = LearnerSettings(
    "nudge",
    NudgeSettings,
    {
        "description": "Parameters set to the values a file asks for.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {
                "type": "string",
                "default": NudgeSettings.path,
                "description": "The JSONL file of nudges it reads.",
            }
        },
    },
    paths=("path",),
)

NUDGES = Lines(
    "nudges",
    lambda config: SETTINGS.of(config).path,
    {
        "type": "object",
        "required": ["parameter", "value"],
        "additionalProperties": False,
        "properties": {"parameter": {"type": "string"}, "value": {"type": "number"}},
    },
    Nudge.from_dict,
)


@dataclass(frozen=True)
class NudgeLearner:
    name: str = "nudge"
    inputs: tuple[Input, ...] = (NUDGES,)
    settings: LearnerSettings[NudgeSettings] = SETTINGS
    proposal_types: tuple[str, ...] = ("nudge",)

    def enabled(self, config: Config) -> bool:
        return True

    def subjects(self, context: Context) -> tuple[str, ...]:
        return ("nudges",)

    def candidates(self, context: Context, subject: str) -> Candidates | Skip:
        changes = _changes(context)
        if not changes:
            return Skip("no parameter to nudge", conclusive=True)
        candidate = Candidate("nudge", changes, f"Nudge {len(changes)} parameter(s) as asked.")
        return Candidates(failure_id(self.name, subject, candidate), (candidate,))

    def rules(self) -> AllOf:
        return AllOf(MatchesRecomputation(), *SAFETY)

    def measure(self, context: Context, subject: str) -> Measure:
        expected = {c.key: c.new for c in _changes(context)}

        def check(candidate: Candidate) -> Consistency:
            actual = {c.key: c.new for c in candidate.changes}
            return Consistency.compare("the nudges file", expected, actual)

        return check

    def sections(self, context: Context) -> tuple[Section, ...]:
        return ()


def _changes(context: Context) -> tuple[Change, ...]:
    wanted = {n.parameter: n.value for n in context.lines(NUDGES)}
    found = []
    for ref, value in sorted(wanted.items()):
        policy, _, name = ref.partition(".")
        current = context.params.value(ref)
        if current != value:
            found.append(Change(policy, f"parameters.{name}", current, value))
    return tuple(found)


LEARNER = NudgeLearner()
