"""`learnbot crl` and `validate` on run metrics: losses by component, missing terms named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.repos import copy_example

RUNS = "cases/outcomes/runs.jsonl"
FULL = {
    "gate_pass_rate": 0.8,
    "contradiction_rate": 0.1,
    "grounding": 0.9,
    "cost_over_budget_pct": 0.2,
    "latency_p95_norm": 0.5,
    "security_criticals": 1,
    "api_breakages": 2,
    "db_migration_fail": 0,
    "rag_coverage": 0.6,
}


def write_runs(root: Path, *lines: dict[str, object]) -> None:
    (root / RUNS).write_text("".join(json.dumps(line) + "\n" for line in lines))


def run(run_id: str, at: str, **metrics: float) -> dict[str, object]:
    return {"run_id": run_id, "at": at, "component": "billing", "metrics": metrics}


def test_crl_prints_each_runs_loss_from_the_configured_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    write_runs(
        root, run("r2", "2026-01-02T00:00:00Z", **FULL), run("r1", "2026-01-01T00:00:00Z", **FULL)
    )
    assert main(["crl", "--repo", str(root), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in found["runs"]] == ["r1", "r2"]
    assert found["runs"][0]["crl"] == pytest.approx(0.37)
    config = root / ".github/learnbot.yml"
    config.write_text(config.read_text() + "objective:\n  weights: {api_breakages: 0.5}\n")
    assert main(["crl", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert "billing" in out and "1.2700" in out  # 0.37 - 0.05 * 2 + 0.5 * 2


def test_a_missing_term_is_named_by_crl_and_validate_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    partial = {k: v for k, v in FULL.items() if k != "grounding"}
    write_runs(
        root,
        run("ok", "2026-01-01T00:00:00Z", **FULL),
        run("gap", "2026-01-02T00:00:00Z", **partial),
    )
    assert main(["crl", "--repo", str(root), "--json"]) == 2
    captured = capsys.readouterr()
    assert (
        "cases/outcomes/runs.jsonl:2: /metrics/grounding: run gap: missing term 'grounding'"
        in captured.err
    )
    assert [r["run_id"] for r in json.loads(captured.out)["runs"]] == [
        "ok"
    ]  # the other still counts
    assert main(["validate", "--repo", str(root)]) == 2
    assert (
        "runs.jsonl:2: /metrics/grounding: run gap: missing term 'grounding'"
        in capsys.readouterr().out
    )


def test_a_term_with_weight_zero_is_not_needed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    write_runs(
        root,
        run("r", "2026-01-01T00:00:00Z", **{k: v for k, v in FULL.items() if k != "rag_coverage"}),
    )
    config = root / ".github/learnbot.yml"
    config.write_text(config.read_text() + "objective:\n  weights: {rag_coverage: 0}\n")
    assert main(["crl", "--repo", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["crl"] == pytest.approx(0.35)


def test_validate_reports_bad_run_lines_by_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    (root / RUNS).write_text(
        json.dumps(run("r", "2026-01-01T00:00:00Z", **{**FULL, "grounding": 1.5}))
        + "\n"
        + json.dumps({"run_id": "x", "at": "2026-01-01T00:00:00Z", "metrics": {"speed": 1}})
        + "\n"
        + "nope\n"
    )
    assert main(["validate", "--repo", str(root)]) == 2
    out = capsys.readouterr().out
    assert "runs.jsonl:1: /metrics/grounding: 1.5 is greater than the maximum of 1" in out
    assert "runs.jsonl:2: /metrics: Additional properties are not allowed ('speed'" in out
    assert "runs.jsonl:3: invalid JSON" in out


def test_crl_on_the_example_state_has_every_family(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_example(tmp_path / "r")
    assert main(["crl", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    for family in ("conviction", "inbox_triage", "momentum", "term_emergence"):
        assert family in out
