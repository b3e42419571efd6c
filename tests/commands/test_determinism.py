"""Same tree, config and clock: two separate processes give the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.repos import ROOT

NOW = "2026-01-20T00:00:00Z"


def learnbot(repo: Path, *args: str) -> bytes:
    """One learnbot process (its own interpreter, clock and memory); its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "LEARNBOT_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--repo", str(repo), "--now", NOW],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout


def test_loop_dry_run_json_is_byte_identical_across_processes(repo: Path) -> None:
    first = learnbot(repo, "loop", "--dry-run", "--json")
    second = learnbot(repo, "loop", "--dry-run", "--json")
    assert b'"cost_model"' in first and b"time_ms_delta" not in first
    assert first == second


def test_sandbox_report_and_its_markdown_are_byte_identical_across_processes(
    repo: Path, tmp_path: Path
) -> None:
    proposal = tmp_path / "proposal.yaml"
    proposal.write_bytes(learnbot(repo, "propose", "--failure", "te_slow_burn"))
    reports = [learnbot(repo, "sandbox", str(proposal), "--json") for _ in range(2)]
    assert reports[0] == reports[1] and b'"gate"' in reports[0]
    markdown = [learnbot(repo, "sandbox", str(proposal)) for _ in range(2)]
    # the human report adds measured time and memory, as information only
    assert b"(information, not judged)" in markdown[0]
