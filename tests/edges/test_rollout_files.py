"""The rollout files: a policy's `candidate:` block and the online metrics JSONL, validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.edges import outcomes, store
from bot.edges.files import WorktreeFiles
from bot.model import Problem, Rollout, parse_time
from tests.repos import copy_example

CANDIDATE = """candidate:
  values:
    risk_threshold: 66
  stage: canary
  percent: 10
  since: "2026-01-01T00:00:00Z"
"""


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "repo")
    path = root / "policies/inbox_triage.yaml"
    path.write_text(path.read_text() + CANDIDATE)
    return root


def problems_of(root: Path, path: str) -> list[Problem]:
    return [p for p in store.load(WorktreeFiles(root)).problems if p.path == path]


def edit(root: Path, old: str, new: str) -> None:
    path = root / "policies/inbox_triage.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))


def test_candidate_block_loads_as_a_rollout(state_dir: Path) -> None:
    state = store.load(WorktreeFiles(state_dir))
    assert state.policies["inbox_triage"].candidate == Rollout(
        {"risk_threshold": 66}, "canary", 10, "2026-01-01T00:00:00Z"
    )
    assert state.policies["momentum"].candidate is None


@pytest.mark.parametrize(
    ("old", "new", "pointer", "message"),
    [
        ("stage: canary", "stage: live", "/candidate/stage", "'live' is not one of"),
        ("percent: 10", "percent: 100", "/candidate/percent", "100 is greater than"),
        ("percent: 10", "percent: 0", "/candidate/percent", "a canary takes a share"),
        ('since: "2026-01-01T00:00:00Z"', "since: yesterday", "/candidate/since", "does not match"),
        (
            "risk_threshold: 66\n  stage",
            "risk_threshold: 200\n  stage",
            "/candidate/values/risk_threshold",
            "outside the bounds",
        ),
        (
            "risk_threshold: 66\n  stage",
            "risk_limit: 66\n  stage",
            "/candidate/values/risk_limit",
            "no parameter 'risk_limit'",
        ),
        (
            "risk_threshold: 66\n  stage",
            "risk_threshold: 70\n  stage",
            "/candidate/values",
            "equal the active ones",
        ),
        (
            "  percent: 10\n",
            "  percent: 10\n  owner: me\n",
            "/candidate/owner",
            "unknown key 'owner'",
        ),
    ],
)
def test_bad_candidate_names_file_field_and_line(
    state_dir: Path, old: str, new: str, pointer: str, message: str
) -> None:
    edit(state_dir, old, new)
    found = problems_of(state_dir, "policies/inbox_triage.yaml")
    assert [p.pointer for p in found] == [pointer]
    assert message in found[0].message
    lines = (state_dir / "policies/inbox_triage.yaml").read_text().splitlines()
    assert found[0].line > lines.index("candidate:")
    assert "inbox_triage" not in store.load(WorktreeFiles(state_dir)).policies


def test_shadow_takes_no_traffic(state_dir: Path) -> None:
    edit(state_dir, "stage: canary", "stage: shadow")
    (problem,) = problems_of(state_dir, "policies/inbox_triage.yaml")
    assert problem.pointer == "/candidate/percent" and "shadow takes no traffic" in problem.message


def write_metrics(root: Path, lines: list[str]) -> Path:
    path = root / "cases/outcomes/rollouts/inbox_triage.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path


GOOD = {"ts": "2026-01-02T00:00:00Z", "arm": "candidate", "quality": 0.9, "latency_ms": 120}


def test_metrics_lines_load_sorted_by_time(state_dir: Path) -> None:
    later = dict(GOOD, ts="2026-01-03T00:00:00Z", arm="control")
    write_metrics(state_dir, [json.dumps(later), json.dumps(GOOD), ""])
    found, problems = outcomes.rollout_samples(
        WorktreeFiles(state_dir), "cases/outcomes/rollouts", "inbox_triage"
    )
    assert problems == []
    assert [(s.ts, s.arm) for s in found] == [
        (parse_time("2026-01-02T00:00:00Z"), "candidate"),
        (parse_time("2026-01-03T00:00:00Z"), "control"),
    ]
    assert found[0].metrics == {"latency_ms": 120.0, "quality": 0.9}


def test_missing_metrics_file_is_no_data(state_dir: Path) -> None:
    found = outcomes.rollout_samples(WorktreeFiles(state_dir), "cases/outcomes/rollouts", "x")
    assert found == ([], [])


@pytest.mark.parametrize(
    ("line", "pointer", "message"),
    [
        ({"arm": "control", "quality": 1}, "/", "'ts' is a required property"),
        (dict(GOOD, arm="treatment"), "/arm", "'treatment' is not one of"),
        (dict(GOOD, quality="high"), "/quality", "'high' is not of type 'number'"),
        (dict(GOOD, ts="2026-01-02"), "/ts", "does not match"),
        (dict(GOOD, **{"Bad-Name": 1}), "/", "does not match"),
    ],
)
def test_bad_metric_lines_are_problems_and_the_rest_still_load(
    state_dir: Path, line: dict[str, object], pointer: str, message: str
) -> None:
    write_metrics(state_dir, [json.dumps(GOOD), json.dumps(line), "{not json"])
    found, problems = outcomes.rollout_samples(
        WorktreeFiles(state_dir), "cases/outcomes/rollouts", "inbox_triage"
    )
    assert len(found) == 1
    assert (problems[0].line, problems[0].pointer) == (2, pointer)
    assert message in problems[0].message
    assert problems[1].line == 3 and "invalid JSON" in problems[1].message


def test_validate_reports_metric_and_candidate_problems(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_metrics(state_dir, [json.dumps(dict(GOOD, arm="treatment"))])
    edit(state_dir, "percent: 10", "percent: 0")
    assert main(["validate", "--repo", str(state_dir)]) == 2
    out = capsys.readouterr().out
    assert "cases/outcomes/rollouts/inbox_triage.jsonl:1: /arm:" in out
    assert "policies/inbox_triage.yaml" in out and "/candidate/percent" in out
