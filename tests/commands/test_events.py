"""The Actions entry point: real event payloads through GITHUB_EVENT_PATH, against the fake GitHub.

Payloads come from GitHub's own examples when they are available (../shared/github/events),
else from minimal fixtures with the same fields (tests/fixtures/events). Each is *derived*:
the fields that name this test's repository, branch, pull request and commits are set to
match it; everything else is GitHub's.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.github_spec import find_shared_github
from tests.harness import World
from tests.repos import git

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "events"
BRANCH = "master"  # every real payload uses master: learnbot must read it, not assume main


def payload(name: str) -> dict[str, Any]:
    shared = find_shared_github()
    source = shared / "events" / f"{name}.json" if shared else None
    path = source if source is not None and source.exists() else FIXTURES / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def derive_pull(
    name: str, world: World, pull: dict[str, Any], *, merged: bool | None = None
) -> dict[str, Any]:
    """A pull_request payload derived for `pull` of this test's repository (labelled derived)."""
    data = copy.deepcopy(payload(name))
    data["number"] = pull["number"]
    data["repository"].update(full_name="octo-org/learning", default_branch=BRANCH)
    pr = data["pull_request"]
    pr.update(number=pull["number"])
    pr["head"].update(
        ref=pull["branch"], sha=world.open_pulls().get(pull["branch"], pull)["head_sha"]
    )
    pr["head"]["repo"] = {**(pr["head"].get("repo") or {}), "full_name": "octo-org/learning"}
    pr["base"].update(ref=BRANCH)
    if merged is not None:
        pr["merged"] = merged
    return data


@pytest.fixture
def github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    (tmp_path / "w").mkdir()
    built = World(tmp_path / "w", "github", capsys, branch=BRANCH)
    yield built
    built.close_world()


def outputs(tmp_path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines() if "=" in line
    )


def test_workflow_dispatch_runs_on_the_payloads_default_branch(
    github: World, tmp_path: Path
) -> None:
    data = copy.deepcopy(payload("workflow_dispatch"))
    data["repository"].update(full_name="octo-org/learning", default_branch=BRANCH)
    result = github.in_actions("run", "workflow_dispatch", data, tmp_path)
    assert result.code == 0, result.err
    pulls = github.open_pulls()
    assert len(pulls) == 5 and all(p["branch"].startswith("learnbot/") for p in pulls.values())
    assert all(github.fake._state.issues[p["number"]].pull.base == BRANCH for p in pulls.values())  # type: ignore[union-attr]
    assert github.fake.count(operation_id="repos/get") == 0  # type: ignore[union-attr]
    assert outputs(tmp_path) == {"proposals-opened": "5", "failures": "7", "pass-rate": "0.666667"}
    summary = (tmp_path / "summary").read_text()
    assert "### Open proposals" in summary and "<!-- learnbot:dashboard -->" in summary


def test_schedule_has_no_payload_to_speak_of(github: World, tmp_path: Path) -> None:
    result = github.in_actions("run", "schedule", {"schedule": "17 3 * * *"}, tmp_path)
    assert result.code == 0, result.err
    assert len(github.open_pulls()) == 5
    assert github.fake.count(operation_id="repos/get") == 1  # type: ignore[union-attr]


def test_pull_request_synchronize_checks_the_head(github: World, tmp_path: Path) -> None:
    github.run()
    branch = "learnbot/it_wire_fraud"
    github.push_to_branch(
        branch,
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 68", "value: 67"),
        "tune the proposal",
    )
    pull = github.open_pulls()[branch]
    result = github.in_actions(
        "check", "pull_request", derive_pull("pull_request.synchronize", github, pull), tmp_path
    )
    assert result.code == 0, result.err
    (check,) = github.checks(pull["head_sha"])
    assert check["success"] and "`inbox_triage.risk_threshold: 70 -> 67`" in check["summary"]
    assert outputs(tmp_path) == {"passed": "true"}


def test_pull_request_closed_merged_promotes(github: World, tmp_path: Path) -> None:
    github.run()
    pull = github.open_pulls()["learnbot/it_wire_fraud"]
    merge = github.merge(pull["number"])
    event = derive_pull("pull_request.closed.merged", github, pull, merged=True)
    event["pull_request"]["merge_commit_sha"] = merge
    result = github.in_actions("promote", "pull_request", event, tmp_path)
    assert result.code == 0, result.err
    (entry,) = github.ledger()
    assert (entry["type"], entry["commit"], entry["pr"]) == ("promotion", merge, pull["number"])
    assert outputs(tmp_path)["entries"] == "1"


def test_pull_request_closed_unmerged_is_rejected_at_the_events_time(
    github: World, tmp_path: Path
) -> None:
    github.run()
    pull = github.open_pulls()["learnbot/it_wire_fraud"]
    github.close_pull(pull["number"])
    event = derive_pull("pull_request.closed.unmerged", github, pull, merged=False)
    closed_at = event["pull_request"]["closed_at"]
    result = github.in_actions("promote", "pull_request", event, tmp_path)
    assert result.code == 0, result.err
    (entry,) = github.ledger()
    assert entry["type"] == "rejection" and entry["pr"] == pull["number"]
    assert entry["at"][:10] == closed_at[:10]


def push_event(github: World, sha: str, message: str) -> dict[str, Any]:
    data = copy.deepcopy(payload("push.normal"))
    data.update(ref=f"refs/heads/{BRANCH}", after=sha)
    data["repository"].update(full_name="octo-org/learning", default_branch=BRANCH)
    data["head_commit"].update(id=sha, message=message)
    if data.get("commits"):
        data["commits"][-1].update(id=sha, message=message)
    return data


def test_push_records_a_manual_change(github: World, tmp_path: Path) -> None:
    sha = github.change_main(
        "policies/momentum.yaml",
        lambda t: t.replace("value: 48", "value: 60").replace("version: 2", "version: 3"),
        "slower decay",
    )
    result = github.in_actions("promote", "push", push_event(github, sha, "slower decay"), tmp_path)
    assert result.code == 0, result.err
    (entry,) = github.ledger()
    assert entry["type"] == "manual_change" and entry["versions"] == {
        "momentum": {"from": 2, "to": 3}
    }


def test_revert_push_rolls_back(github: World, tmp_path: Path) -> None:
    """The revert push is derived from push.normal: its head commit is a real `git revert`."""
    github.run()
    pull = github.open_pulls()["learnbot/it_wire_fraud"]
    merge = github.merge(pull["number"])
    github.learnbot("promote")
    revert = github.revert(merge)
    message = git(github.repo, "log", "-1", "--format=%B", revert)
    assert f"This reverts commit {merge}" in message
    result = github.in_actions("promote", "push", push_event(github, revert, message), tmp_path)
    assert result.code == 0, result.err
    assert [e["type"] for e in github.ledger()] == ["promotion", "rollback"]


def test_invalid_state_is_annotated_and_the_rest_still_runs(github: World, tmp_path: Path) -> None:
    github.change_main(
        "cases/te_slow_burn.yaml",
        lambda t: t.replace("min_signals: 20", "min_signals: -1"),
        "break a case",
    )
    result = github.in_actions("run", "schedule", None, tmp_path)
    assert result.code == 2
    line = next(
        i
        for i, t in enumerate((github.repo / "cases/te_slow_burn.yaml").read_text().splitlines(), 1)
        if "min_signals" in t
    )
    assert f"::error file=cases/te_slow_burn.yaml,line={line}::/min_signals" in result.out
    assert len(github.open_pulls()) == 5  # the other failures still became pull requests
    assert "ghs_secret_token_value" not in result.out + result.err
