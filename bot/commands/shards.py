"""A run split over shards: `loop --shard I/N --out DIR` learns one part, `run --from-shards`
opens and updates the pull requests from every part without replaying anything.

A subject belongs to shard `1 + sha256(key) mod N`, where the key is the failure id of a
failing case and `learner/subject` for any other learner's subject: the same subject lands
on the same shard in every run with the same N. A shard file records the base commit it
learned on, so parts of different commits, or an incomplete set, are refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import __version__
from bot.commands.evaluation import Evaluated
from bot.commands.learners import Learned, Owns, Stage, Step
from bot.core import gate, pipeline
from bot.core.learners import Candidate
from bot.edges import ledgerfile
from bot.errors import ConfigError
from bot.model import Problem
from bot.model.cost import Cost
from bot.model.proposal import Change, Proposal
from bot.model.report import SandboxReport

FORMAT = 1
_GLOB = "learnbot-shard-*.json"


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`I/N` with 1 <= I <= N <= 256."""
        first, _, second = text.partition("/")
        if not (first.isdigit() and second.isdigit()):
            raise ValueError(f"{text!r} is not I/N (e.g. 2/3)")
        shard = cls(int(first), int(second))
        if not 1 <= shard.index <= shard.count <= 256:
            raise ValueError(f"{text!r}: I must be between 1 and N, and N at most 256")
        return shard

    @property
    def file_name(self) -> str:
        return f"learnbot-shard-{self.index}-of-{self.count}.json"

    def owner(self, key: str) -> int:
        """The shard (1-based) that learns the subject with this key."""
        return 1 + int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % self.count


def owns(shard: Shard, evaluated: Evaluated) -> Owns:
    """Whether this shard learns a learner's subject (failing cases keyed by failure id)."""
    failure_ids = {f.case_id: f.failure_id for f in evaluated.failures()}

    def mine(learner: str, subject: str) -> bool:
        key = failure_ids.get(subject) if learner == "backtest" else None
        return shard.owner(key or f"{learner}/{subject}") == shard.index

    return mine


def write(out: Path, shard: Shard, base: str, learned: Learned) -> Path:
    """Write one shard's findings into `out`; return the file."""
    data = {
        "format": FORMAT,
        "learnbot": __version__,
        "base": base,
        "shard": shard.index,
        "shards": shard.count,
        "stages": [_stage(s) for s in learned.stages],
        "steps": [_step(s) for s in learned.steps],
    }
    out.mkdir(parents=True, exist_ok=True)
    path = out / shard.file_name
    ledgerfile.write_atomic(path, (json.dumps(data, sort_keys=True) + "\n").encode("utf-8"))
    return path


def read(directories: Sequence[Path], base: str) -> Learned:
    """Every shard's findings as one run's, refusing mixed commits and incomplete sets."""
    files = sorted({p for d in directories for p in _files(d)})
    if not files:
        where = ", ".join(str(d) for d in directories)
        raise ConfigError(f"--from-shards: no {_GLOB} in {where}")
    parts = [_load(p) for p in files]
    _check_set(files, parts, base)
    stages = [_stage_from(s) for s in parts[0]["stages"]]
    for path, part in zip(files[1:], parts[1:], strict=True):
        if [_stage_from(s) for s in part["stages"]] != stages:
            raise ConfigError(
                f"{path}: its learners saw other subjects than {files[0].name}'s",
                hint="every shard must run the same learnbot on the same commit and config",
            )
    steps = [_step_from(s) for part in parts for s in part["steps"]]
    return Learned.of(stages, steps)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ConfigError(f"--from-shards: {directory} is not a directory")
    return sorted(directory.rglob(_GLOB))


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a shard file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{path}: not a shard file of format {FORMAT}")
    if data.get("learnbot") != __version__:
        raise ConfigError(
            f"{path}: written by learnbot {data.get('learnbot')}, this is {__version__}",
            hint="run the shards and the fan-in with the same learnbot",
        )
    return data


