"""The shipped workflows keep their security properties (checked without any external schema)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.edges.learning_cache import FOLDER
from bot.edges.release import action_repository, action_tag
from tests.repos import ROOT

STARTER = ROOT / "bot" / "starter" / "workflows"

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_permissions_on_every_job(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, (
        "workflow-level permissions must be empty; jobs ask for what they need"
    )
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} declares no permissions"
        assert "write-all" not in str(job["permissions"]) and "admin" not in str(job["permissions"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]
    assert "pull_request_target" not in str(workflow["jobs"])


def test_the_loop_as_events() -> None:
    learn, check, promote = (
        load(ROOT / ".github" / "workflows" / f"{n}.yml") for n in ("learn", "check", "promote")
    )
    assert set(learn["on"]) == {"schedule", "workflow_dispatch"}
    assert set(check["on"]) == {"pull_request"}
    assert set(promote["on"]) == {"push", "pull_request"} and promote["on"]["pull_request"][
        "types"
    ] == ["closed"]
    for workflow, command in ((learn, "run"), (check, "check"), (promote, "promote")):
        job = (
            workflow["jobs"]["run"] if workflow is learn else next(iter(workflow["jobs"].values()))
        )
        step = next(s for s in job["steps"] if "with" in s and "command" in s["with"])
        assert step["with"]["command"] == command


@pytest.mark.parametrize("name", ["learn.yml", "reusable-learn.yml"])
def test_learn_fans_out_over_shards_and_fans_in(name: str) -> None:
    learn = load(ROOT / ".github" / "workflows" / name)
    trigger = learn["on"].get("workflow_dispatch") or learn["on"]["workflow_call"]
    assert trigger["inputs"]["shards"]["default"] == 1
    jobs = learn["jobs"]
    assert jobs["split"]["if"] == "inputs.shards > 1"
    shard = jobs["shard"]
    assert shard["needs"] == "split"
    assert "fromJSON(needs.split.outputs.shards)" in shard["strategy"]["matrix"]["shard"]
    assert set(shard["permissions"].values()) == {"read"}  # a shard only reads
    step = next(s for s in shard["steps"] if s.get("with", {}).get("command") == "loop")
    assert "--shard ${{ matrix.shard }}/${{ inputs.shards }} --out" in step["with"]["args"]
    run = jobs["run"]
    assert run["needs"] == "shard" and "needs.shard.result != 'failure'" in run["if"]
    step = next(s for s in run["steps"] if s.get("with", {}).get("command") == "run")
    assert "--from-shards learnbot-shards" in step["with"]["args"]
    fetched = next(s for s in run["steps"] if "download-artifact" in s.get("uses", ""))
    assert fetched["with"]["path"] == "learnbot-shards"
    cached = next(s for s in run["steps"] if "actions/cache@" in s.get("uses", ""))
    assert cached["with"]["path"] == ".git/learnbot/etags.json"  # conditional reads next run


@pytest.mark.parametrize(
    "path",
    [
        ROOT / ".github/workflows/check.yml",
        ROOT / ".github/workflows/reusable-check.yml",
        STARTER / "learnbot-check.yml",
    ],
    ids=["check.yml", "reusable-check.yml", "starter"],
)
def test_the_check_runs_no_code_from_the_pull_request(path: Path) -> None:
    """#18: the published action at its tag, never `uses: ./` (the pull request's own copy),
    and a checkout that leaves no token in .git/config; every branch of the repository."""
    published = f"{action_repository()}@{action_tag()}"
    text = path.read_text().replace("@ACTION@", published)
    workflow = yaml.safe_load(text)
    (job,) = workflow["jobs"].values()
    uses = [s["uses"] for s in job["steps"] if "uses" in s]
    assert "./" not in uses and not any(u.startswith("./") for u in uses)
    assert uses[-1] == published
    checkout = next(s for s in job["steps"] if s["uses"].startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert "head_ref" not in job["if"]  # a person's branch touching the ledger is checked too


def test_every_job_that_appends_to_the_ledger_is_serialized() -> None:
    promote = load(ROOT / ".github" / "workflows" / "promote.yml")
    (job,) = promote["jobs"].values()
    assert job["concurrency"] == {"group": "learnbot-ledger", "cancel-in-progress": False}
    assert job["permissions"] == {"contents": "write", "pull-requests": "read"}


def test_promote_follows_the_default_branch_whatever_its_name() -> None:
    promote = load(ROOT / ".github" / "workflows" / "promote.yml")
    assert promote["on"]["push"] is None  # every branch; the job keeps the default one
    (job,) = promote["jobs"].values()
    assert "format('refs/heads/{0}', github.event.repository.default_branch)" in job["if"]
    assert "main" not in json.dumps(promote)


def test_action_passes_inputs_through_the_environment_not_the_shell() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) >= {"command", "token", "config", "python-version"}
    assert set(action["outputs"]) >= {"proposals-opened", "failures", "pass-rate"}
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), (
            f"step {step.get('name')} interpolates an expression into shell"
        )


def test_comment_labels_run_only_on_slash_commands_on_issues_one_at_a_time() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "comment.yml")
    assert workflow["on"] == {"issue_comment": {"types": ["created"]}}
    (job,) = workflow["jobs"].values()
    assert "startsWith(github.event.comment.body, '/learnbot ')" in job["if"]
    assert "github.event.issue.pull_request == null" in job["if"]
    assert job["concurrency"] == {"group": "learnbot-labels", "cancel-in-progress": False}
    step = next(s for s in job["steps"] if s.get("uses") == "./")
    assert step["with"]["command"] == "comment"


REUSABLE = {
    "reusable-learn.yml": "run",
    "reusable-check.yml": "check",
    "reusable-promote.yml": "promote",
    "reusable-comment.yml": "comment",
}


@pytest.mark.parametrize(("name", "command"), REUSABLE.items())
def test_reusable_workflows_are_called_and_use_the_published_action(
    name: str, command: str
) -> None:
    workflow = load(ROOT / ".github" / "workflows" / name)
    assert set(workflow["on"]) == {"workflow_call"}
    assert {"config", "extras", "python-version"} <= set(workflow["on"]["workflow_call"]["inputs"])
    jobs = workflow["jobs"]
    job = jobs["run"] if "run" in jobs else next(iter(jobs.values()))  # learn: split, shard, run
    steps = job["steps"]
    for each in jobs.values():
        used = [s.get("uses", "") for s in each.get("steps", ())]
        assert not any(u.startswith("./") for u in used), "./ is the caller's tree"
    (step,) = [s for s in steps if s.get("uses", "").startswith("learnbot/")]
    assert step["with"]["command"] == command
    if command != "check":  # what pushes uses the App's token, in checkout and in learnbot
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        token = "${{ steps.app-token.outputs.token || github.token }}"
        assert checkout["with"]["token"] == token and step["with"]["token"] == token


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_every_workflow_passes_actionlint() -> None:
    done = subprocess.run(
        ["actionlint", "-shellcheck=", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_leaves_the_callers_python_alone() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["if"] == "steps.found.outputs.python == ''"  # only without python3 >= 3.11
    assert setup["with"]["update-environment"] is False  # never the job's PATH
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    install = next(s for s in steps if s.get("name") == "Install learnbot")
    assert install["env"]["PIP_CACHE_DIR"] == cache["with"]["path"]
    assert '-m venv "$LEARNBOT_VENV"' in install["run"]  # nothing installed into the job's Python


def test_action_finds_the_jobs_python_or_asks_for_one(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s for s in action["runs"]["steps"] if s.get("id") == "found")["run"]
    python3 = shutil.which("python3")
    assert python3 is not None
    for path, expected in (
        (str(Path(python3).parent), f"python={python3}\n"),
        ("/nonexistent", ""),
    ):
        output = tmp_path / "output"
        output.write_text("")
        env = {"PATH": path, "GITHUB_OUTPUT": str(output)}
        subprocess.run(["/bin/bash", "-c", script], env=env, check=True)
        assert output.read_text() == expected


def test_action_caches_parsed_snapshots_by_their_digests() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    cache = next(s for s in steps if "learnbot-snapshots-" in s.get("with", {}).get("key", ""))
    run = next(s for s in steps if s.get("id") == "learnbot")
    assert "hashFiles('cases/data/**/*.jsonl', 'cases/data/**/*.parquet')" in cache["with"]["key"]
    folder = run["env"]["XDG_CACHE_HOME"] + "/learnbot"
    assert cache["with"]["path"].splitlines() == [folder, f"!{folder}/{FOLDER}"]
    assert steps.index(cache) < steps.index(run)


def test_action_keeps_learned_failures_between_runs() -> None:
    """#17: the learning cache is restored from the latest run and saved per commit."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    cache = next(s for s in steps if "learnbot-learning-" in s.get("with", {}).get("key", ""))
    run = next(s for s in steps if s.get("id") == "learnbot")
    assert cache["with"]["path"] == run["env"]["XDG_CACHE_HOME"] + f"/learnbot/{FOLDER}"
    assert cache["with"]["key"].endswith("-${{ github.sha }}")
    assert cache["with"]["restore-keys"].splitlines()[-1] == "learnbot-learning-${{ runner.os }}-"
    assert "inputs.command == 'run'" in cache["if"]
    assert steps.index(cache) < steps.index(run)
    part = next(s for s in steps if s.get("id") == "learning")
    assert "${{ steps.learning.outputs.part }}-${{ github.sha }}" in cache["with"]["key"]
    assert steps.index(part) < steps.index(cache)


def test_action_learning_cache_key_differs_per_shard(tmp_path: Path) -> None:
    """Each shard of a matrix saves its own learning cache: its arguments name it."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "learning")
    parts = []
    for args in ("--shard 1/3 --out a", "--shard 2/3 --out a", "--shard 1/3 --out a", ""):
        output = tmp_path / "output"
        output.write_text("")
        env = {"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output)}
        env |= {"LEARNBOT_COMMAND": "loop", "LEARNBOT_ARGS": args}
        subprocess.run(["/bin/bash", "-c", step["run"]], env=env, check=True)
        (line,) = output.read_text().splitlines()
        assert line.startswith("part=") and line[5:].isdigit()
        parts.append(line[5:])
    assert parts[0] == parts[2] and len(set(parts)) == 3
    assert "fast" in action["inputs"]["extras"]["default"].split(",")
