from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.repos import commit_all

NOW = "2026-01-20T00:00:00Z"


def backtest_json(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["backtest", "--repo", str(repo), "--json", "--now", NOW, *extra])
    return code, json.loads(capsys.readouterr().out)


def status_of(report: dict, case_id: str) -> str:
    return next(r["status"] for r in report["results"] if r["case_id"] == case_id)


def test_backtest_table_lists_the_failures_built_into_the_example(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backtest", "--repo", str(repo)]) == 1
    out = capsys.readouterr().out
    for case_id, status in [
        ("te_slow_burn", "MISS"),
        ("te_airdrop_season", "ABSTAIN"),
        ("it_wire_fraud", "MISS"),
        ("te_quantum_finance", "HIT"),
    ]:
        row = next(line for line in out.splitlines() if line.startswith(case_id + " "))
        assert status in row
    assert "21 cases" in out and "7 failures" in out and "pass rate 0.667" in out


def test_backtest_json_is_byte_identical_across_runs(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["backtest", "--repo", str(repo), "--json", "--rev", "HEAD"])
    first = capsys.readouterr().out
    main(["backtest", "--repo", str(repo), "--json", "--rev", "HEAD"])
    assert capsys.readouterr().out == first
    report = json.loads(first)
    assert report["summary"]["failures"] == 7
    assert set(report["results"][0]) >= {
        "case_id",
        "status",
        "score",
        "confidence",
        "triggers",
        "signals",
    }


def test_rev_evaluates_older_policies_from_git_not_the_working_tree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = repo / "policies/inbox_triage.yaml"
    policy.write_text(policy.read_text().replace("value: 70", "value: 68"))
    commit_all(repo, "lower risk threshold")
    policy.write_text(policy.read_text().replace("value: 68", "value: 95"))  # uncommitted
    _, older = backtest_json(repo, capsys, "--rev", "HEAD~1")
    _, newer = backtest_json(repo, capsys, "--rev", "HEAD")
    _, worktree = backtest_json(repo, capsys)
    assert status_of(older, "it_wire_fraud") == "MISS"
    assert status_of(newer, "it_wire_fraud") == "HIT"
    assert status_of(worktree, "it_invoice_phish") == "MISS"  # 82 < 95 in the working tree only
    assert older["revision"] != newer["revision"]


def test_bad_case_is_reported_the_others_still_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = repo / "cases/te_slow_burn.yaml"
    case.write_text(case.read_text().replace("threshold: term_emergence.min_count", "threshold: 5"))
    code, report = backtest_json(repo, capsys)
    assert code == 2
    assert len(report["results"]) == 20
    (problem,) = report["problems"]
    assert (
        problem["path"] == "cases/te_slow_burn.yaml"
        and problem["pointer"] == "/triggers/0/threshold"
    )


def test_all_passing_exits_zero(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (repo / "cases").glob("*.yaml"):
        if path.stem not in {"te_quantum_finance", "te_noise_meme"}:
            path.unlink()
    code, report = backtest_json(repo, capsys)
    assert code == 0 and report["summary"]["pass_rate"] == 1.0


EVALUATORS = """
def raises(case, params, snapshot):
    raise RuntimeError("scoring service unavailable")

def always_hit(case, params, snapshot):
    return {"status": "HIT", "score": 1.0, "confidence": "HIGH"}
"""


def test_custom_evaluators_named_by_case_and_config(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "team_scoring.py").write_text(EVALUATORS)
    config = repo / ".github/learnbot.yml"
    config.write_text(config.read_text() + "evaluators:\n  lenient: team_scoring:always_hit\n")
    for name, spec in [
        ("te_slow_burn", "team_scoring:raises"),
        ("it_wire_fraud", "lenient"),
        ("cv_eth_accumulation", "team_scoring:missing"),
    ]:
        case = repo / f"cases/{name}.yaml"
        case.write_text(case.read_text() + f"evaluator: {spec}\n")
    code, report = backtest_json(repo, capsys)
    by_id = {r["case_id"]: r for r in report["results"]}
    assert by_id["te_slow_burn"]["status"] == "ERROR"
    assert by_id["te_slow_burn"]["error"] == "RuntimeError: scoring service unavailable"
    assert by_id["it_wire_fraud"]["status"] == "HIT"
    assert by_id["cv_eth_accumulation"]["status"] == "ERROR"
    assert "cannot import evaluator team_scoring:missing" in by_id["cv_eth_accumulation"]["error"]
    assert by_id["te_noise_meme"]["status"] == "HIT"  # everything else still ran
    assert code == 1


def test_analyze_writes_json_and_markdown(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert main(["analyze", "--repo", str(repo), "--out", str(out), "--json", "--now", NOW]) == 0
    analyses = json.loads(capsys.readouterr().out)
    assert len(analyses) == 7
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 14
    first = analyses[0]
    assert json.loads((out / f"{first['failure_id']}.json").read_text()) == first
    markdown = (out / f"{first['failure_id']}.md").read_text()
    assert first["case_id"] in markdown and first["hypothesis"] in markdown
    assert set(first) >= {
        "failure_id",
        "case_id",
        "run_id",
        "backtest_result",
        "unmet_triggers",
        "hit_falsifiers",
        "signal_gaps",
        "integrity_conditions",
        "temporal_gaps",
        "hypothesis",
        "suggested_adjustments",
    }


def test_failure_ids_survive_a_new_run_on_an_unrelated_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["analyze", "--repo", str(repo), "--json"])
    before = {a["case_id"]: a["failure_id"] for a in json.loads(capsys.readouterr().out)}
    (repo / "NOTES.md").write_text("unrelated\n")
    commit_all(repo, "unrelated", date="2026-02-01T00:00:00Z")
    main(["analyze", "--repo", str(repo), "--json"])
    after = json.loads(capsys.readouterr().out)
    assert {a["case_id"]: a["failure_id"] for a in after} == before
    assert after[0]["run_id"] == "run_20260201_000000"