def _check_set(files: Sequence[Path], parts: Sequence[Mapping[str, Any]], base: str) -> None:
    bases = sorted({str(p["base"]) for p in parts})
    if len(bases) > 1:
        raise ConfigError(
            f"--from-shards: the shards learned on different commits ({', '.join(bases)})",
            hint="run every shard of one run on the same commit",
        )
    if bases[0] != base:
        raise ConfigError(
            f"--from-shards: the shards learned on {bases[0][:12]}, the default branch is at "
            f"{base[:12]}",
            hint="the default branch moved: run the shards again",
        )
    counts = sorted({int(p["shards"]) for p in parts})
    if len(counts) > 1:
        raise ConfigError(f"--from-shards: shards of different splits ({counts})")
    seen = sorted(int(p["shard"]) for p in parts)
    expected = list(range(1, counts[0] + 1))
    if seen != expected:
        missing = sorted(set(expected) - set(seen))
        doubled = sorted({i for i in seen if seen.count(i) > 1})
        raise ConfigError(
            f"--from-shards: an incomplete set of {counts[0]} shards "
            f"(missing {missing or 'none'}, twice {doubled or 'none'}) in "
            f"{', '.join(str(f) for f in files)}",
            hint="pass the directories of every shard of one run",
        )


def _stage(stage: Stage) -> dict[str, Any]:
    return {
        "learner": stage.learner,
        "problems": [p.__dict__ for p in stage.problems],
        "subjects": list(stage.subjects),
        "sections": list(stage.sections),
    }


def _stage_from(data: Mapping[str, Any]) -> Stage:
    return Stage(
        str(data["learner"]),
        tuple(Problem(**p) for p in data["problems"]),
        tuple(data["subjects"]),
        tuple(data["sections"]),
    )


def _step(step: Step) -> dict[str, Any]:
    outcome = step.outcome
    return {
        "learner": step.learner,
        "position": step.position,
        "notes": list(step.notes),
        "outcome": None if outcome is None else _outcome(outcome),
    }


def _step_from(data: Mapping[str, Any]) -> Step:
    found = data["outcome"]
    outcome = None if found is None else _outcome_from(found)
    return Step(str(data["learner"]), int(data["position"]), tuple(data["notes"]), outcome)


def _outcome(outcome: pipeline.Outcome) -> dict[str, Any]:
    chosen = outcome.chosen
    return {
        "subject": outcome.subject,
        "source_failure_id": outcome.source_failure_id,
        "learner": outcome.learner,
        "proposal": outcome.proposal.as_dict() if outcome.proposal else None,
        "considered": [list(pair) for pair in outcome.considered],
        "reason": outcome.reason,
        "chosen": None if chosen is None else _evaluation(chosen),
    }


def _outcome_from(data: Mapping[str, Any]) -> pipeline.Outcome:
    proposal = data["proposal"]
    chosen = data["chosen"]
    return pipeline.Outcome(
        subject=data["subject"],
        source_failure_id=data["source_failure_id"],
        learner=data["learner"],
        proposal=None if proposal is None else Proposal.from_dict(proposal),
        considered=tuple((str(a), str(b)) for a, b in data["considered"]),
        reason=data["reason"],
        chosen=None if chosen is None else _evaluation_from(chosen),
    )


def _evaluation(evaluation: pipeline.Evaluation) -> dict[str, Any]:
    candidate = evaluation.candidate
    return {
        "candidate": {
            "proposal_type": candidate.proposal_type,
            "changes": [c.__dict__ for c in candidate.changes],
            "rationale": candidate.rationale,
            "impact": list(candidate.impact),
            "manifest": candidate.manifest,
            "moves": [list(m) for m in candidate.moves],
            "explanation": [dict(row) for row in candidate.explanation],
        },
        "proposal_id": evaluation.proposal_id,
        "evidence": evaluation.evidence,
        "report": evaluation.report.to_dict(),
        "verdict": {
            "allowed": evaluation.verdict.allowed,
            "criteria": [c.as_dict() for c in evaluation.verdict.criteria],
        },
        "measured": [[c.time_ms, c.memory_kb] for c in evaluation.measured],
    }


def _evaluation_from(data: Mapping[str, Any]) -> pipeline.Evaluation:
    found = data["candidate"]
    candidate = Candidate(
        proposal_type=found["proposal_type"],
        changes=tuple(Change(**c) for c in found["changes"]),
        rationale=found["rationale"],
        impact=tuple(found["impact"]),
        manifest=found["manifest"],
        moves=tuple((a, b) for a, b in found["moves"]),
        explanation=tuple(found["explanation"]),
    )
    verdict = gate.Verdict(
        bool(data["verdict"]["allowed"]),
        tuple(gate.Criterion(**c) for c in data["verdict"]["criteria"]),
    )
    baseline, proposal = (Cost(float(t), float(m)) for t, m in data["measured"])
    return pipeline.Evaluation(
        candidate,
        data["proposal_id"],
        data["evidence"],
        SandboxReport.from_dict(data["report"]),
        verdict,
        (baseline, proposal),
    )
