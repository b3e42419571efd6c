"""Plain values for core tests: snapshots, policies and cases built in a line or two."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core.params import Params
from bot.core.snapshot import parse
from bot.model import Case, Policy, format_time
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
