"""Plain values for core tests: snapshots, policies and cases built in a line or two."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core import ledger
from bot.core.history import History
from bot.core.params import Params
from bot.core.snapshot import parse
from bot.model import Case, Policy, format_time
from bot.model.entries import (
    LabelsImport,
    ManualChange,
    Promotion,
    Recorded,
    Rejection,
    Rollback,
)
from bot.model.snapshot import Snapshot

END = 1_767_225_600  # 2026-01-01T00:00:00Z
HOUR = 3600
DAY = 86400


def event(age_hours: float, kind: str = "mention", **fields: Any) -> dict[str, Any]:
    """An event `age_hours` before END."""
    return {"ts": format_time(END - round(age_hours * HOUR)), "kind": kind, **fields}


def snapshot(events: list[dict[str, Any]], path: str = "cases/data/t.jsonl") -> Snapshot:
    data = "".join(json.dumps(e) + "\n" for e in events).encode()
    parsed, problems = parse(data, path=path, sha256=hashlib.sha256(data).hexdigest())
    assert not problems, problems
    return parsed


def parameter(value: float, lo: float = 0, hi: float = 100, step: float = 1) -> dict[str, Any]:
    return {"value": value, "min": lo, "max": hi, "step": step}


def policy(name: str = "p", version: int = 1, **extra: Any) -> Policy:
    default = {
        "min_count": parameter(3),
        "window_days": parameter(7, 1, 28),
        "limit": parameter(0.5, 0, 1, 0.05),
    }
    data = {"name": name, "version": version, "parameters": default, **extra}
    return Policy.from_dict(f"policies/{name}.yaml", data)


def params(*policies: Policy) -> Params:
    return Params({p.name: p for p in (policies or (policy(),))})


def case(case_id: str = "c", sha256: str = "0" * 64, **extra: Any) -> Case:
    data: dict[str, Any] = {
        "id": case_id,
        "snapshot": {"path": "cases/data/t.jsonl", "sha256": sha256},
        "window": {"end": format_time(END), "days": "p.window_days"},
        "triggers": [
            {"kind": "count", "match": {"kind": "mention", "term": "x"}, "threshold": "p.min_count"}
        ],
    }
    data.update(extra)
    return Case.from_dict(f"cases/{case_id}.yaml", data)


AT = "2026-01-20T00:00:00Z"


def promotion(commit: str = "m1", **fields: Any) -> Promotion:
    """A promotion ledger entry (unsealed): every field a plain default unless given."""
    defaults: dict[str, Any] = {
        "at": AT,
        "commit": commit,
        "parent": None,
        "head": None,
        "pr": None,
        "proposal_id": f"proposal_{commit}",
        "failure_id": f"failure_{commit}",
        "subject": "s",
        "learner": "backtest",
        "proposal_type": "threshold_adjustment",
        "report_sha256": "r" * 64,
        "approvers": (),
        "merged_by": "alice",
        "changes": (),
        "values": {},
        "gate": {},
        "pass_rate": 0.0,
    }
    return Promotion(**{**defaults, **fields})


def rollback(commit: str = "r1", reverted: str = "m1", **fields: Any) -> Rollback:
    defaults: dict[str, Any] = {
        "at": AT,
        "commit": commit,
        "reverted": reverted,
        "pr": None,
        "proposal_id": None,
        "failure_id": None,
        "subject": None,
        "learner": None,
        "proposal_type": None,
        "reverted_by": "bob",
        "values": {},
        "pass_rate": 0.0,
    }
    return Rollback(**{**defaults, **fields})


def manual_change(commit: str = "x1", **fields: Any) -> ManualChange:
    defaults: dict[str, Any] = {
        "at": AT,
        "commit": commit,
        "author": "erin",
        "subject": "a hand edit",
        "files": (),
        "values": {},
        "unbumped": (),
        "pass_rate": 0.0,
    }
    return ManualChange(**{**defaults, **fields})


def labels_import(commit: str = "l1", **fields: Any) -> LabelsImport:
    defaults: dict[str, Any] = {
        "at": AT,
        "commit": commit,
        "parent": None,
        "pr": None,
        "labels": "import-1",
        "merged_by": "frank",
        "files": (),
        "examples": 1,
        "pass_rate": 0.0,
    }
    return LabelsImport(**{**defaults, **fields})


def rejection(pr: int = 4, **fields: Any) -> Rejection:
    defaults: dict[str, Any] = {
        "at": AT,
        "pr": pr,
        "head": f"h{pr}",
        "proposal_id": None,
        "failure_id": None,
        "subject": None,
        "learner": None,
        "proposal_type": None,
    }
    return Rejection(**{**defaults, **fields})


def sealed(*entries: Recorded) -> tuple[Recorded, ...]:
    """The entries chained into a ledger and read back, as a command reads them (seq 1, 2, ...)."""
    data, _ = ledger.seal([e.to_dict() for e in entries], ledger.Tail())
    return History.read(ledger.entries(data)).entries
