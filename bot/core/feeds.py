"""Feed loaders (001): rows of an approvals, feedback or gold export -> labeled examples.

- approvals: `<action>_approved` / `<action>_rejected`, confidence 100 (an explicit decision);
- feedback: thumbs up/down aggregated per (agent, key): ratio >= 0.8 high_quality,
  >= 0.5 medium_quality, else low_quality, confidence int(ratio x 100);
- gold: the curated label, confidence 100.
Rows are validated by the caller (schema); `at` falls back to the import's clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.curator import Incoming
from bot.model.labels import Example
from bot.model.state import parse_time

FEEDS = ("approvals", "feedback", "gold")
HIGH, MEDIUM = 0.8, 0.5


def quality(ratio: float) -> str:
    """The feedback label of a thumbs-up ratio."""
    if ratio >= HIGH:
        return "high_quality"
    if ratio >= MEDIUM:
        return "medium_quality"
    return "low_quality"


def examples(source: str, rows: Sequence[Mapping[str, Any]], *, now: int) -> list[Incoming]:
    """The incoming examples of one export, in row order (feedback: first row of each key)."""
    if source == "approvals":
        return [_approval(row, now) for row in rows]
    if source == "feedback":
        return _feedback(rows, now)
    if source == "gold":
        return [_gold(row, now) for row in rows]
    raise ValueError(f"unknown feed {source!r} (one of: {', '.join(FEEDS)})")


def _at(row: Mapping[str, Any], now: int) -> int:
    return parse_time(row["at"]) if row.get("at") else now


def _approval(row: Mapping[str, Any], now: int) -> Incoming:
    decision = "approved" if row["decision"] in ("approved", "approve", True) else "rejected"
    example = Example(
        agent=row["agent"],
        key=str(row["key"]),
        payload=dict(row.get("payload", {})),
        label=f"{row['action']}_{decision}",
        source="approvals",
        source_id=str(row["id"]),
        confidence=100,
        at=_at(row, now),
        notes=str(row.get("notes", "")),
    )
    return Incoming(example, str(row.get("origin", "")))


def _gold(row: Mapping[str, Any], now: int) -> Incoming:
    example = Example(
        agent=row["agent"],
        key=str(row["key"]),
        payload=dict(row.get("payload", {})),
        label=str(row["label"]),
        source="gold",
        source_id=str(row.get("id", row["key"])),
        confidence=100,
        at=_at(row, now),
        notes=str(row.get("notes", "")),
    )
    return Incoming(example, str(row.get("origin", "")))


def _feedback(rows: Sequence[Mapping[str, Any]], now: int) -> list[Incoming]:
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["agent"], str(row["key"])), []).append(row)
    found = []
    for (agent, key), group in groups.items():
        up = sum(_thumbs(r, "up") for r in group)
        down = sum(_thumbs(r, "down") for r in group)
        if up + down == 0:
            continue
        ratio = up / (up + down)
        first = group[0]
        example = Example(
            agent=agent,
            key=key,
            payload=dict(first.get("payload", {})),
            label=quality(ratio),
            source="feedback",
            source_id=key,
            confidence=int(ratio * 100),
            at=max(_at(r, now) for r in group),
            notes=f"{up} thumbs up, {down} thumbs down",
        )
        origins = sorted({str(r.get("origin", "")) for r in group} - {""})
        found.append(Incoming(example, origins[0] if origins else ""))
    return found


def _thumbs(row: Mapping[str, Any], side: str) -> int:
    """A row is one vote (`thumbs: up|down`) or counts (`thumbs_up`, `thumbs_down`)."""
    if "thumbs" in row:
        return 1 if row["thumbs"] == side else 0
    return int(row.get(f"thumbs_{side}", 0))
