"""Label feeds: approvals, feedback and gold rows become examples with their confidences."""

from __future__ import annotations

import pytest

from bot.core import feeds
from bot.model import parse_time

NOW = parse_time("2026-01-20T00:00:00Z")


def test_feeds_labels_and_confidences() -> None:
    approvals = feeds.examples(
        "approvals",
        [
            {
                "agent": "triage",
                "key": "t1",
                "id": "r1",
                "action": "quarantine",
                "decision": "approved",
                "payload": {"risk": 80},
            },
            {
                "agent": "triage",
                "key": "t2",
                "id": "r2",
                "action": "quarantine",
                "decision": "rejected",
                "at": "2026-01-02T00:00:00Z",
            },
        ],
        now=NOW,
    )
    assert [(i.example.label, i.example.confidence, i.example.at) for i in approvals] == [
        ("quarantine_approved", 100, NOW),
        ("quarantine_rejected", 100, parse_time("2026-01-02T00:00:00Z")),
    ]
    rows = [{"agent": "w", "key": "a", "thumbs": "up"}] * 4 + [
        {"agent": "w", "key": "a", "thumbs": "down"},
        {"agent": "w", "key": "b", "thumbs_up": 3, "thumbs_down": 2},
        {"agent": "w", "key": "c", "thumbs_up": 29, "thumbs_down": 71},
        {"agent": "w", "key": "d", "thumbs_up": 0, "thumbs_down": 0},
    ]
    found = {i.example.key: i.example for i in feeds.examples("feedback", rows, now=NOW)}
    assert (found["a"].label, found["a"].confidence) == ("high_quality", 80)
    assert (found["b"].label, found["b"].confidence) == ("medium_quality", 60)
    assert (found["c"].label, found["c"].confidence) == ("low_quality", int(0.29 * 100))
    assert "d" not in found
    (gold,) = feeds.examples("gold", [{"agent": "w", "key": "g", "label": "ok"}], now=NOW)
    assert (gold.example.confidence, gold.example.source, gold.example.source_id) == (
        100,
        "gold",
        "g",
    )
    with pytest.raises(ValueError, match="unknown feed"):
        feeds.examples("rumours", [], now=NOW)
