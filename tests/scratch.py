"""Learning repositories written from scratch in a test, as a new user would write them.

A `Scratch` holds policies, cases and their events; `install` replaces the example state on
the default branch with it (JSON is YAML, so every file is written as JSON).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.model import format_time
from tests.repos import commit_all, git

DAY = 86400


@dataclass
class Scratch:
    """The learned state of one repository: policies, cases with their events, config."""

    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    config: str = ""

    def policy(self, name: str, **parameters: tuple[float, float, float, float]) -> None:
        """A thresholds policy; each parameter as (value, min, max, step)."""
        self.policies[name] = {
            "name": name,
            "version": 1,
            "kind": "thresholds",
            "parameters": {
                key: {"value": v, "min": lo, "max": hi, "step": step}
                for key, (v, lo, hi, step) in sorted(parameters.items())
            },
        }

    def case(self, case_id: str, events: list[dict[str, Any]], **data: Any) -> None:
        """A case reading its own snapshot `cases/data/<id>.jsonl`."""
        self.cases[case_id] = {"id": case_id, **data}
        self.events[case_id] = events

    def write(self, root: Path) -> None:
        for name in ("policies", "cases"):
            shutil.rmtree(root / name, ignore_errors=True)
        (root / "cases" / "data").mkdir(parents=True)
        (root / "policies").mkdir()
        for name, policy in sorted(self.policies.items()):
            (root / "policies" / f"{name}.yaml").write_text(json.dumps(policy, indent=1) + "\n")
        for case_id, case in sorted(self.cases.items()):
            data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in self.events[case_id])
            path = f"cases/data/{case_id}.jsonl"
            (root / path).write_text(data)
            digest = hashlib.sha256(data.encode()).hexdigest()
            full = {**case, "snapshot": {"path": path, "sha256": digest}}
            (root / "cases" / f"{case_id}.yaml").write_text(json.dumps(full, indent=1) + "\n")
        (root / ".github").mkdir(exist_ok=True)
        (root / ".github" / "learnbot.yml").write_text(self.config or "{}\n")


def install(repo: Path, state: Scratch, *, branch: str = "main") -> str:
    """Replace the learned state on the default branch with `state`; return the commit."""
    git(repo, "checkout", "--quiet", branch)
    state.write(repo)
    sha = commit_all(repo, "learned state written from scratch")
    git(repo, "push", "--quiet", "origin", branch)
    return sha


def at(epoch: int, kind: str, **fields: Any) -> dict[str, Any]:
    """One event at `epoch`."""
    return {"ts": format_time(epoch), "kind": kind, **fields}
