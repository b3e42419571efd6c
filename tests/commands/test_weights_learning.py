"""The weights learner on a repository written from scratch: 003's rules end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.repos import commit_all, make_repo

NOW = "2026-03-01T00:00:00Z"
DOMAINS = ("breadth", "flows", "momentum", "rates")
POLICY = """name: desk_weights
version: 1
kind: weights
parameters:
{parameters}
"""
CONFIG = """learners:
  weights:
    policy: desk_weights
    outcomes: cases/outcomes/closes.jsonl
    observe_days: 0
    warm_days: 0
    min_observations: {observations}
"""


def closes(count: int, *, pnl: float = 50.0) -> list[dict[str, Any]]:
    """`count` alternating wins and losses; `flows` always points the right way."""
    rows = []
    for i in range(count):
        sign = 1 if i % 2 == 0 else -1
        rows.append(
            {
                "id": f"close-{i:03d}",
                "opened_at": f"2026-02-{i + 1:02d}T00:00:00Z",
                "closed_at": f"2026-02-{i + 1:02d}T12:00:00Z",
                "realized_pnl": sign * pnl,
                "regime": "range",
                "producers": ["desk"],
                "domain_scores": {
                    "breadth": 0.1,
                    "flows": float(sign),
                    "momentum": 0.1,
                    "rates": 0.1,
                },
            }
        )
    return rows


def repository(tmp_path: Path, rows: list[dict[str, Any]], *, observations: int = 20) -> Path:
    repo = make_repo(tmp_path / "desk", example=False)
    parameters = "".join(
        f"  {d}:\n    value: 0.25\n    min: 0.05\n    max: 0.4\n    step: 0.0001\n" for d in DOMAINS
    )
    (repo / "policies").mkdir()
    (repo / "policies" / "desk_weights.yaml").write_text(POLICY.format(parameters=parameters))
    (repo / "cases" / "outcomes").mkdir(parents=True)
    lines = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
    (repo / "cases" / "outcomes" / "closes.jsonl").write_text(lines)
    (repo / ".github").mkdir()
    (repo / ".github" / "learnbot.yml").write_text(CONFIG.format(observations=observations))
    commit_all(repo, "desk weights and closes")
    return repo


def learn(repo: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    code = main(
        ["learn", "weights", "--dry-run", "--json", "--now", NOW, "--repo", str(repo)], environ={}
    )
    assert code == 0, capsys.readouterr().err
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_weights_a_domain_that_always_predicts_the_outcome_is_proposed_not_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (outcome,) = learn(repository(tmp_path, closes(20)), capsys)["outcomes"]
    assert outcome["proposal"] is not None, outcome["reason"]
    values = {c["target"]: c["new"] for c in outcome["proposal"]["changes"]}
    # r(flows) = +1 -> 0.25 + 0.02; the others do not vary; renormalised: 0.27 / 1.02
    assert values["parameters.flows"] == pytest.approx(0.2647, abs=1e-4)
    gate = {c["name"]: c for c in outcome["report"]["gate"]["criteria"]}
    # the conviction already follows the outcome exactly: the objective cannot rise, only hold
    assert (
        gate["objective_delta"]["passed"]
        and "already at its maximum" in gate["objective_delta"]["limit"]
    )
    assert gate["hit_rate_not_lower"]["passed"]


def test_weights_with_fewer_than_ten_pairs_nothing_moves_and_the_reason_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (outcome,) = learn(repository(tmp_path, closes(6), observations=4), capsys)["outcomes"]
    assert outcome["proposal"] is None
    assert outcome["reason"] == (
        "too few pairs for a correlation (breadth 6, flows 6, momentum 6, rates 6; "
        "10 needed per domain)"
    )


def test_weights_closes_inside_the_flat_band_are_not_outcomes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # |pnl| = 0.005 < 0.01: twenty flat closes are no evidence at all
    (outcome,) = learn(repository(tmp_path, closes(20, pnl=0.005)), capsys)["outcomes"]
    assert outcome["proposal"] is None
