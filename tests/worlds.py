"""Random snapshots, policies and cases of every shape the evaluator knows, from one seed.

Used to compare the batched evaluator with the per-case reference (tests/reference.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from bot.core.params import Params
from bot.core.snapshot import parse
from bot.model import Case, Policy, format_time
from bot.model.snapshot import Snapshot

START = 1_735_689_600  # 2025-01-01T00:00:00Z
DAY = 86400
KINDS = ("mention", "email", "signal", "other")
SOURCES = ("s0", "s1", "s2", "")
WORDS = ("wire", "transfer", "urgent", "hello", "Wire Transfer", "")
FIELDS = ("risk", "a", "b")
FNS = ("sum", "mean", "max", "min", "last")
OPS = (">=", ">", "<=", "<")


def world(
    seed: int, events: int, cases: int, days: int = 60
) -> tuple[Snapshot, Params, list[Case]]:
    """A snapshot of `events` events over `days` days, four policies and `cases` cases."""
    rng = np.random.default_rng(seed)
    terms = [f"t{i}" for i in range(max(1, events // 20))] + ["alias"]
    snapshot = _snapshot(rng, events, terms, days)
    params = _params()
    return snapshot, params, [_case(rng, i, terms, days, snapshot.sha256) for i in range(cases)]


def events_jsonl(seed: int, events: int, days: int = 60) -> bytes:
    """The JSONL of a world's snapshot alone."""
    rng = np.random.default_rng(seed)
    return _jsonl(rng, events, [f"t{i}" for i in range(max(1, events // 20))] + ["alias"], days)


def _snapshot(rng: np.random.Generator, count: int, terms: list[str], days: int) -> Snapshot:
    data = _jsonl(rng, count, terms, days)
    snapshot, problems = parse(data, path="cases/data/w.jsonl", sha256=_digest(data))
    assert not problems, problems
    return snapshot


def _jsonl(rng: np.random.Generator, count: int, terms: list[str], days: int) -> bytes:
    lines = []
    for _ in range(count):
        row: dict[str, Any] = {
            # coarse stamps (whole hours) so that many events share one
            "ts": format_time(START + int(rng.integers(0, days * 24)) * 3600),
            "kind": str(rng.choice(KINDS)),
        }
        if rng.random() < 0.9:
            row["term"] = str(rng.choice(terms))
        source = str(rng.choice(SOURCES))
        if source:
            row["source"] = source
        if rng.random() < 0.2:
            row["synthetic"] = True
        text = str(rng.choice(WORDS))
        if text:
            row["text"] = f"{text} {rng.choice(WORDS)}".strip()
        values = {f: _number(rng) for f in FIELDS if rng.random() < 0.6}
        if values:
            row["values"] = values
        lines.append(json.dumps(row))
    return "".join(line + "\n" for line in lines).encode()


def _number(rng: np.random.Generator) -> float | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2:
        return int(rng.integers(-3, 4))
    return float(np.round(rng.uniform(-2, 2), 3))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parameter(value: float, lo: float, hi: float, step: float) -> dict[str, float]:
    return {"value": value, "min": lo, "max": hi, "step": step}


def _thresholds(**extra: Any) -> dict[str, Any]:
    return {
        "count": _parameter(2, 0, 50, 1),
        "level": _parameter(0.3, -5, 5, 0.01),
        "low": _parameter(-0.5, -5, 5, 0.01),
        "days": _parameter(7, 1, 30, 1),
        "short": _parameter(2, 1, 30, 1),
        "tau": _parameter(24, 1, 200, 1),
        **extra,
    }


def _params() -> Params:
    aliases = {
        "kind": "alias_terms",
        "active": True,
        "config": {"aliases": {"t0": ["alias", "t1"]}},
    }
    policies = [
        {"name": "plain", "parameters": _thresholds()},
        {
            "name": "filtered",
            "parameters": _thresholds(),
            "operators": {
                "x": {"kind": "exclude_synthetic", "active": True},
                "a": aliases,
            },
            "metrics": {"d": {"kind": "distinct_sources", "active": True}},
        },
        {
            "name": "decayed",
            "parameters": _thresholds(),
            "metrics": {"r": {"kind": "time_decay", "active": True, "config": {"tau": "tau"}}},
        },
        {
            "name": "w",
            "kind": "weights",
            "parameters": {f: _parameter(0.3, 0.05, 0.9, 0.01) for f in FIELDS},
        },
    ]
    return Params(
        {
            p["name"]: Policy.from_dict(f"policies/{p['name']}.yaml", {"version": 1, **p})
            for p in policies
        }
    )


def _case(rng: np.random.Generator, index: int, terms: list[str], days: int, sha: str) -> Case:
    policy = str(rng.choice(("plain", "filtered", "decayed")))
    end = START + int(rng.integers(-3, days + 3)) * DAY + int(rng.integers(0, 24)) * 3600
    data: dict[str, Any] = {
        "id": f"c{index:04d}",
        "snapshot": {"path": "cases/data/w.jsonl", "sha256": sha},
        "window": {"end": format_time(end), "days": f"{policy}.{rng.choice(('days', 'short'))}"},
        "expect": str(rng.choice(("fire", "quiet"))),
        "triggers": [_condition(rng, terms) for _ in range(int(rng.integers(1, 3)))],
        "falsifiers": [_condition(rng, terms) for _ in range(int(rng.integers(0, 2)))],
        "min_signals": int(rng.integers(0, 4)),
        "signals": _match(rng, terms),
    }
    if rng.random() < 0.5:
        data["integrity"] = {"max_synthetic_share": float(rng.choice((0.1, 0.3, 0.9)))}
    return Case.from_dict(f"cases/c{index}.yaml", data)


def _condition(rng: np.random.Generator, terms: list[str]) -> dict[str, Any]:
    policy = str(rng.choice(("plain", "filtered", "decayed")))
    kind = str(rng.choice(("count", "aggregate", "weighted_score")))
    found: dict[str, Any] = {"kind": kind, "op": str(rng.choice(OPS)), "match": _match(rng, terms)}
    if kind == "count":
        found["threshold"] = f"{policy}.count"
    else:
        found["threshold"] = f"{policy}.{rng.choice(('level', 'low'))}"
        found["fn"] = str(rng.choice(FNS))
    if kind == "aggregate":
        found["field"] = str(rng.choice((*FIELDS, "absent")))
    if kind == "weighted_score":
        chosen = [f for f in FIELDS if rng.random() < 0.7] or ["risk"]
        found["weights"] = {f: f"w.{f}" for f in chosen}
    return found


def _match(rng: np.random.Generator, terms: list[str]) -> dict[str, Any]:
    match: dict[str, Any] = {}
    if rng.random() < 0.8:
        match["term"] = str(rng.choice((*terms[:3], *terms, "nowhere")))
    if rng.random() < 0.7:
        match["kind"] = str(rng.choice((*KINDS, "unheard")))
    if rng.random() < 0.2:
        match["source"] = str(rng.choice(("s0", "s1", "s9")))
    if rng.random() < 0.15:
        match["text_contains"] = str(rng.choice(("wire transfer", "urgent", "absent phrase")))
    return match
