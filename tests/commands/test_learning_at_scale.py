"""Learning on repositories written from scratch: the gate does not shrink as cases are added."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.model import parse_time
from tests.repos import commit_all, git, make_repo
from tests.scratch import Scratch, at

NOW = "2026-02-01T00:00:00Z"
END = parse_time("2026-01-15T00:00:00Z")
HOUR = 3600


def service(cases: int, config: str = "") -> Scratch:
    """`cases` cases on one error threshold: all pass but one, short of it by one error."""
    state = Scratch(config=config)
    state.policy("svc", error_limit=(10, 1, 100, 1), window_days=(3, 1, 14, 1))
    trigger = {"name": "errors", "kind": "count", "match": {"kind": "error"}}
    common = {
        "window": {"end": "2026-01-15T00:00:00Z", "days": "svc.window_days"},
        "triggers": [{**trigger, "threshold": "svc.error_limit"}],
    }
    for i in range(cases - 10):  # quiet days, protected: two errors is no outage
        errors = [at(END - h * HOUR, "error") for h in (5, 30)]
        state.case(f"steady_{i:03d}", errors, expect="quiet", protected=True, **common)
    for i in range(9):
        errors = [at(END - h * HOUR, "error") for h in range(1, 16)]
        state.case(f"outage_{i}", errors, **common)
    leak = [at(END - h * HOUR, "error") for h in range(1, 10)]  # nine errors: one short
    state.case("slow_leak", leak, **common)
    return state


def repository(tmp_path: Path, state: Scratch) -> Path:
    repo = make_repo(tmp_path / "scratch", example=False)
    state.write(repo)
    commit_all(repo, "learned state written from scratch")
    git(repo, "push", "--quiet", "origin", "main")  # loop plans the default branch on origin
    return repo


def loop(repo: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["loop", "--dry-run", "--json", "--now", NOW, "--repo", str(repo)], environ={})
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return {p["subject"]: p for p in json.loads(captured.out)["pull_requests"]}


def test_a_one_case_fix_with_no_regression_passes_the_gate_among_200_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = loop(repository(tmp_path, service(200)), capsys)
    leak = plan["slow_leak"]
    assert leak["proposal"] is not None, leak["reason"]
    assert leak["proposal"]["changes"] == [
        {"policy": "svc", "target": "parameters.error_limit", "old": 10, "new": 9}
    ]
    criteria = {c["name"]: c for c in leak["report"]["gate"]["criteria"]}
    assert (
        criteria["source_case_fixed"]["passed"] and criteria["protected_regressions"]["value"] == 0
    )
    assert len(leak["report"]["replayed_cases"]) == 200  # every case reads the threshold


def test_the_relative_criterion_is_over_all_cases_and_only_when_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = service(200, config="gate:\n  min_pass_rate_delta: 0.05\n")
    leak = loop(repository(tmp_path, strict), capsys)["slow_leak"]
    assert leak["proposal"] is None
    (why,) = [r["reason"] for r in leak["rejected"] if "error_limit" in r["candidate"]]
    assert "pass_rate_delta: 0.005 over all 200 cases (needs >= 0.05)" in why


def test_errors_the_day_before_the_latency_spike_get_a_window_proposal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = Scratch()
    state.policy(
        "api", max_latency=(500, 100, 2000, 50), min_errors=(4, 1, 50, 1), window_days=(1, 1, 7, 1)
    )
    conditions = [
        {
            "name": "latency",
            "kind": "aggregate",
            "field": "latency_ms",
            "fn": "max",
            "threshold": "api.max_latency",
        },
        {
            "name": "errors",
            "kind": "aggregate",
            "field": "errors",
            "fn": "sum",
            "threshold": "api.min_errors",
        },
    ]
    common = {
        "window": {"end": "2026-01-15T00:00:00Z", "days": "api.window_days"},
        "triggers": conditions,
    }
    spike = [
        at(END - 2 * HOUR, "metric", values={"latency_ms": 900, "errors": 1}),
        at(END - 30 * HOUR, "metric", values={"errors": 2}),  # the day before the window
        at(END - 31 * HOUR, "metric", values={"errors": 2}),
    ]
    state.case("checkout_spike", spike, **common)
    busy = [at(END - 2 * HOUR, "metric", values={"latency_ms": 700, "errors": 3})]
    state.case("busy_but_fine", busy, expect="quiet", protected=True, **common)
    plan = loop(repository(tmp_path, state), capsys)
    proposal = plan["checkout_spike"]["proposal"]
    assert proposal is not None and proposal["proposal_type"] == "window_extension"
    assert proposal["changes"] == [
        {"policy": "api", "target": "parameters.window_days", "old": 1, "new": 2}
    ]
    lost = {r["candidate"]: r["reason"] for r in plan["checkout_spike"]["rejected"]}
    assert (
        "regressions on the cases it reaches: busy_but_fine"
        in lost["threshold_adjustment: api.min_errors: 4 -> 1"]
    )
