from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import main

NOW = "2026-01-20T00:00:00Z"


def test_loop_dry_run_on_the_example(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loop", "--dry-run", "--repo", str(repo), "--json", "--now", NOW]) == 0
    plan = json.loads(capsys.readouterr().out)["pull_requests"]
    by_case = {p["subject"]: p for p in plan}
    passing = [p for p in plan if p["proposal"]]
    assert len(passing) >= 2
    # the obvious fix for the look-alike phish breaks a protected newsletter: no proposal, and why
    lookalike = by_case["it_lookalike_domain"]
    assert lookalike["proposal"] is None and lookalike["reason"] == "no candidate passes the gate"
    assert "protected_regressions: 1" in lookalike["rejected"][0]["reason"]
    # the obvious fix for the doppelganger breaks the protected noise meme: another one passes
    doppelganger = by_case["te_digital_doppelganger"]
    assert doppelganger["proposal"]["changes"][0]["target"] == "operators.term_aliases"
    threshold = next(
        r for r in doppelganger["rejected"] if r["candidate"].startswith("threshold_adjustment")
    )
    assert "regressions on the cases it reaches: te_noise_meme" in threshold["reason"]
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )


def test_loop_requires_dry_run(repo: Path) -> None:
    assert main(["loop", "--repo", str(repo)]) == 2


def test_propose_sandbox_gate_chain(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proposal = tmp_path / "proposal.yaml"
    assert (
        main(
            [
                "propose",
                "--repo",
                str(repo),
                "--failure",
                "it_wire_fraud",
                "--out",
                str(proposal),
                "--now",
                NOW,
            ]
        )
        == 0
    )
    data = yaml.safe_load(proposal.read_text())
    assert data["source_failure_id"].startswith("failure_it_wire_fraud_")
    assert data["changes"] == [
        {"policy": "inbox_triage", "target": "parameters.risk_threshold", "old": 70, "new": 68}
    ]
    assert data["created_at"] == NOW
    capsys.readouterr()

    report = tmp_path / "report.json"
    assert (
        main(["sandbox", str(proposal), "--repo", str(repo), "--runs", "2", "--out", str(report)])
        == 0
    )
    markdown = capsys.readouterr().out
    assert "**Passes the gate.**" in markdown and "<details>" in markdown
    saved = json.loads(report.read_text())
    assert saved["proposal_id"] == data["proposal_id"] and saved["stabilization"]["runs"] == 2

    assert main(["gate", str(report), "--repo", str(repo)]) == 0
    assert "promotion allowed" in capsys.readouterr().out
    saved["delta"]["protected_regressions"] = ["it_partner_newsletter"]
    report.write_text(json.dumps(saved))
    assert main(["gate", str(report), "--repo", str(repo), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["reasons"] == [
        "protected_regressions: 1 (needs <= 0)"
    ]


def test_propose_is_byte_identical_across_runs(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["propose", "--repo", str(repo), "--failure", "te_slow_burn", "--now", NOW])
    first = capsys.readouterr().out
    main(["propose", "--repo", str(repo), "--failure", "te_slow_burn", "--now", NOW])
    assert capsys.readouterr().out == first


def test_propose_without_a_viable_proposal_exits_1(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["propose", "--repo", str(repo), "--failure", "it_lookalike_domain"]) == 1
    assert "no proposal: no candidate passes the gate" in capsys.readouterr().err


def test_unknown_failure_and_bad_files_exit_2(repo: Path, tmp_path: Path) -> None:
    assert main(["propose", "--repo", str(repo), "--failure", "nope"]) == 2
    (tmp_path / "bad.yaml").write_text("just: text\n")
    assert main(["sandbox", str(tmp_path / "bad.yaml"), "--repo", str(repo)]) == 2
    (tmp_path / "bad.json").write_text("{}")
    assert main(["gate", str(tmp_path / "bad.json"), "--repo", str(repo)]) == 2
