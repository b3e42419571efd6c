"""The trainer on a family's cases, in a repository built from scratch: the family-wide
threshold that one-case fixes cannot reach, proposed as a labelled trade-off."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.cli import main

END = "2025-06-01T12:00:00Z"
MISSED = (60, 61, 62, 64)  # fire, but under the threshold of 70
CAUGHT = tuple(range(72, 96, 1))  # fire, and caught
QUIET = tuple(range(20, 56, 2))  # quiet, and quiet
EDGE = 63  # quiet, unprotected: any threshold under 64 breaks it
GUARDED = (45, 50)  # quiet, protected


def _case(case_id: str, score: int, expect: str, sha: str, *, protected: bool = False) -> str:
    return "\n".join(
        [
            f"id: {case_id}",
            "family: payments",
            "snapshot:",
            "  path: cases/data/payments.jsonl",
            f"  sha256: {sha}",
            "window:",
            f'  end: "{END}"',
            "  days: fraud.window_days",
            f"expect: {expect}",
            "min_signals: 1",
            f'signals: {{"kind": "payment", "term": "{case_id}"}}',
            "triggers:",
            '  - name: "fraud score"',
            "    kind: aggregate",
            "    fn: max",
            "    field: score",
            f'    match: {{"kind": "payment", "term": "{case_id}"}}',
            "    threshold: fraud.score_min",
            f"protected: {str(protected).lower()}",
            "",
        ]
    )


@pytest.fixture
def payments(tmp_path: Path) -> Path:
    root = tmp_path / "payments"
    (root / "cases/data").mkdir(parents=True)
    (root / "policies").mkdir()
    (root / ".github").mkdir()
    rows = (
        [(f"pay_missed_{s}", s, "fire", False) for s in MISSED]
        + [(f"pay_caught_{s}", s, "fire", False) for s in CAUGHT]
        + [(f"pay_quiet_{s}", s, "quiet", False) for s in QUIET]
        + [(f"pay_edge_{EDGE}", EDGE, "quiet", False)]
        + [(f"pay_guarded_{s}", s, "quiet", True) for s in GUARDED]
    )
    events = "".join(
        json.dumps(
            {
                "ts": "2025-06-01T08:00:00Z",
                "kind": "payment",
                "term": case_id,
                "source": "gateway",
                "synthetic": False,
                "values": {"score": score},
            },
            sort_keys=True,
        )
        + "\n"
        for case_id, score, _, _ in rows
    )
    snapshot = root / "cases/data/payments.jsonl"
    snapshot.write_text(events)
    sha = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    for case_id, score, expect, protected in rows:
        (root / f"cases/{case_id}.yaml").write_text(
            _case(case_id, score, expect, sha, protected=protected)
        )
    (root / "policies/fraud.yaml").write_text(
        "name: fraud\nversion: 3\nkind: thresholds\nparameters:\n"
        "  score_min: {value: 70, min: 40, max: 95, step: 1}\n"
        "  window_days: {value: 1, min: 1, max: 7, step: 1}\n"
    )
    (root / "policies/refunds.yaml").write_text(
        "name: refunds\nversion: 1\nparameters:\n"
        "  amount_max: {value: 500, min: 100, max: 900, step: 50}\n"
    )
    (root / ".github/learnbot.yml").write_text(
        "gate: {min_pass_rate_delta: 0.0, time_floor_ms: 60000, memory_floor_kb: 100000}\n"
        "learners:\n"
        "  weights: {enabled: false}\n  karma: {enabled: false}\n"
        "  skills: {enabled: false}\n  forecasts: {enabled: false}\n"
        "  trainer:\n    families:\n      payments: {model: tree, depth: 2}\n"
    )
    return root


def _learn(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    code = main([*args, "--dry-run", "--json", "--repo", str(root), "--now", END])
    out = capsys.readouterr().out
    assert code == 0, out
    loaded: dict[str, object] = json.loads(out)
    return loaded


def test_family_wide_threshold_is_a_labelled_trade_off(
    payments: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    learned = _learn(payments, capsys, "learn", "trainer")
    (outcome,) = learned["outcomes"]  # type: ignore[misc]
    proposal = outcome["proposal"]
    assert proposal["proposal_type"] == "family_thresholds"
    assert [(c["policy"], c["target"], c["old"], c["new"]) for c in proposal["changes"]] == [
        ("fraud", "parameters.score_min", 70, 58)
    ]
    description = proposal["change_description"]
    assert "fixes pay_missed_60, pay_missed_61, pay_missed_62, pay_missed_64" in description
    assert "Trade-off: it breaks pay_edge_63 (unprotected)" in description
    report = outcome["report"]
    assert report["training"]["trade_off"] == ["pay_edge_63"]
    assert report["training"]["sources"] == {"cases": len(MISSED + CAUGHT + QUIET) + 3}
    assert report["training"]["after"] > report["training"]["before"]
    assert report["delta"]["regressed_cases"] == ["pay_edge_63"]
    assert report["gate"]["allowed"] and report["delta"]["protected_regressions"] == []


def test_one_case_fixes_cannot_reach_it(payments: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _learn(payments, capsys, "loop")
    pulls = plan["pull_requests"]
    by_subject = {item["subject"]: item for item in pulls}  # type: ignore[attr-defined]
    assert by_subject["pay_missed_64"]["proposal"] is not None  # 64 alone clears the edge case
    for score in (60, 61, 62):  # each alone would break pay_edge_63
        assert by_subject[f"pay_missed_{score}"]["proposal"] is None
        assert "passing_cases_now_failing: 1" in json.dumps(by_subject[f"pay_missed_{score}"])
    assert by_subject["trainer/family/payments"]["proposal"]["changes"][0]["new"] == 58
