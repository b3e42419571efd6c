"""Regenerate the example labeled examples and judge evaluations (001/002's active learning).

    python cases/generate_labels.py [--out DIR]

The agent is `inbox_triage`: a person approved or rejected each quarantine it proposed, and
a gold set was curated; three LLM judges gave their verdicts too. The people quarantine
when the risk score reaches about 64 and the mail has at least two suspicious keywords,
while the `inbox_quarantine` policy still asks for 75 and one keyword: the trainer learner
finds the difference. The judges differ: gpt-4 agrees with people most and is calibrated,
gpt-35-turbo agrees less and is overconfident. Deterministic: a fixed seed drives numpy.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from generate import command_line, stamp, write_jsonl  # the script beside this one

SEED = 20260101
DAY = 86400
END = int(dt.datetime(2026, 1, 19, 18, 0, tzinfo=dt.UTC).timestamp())
# how often each judge agrees with the person, and how sure it says it is
JUDGES = {"gpt-4": (0.92, 0.9), "claude-3-opus": (0.86, 0.85), "gpt-35-turbo": (0.62, 0.95)}
SUBJECTS = (
    "invoice overdue",
    "team lunch",
    "password expires",
    "quarterly report",
    "wire transfer today",
    "shared a document",
    "delivery failed",
    "weekly sync",
)


def features(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "risk_score": int(rng.integers(20, 100)),
        "suspicious_keywords": int(rng.integers(0, 6)),
        "attachment_count": int(rng.integers(0, 4)),
        "sender_domain_age_days": int(rng.integers(1, 3000)),
        "subject": SUBJECTS[int(rng.integers(len(SUBJECTS)))],
    }


def truth(payload: dict[str, Any], rng: np.random.Generator) -> bool:
    """What people decide: risky and keyword-laden, with a little disagreement at the edge."""
    decided = payload["risk_score"] >= 64 and payload["suspicious_keywords"] >= 2
    return decided if rng.random() > 0.04 else not decided


def verdicts(label: str, other: str, at: int, rng: np.random.Generator) -> dict[str, Any]:
    found = {}
    for judge, (accuracy, sure) in JUDGES.items():
        right = rng.random() < accuracy
        confidence = float(np.clip(rng.normal(sure if right else sure - 0.1, 0.05), 0.3, 1.0))
        found[judge] = {
            "verdict": label if right else other,
            "confidence": round(confidence, 2),
            "at": stamp(at),
        }
    return found


def examples(rng: np.random.Generator) -> list[dict[str, Any]]:
    """150 labeled examples over the 30 days before END: approvals, then a gold set."""
    found = []
    for index in range(150):
        payload = features(rng)
        positive = truth(payload, rng)
        label, other = (
            ("quarantine_approved", "quarantine_rejected")
            if positive
            else ("quarantine_rejected", "quarantine_approved")
        )
        at = END - int((150 - index) * 0.2 * DAY) - int(rng.integers(0, 3600))
        gold = index >= 120
        found.append(
            {
                "agent": "inbox_triage",
                "key": f"thread-{1000 + index}",
                "payload": payload,
                "label": label,
                "source": "gold" if gold else "approvals",
                "source_id": f"gold-{index - 119:03d}" if gold else f"approval-{index + 1:04d}",
                "confidence": 100,
                "notes": "curated by the security team" if gold else "",
                "at": stamp(at),
                "judges": verdicts(label, other, at, rng),
            }
        )
    return found


def evaluations(rng: np.random.Generator) -> list[dict[str, Any]]:
    """40 recent, unlabelled threads the judges evaluated: the review queue samples these."""
    found = []
    for index in range(40):
        payload = features(rng)
        at = END - int(rng.integers(0, 9 * DAY))
        spread = rng.random()
        judges = {}
        for judge in JUDGES:
            agree = rng.random() < (0.95 if spread < 0.6 else 0.5)
            judges[judge] = {
                "verdict": "quarantine" if agree else "safe",
                "confidence": round(float(rng.uniform(0.35, 0.95)), 2),
            }
        found.append(
            {"key": f"thread-{2000 + index}", "payload": payload, "judges": judges, "at": stamp(at)}
        )
    return found


def generate(out: Path) -> list[Path]:
    rng = np.random.default_rng(SEED)
    folder = out / "cases" / "labels"
    return [
        write_jsonl(folder / "inbox_triage.jsonl", examples(rng), ascii_only=False),
        write_jsonl(folder / "inbox_triage.evaluations.jsonl", evaluations(rng), ascii_only=False),
    ]


if __name__ == "__main__":
    command_line(generate, __doc__)
