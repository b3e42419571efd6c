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
from bot.commands import findings
from bot.commands.evaluation import Evaluated
from bot.commands.learners import Learned, Owns, Stage
from bot.edges import ledgerfile
from bot.errors import ConfigError
from bot.model import Problem

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
        "steps": [findings.step_to_dict(s) for s in learned.steps],
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
    steps = [findings.step_from_dict(s) for part in parts for s in part["steps"]]
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
