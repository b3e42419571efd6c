"""`learnbot init` in new repositories: the starter runs the whole loop with no edits."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import __version__
from bot.cli import main
from bot.core.learners import configs
from bot.edges.files import WorktreeFiles
from bot.edges.store import load
from tests.repos import commit_all, git

WORKFLOWS = (
    "learnbot-learn.yml",
    "learnbot-check.yml",
    "learnbot-promote.yml",
    "learnbot-comment.yml",
)


def empty_repo(tmp_path: Path, *, origin_head: str = "master") -> Path:
    """A new repository on `main` whose bare origin is empty and whose HEAD names `origin_head`."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch", origin_head, str(origin))
    work = tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--initial-branch", "main", str(work))
    git(work, "remote", "add", "origin", str(origin))
    return work


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.slow
def test_init_then_the_whole_loop_runs_without_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = empty_repo(tmp_path)
    repo = ["--repo", str(work)]
    assert main(["init", *repo]) == 0
    out = capsys.readouterr().out
    assert "Next steps" in out and "LEARNBOT_APP_ID" in out
    assert main(["validate", *repo]) == 0
    assert main(["backtest", *repo, "--json"]) == 1  # the starter's one failure, on purpose
    report = json.loads(capsys.readouterr().out)
    assert [(r["case_id"], r["status"]) for r in report["results"]] == [
        ("deploy_blip", "HIT"),
        ("search_outage", "MISS"),
    ]
    commit_all(work, "Start learning with learnbot")
    git(work, "push", "--quiet", "origin", "main")  # origin's HEAD still names master

    assert main(["run", *repo, "--forge", "local"]) == 0
    capsys.readouterr()
    assert main(["prs", *repo, "--json"]) == 0
    (pull,) = json.loads(capsys.readouterr().out)
    assert pull["branch"] == "learnbot/search_outage"
    assert main(["check", *repo, "--pr", str(pull["number"]), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["passed"] is True and checked["branch"] == "learnbot/search_outage"
    assert checked["changes"] and "Gate passed" in checked["title"]
    assert main(["merge", *repo, str(pull["number"]), "--approved-by", "ana"]) == 0
    assert main(["promote", *repo]) == 0
    capsys.readouterr()
    assert main(["ledger", "show", *repo, "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in entries] == ["promotion"]
    assert main(["backtest", *repo]) == 0  # the proposal fixed the failure

    before = files_of(work)
    assert main(["init", *repo]) == 0
    assert files_of(work) == before
    assert git(work, "status", "--porcelain") == ""


def test_init_writes_only_the_learners_the_repository_uses(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work)]) == 0
    config = load(WorktreeFiles(work)).config
    text = (work / ".github/learnbot.yml").read_text()
    assert "backtest:" in text
    assert not any(name in text for name in ("weights:", "karma:", "skills:", "forecasts:"))
    assert configs.BACKTEST.of(config).enabled


def test_init_never_overwrites_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work)]) == 0
    policy = work / "policies/alerting.yaml"
    mine = policy.read_text().replace("value: 5.0", "value: 6.0")
    policy.write_text(mine)
    capsys.readouterr()
    assert main(["init", "--repo", str(work), "--json"]) == 0
    outcomes = {f["path"]: f["outcome"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert outcomes["policies/alerting.yaml"] == "kept"
    assert set(outcomes.values()) == {"kept", "unchanged"}
    assert policy.read_text() == mine
    assert main(["init", "--repo", str(work), "--force", "--json"]) == 0
    outcomes = {f["path"]: f["outcome"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert outcomes["policies/alerting.yaml"] == "overwritten"
    assert "value: 5.0" in policy.read_text()


def test_init_workflows_use_the_action_at_this_versions_tag(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work), "--action", "acme/learnbot"]) == 0
    for name in WORKFLOWS:
        text = (work / ".github/workflows" / name).read_text()
        assert f"uses: acme/learnbot@v{__version__}\n" in text
        assert "uses: ./" not in text
        for line in text.splitlines():
            if "uses: actions/" in line:  # third-party actions are pinned by commit
                assert len(line.split("@")[1].split()[0]) == 40, line
    learn = (work / ".github/workflows/learnbot-learn.yml").read_text()
    # the App's token goes to checkout too, so pushes are the App's, not GITHUB_TOKEN's
    assert learn.count("steps.app-token.outputs.token || github.token") == 2
    hooks = (work / ".pre-commit-config.yaml").read_text()
    assert f"https://github.com/acme/learnbot\n    rev: v{__version__}" in hooks


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_init_workflows_pass_actionlint(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work)]) == 0
    paths = [str(work / ".github/workflows" / n) for n in WORKFLOWS]
    done = subprocess.run(
        ["actionlint", "-shellcheck=", *paths], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_example_family_validates_with_its_learners(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work), "--example", "conviction"]) == 0
    assert main(["validate", "--repo", str(work)]) == 0
    state = load(WorktreeFiles(work))
    assert {c.family for c in state.cases.values()} == {"conviction"}
    assert set(state.policies) == {"conviction", "conviction_weights"}
    assert (work / "cases/outcomes/positions.jsonl").is_file()
    assert "weights:" in (work / ".github/learnbot.yml").read_text()
    assert main(["backtest", "--repo", str(work)]) in (0, 1)
    assert "cv_btc_breakout" in capsys.readouterr().out


def test_init_unknown_example_names_the_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work), "--example", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "inbox_triage" in err
    assert not (work / ".github").exists()


def test_init_appends_to_an_existing_pre_commit_config(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    hooks = work / ".pre-commit-config.yaml"
    mine = "# mine\nrepos:\n- repo: https://github.com/psf/black\n  rev: 24.1.0\n"
    mine += "  hooks:\n  - id: black\n"
    hooks.write_text(mine)
    assert main(["init", "--repo", str(work)]) == 0
    text = hooks.read_text()
    assert text.startswith(mine) and "- id: learnbot-validate" in text
    assert main(["init", "--repo", str(work)]) == 0
    assert hooks.read_text() == text


def test_init_keeps_a_pre_commit_config_it_cannot_extend_safely(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    hooks = work / ".pre-commit-config.yaml"
    mine = "repos:\n- repo: local\n  hooks: []\nci:\n  autofix: false\n"
    hooks.write_text(mine)
    assert main(["init", "--repo", str(work)]) == 0
    assert hooks.read_text() == mine


def test_init_sets_origin_head_when_origin_has_the_branch(tmp_path: Path) -> None:
    work = empty_repo(tmp_path, origin_head="main")
    (work / "README.md").write_text("x\n")
    commit_all(work, "first")
    git(work, "push", "--quiet", "origin", "main")
    assert main(["init", "--repo", str(work)]) == 0
    assert git(work, "symbolic-ref", "refs/remotes/origin/HEAD") == "refs/remotes/origin/main"


def test_init_comment_workflow_labels_from_slash_commands_on_issues(tmp_path: Path) -> None:
    work = empty_repo(tmp_path)
    assert main(["init", "--repo", str(work)]) == 0
    path = work / ".github/workflows/learnbot-comment.yml"
    workflow = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # keeps the `on:` key a string
    assert workflow["on"] == {"issue_comment": {"types": ["created"]}}
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert "startsWith(github.event.comment.body, '/learnbot ')" in job["if"]
    assert "github.event.issue.pull_request == null" in job["if"]
    assert job["concurrency"] == {"group": "learnbot-labels", "cancel-in-progress": "false"}
    assert set(job["permissions"]) == {"contents", "pull-requests", "issues", "checks", "statuses"}
    step = next(s for s in job["steps"] if "learnbot@v" in s.get("uses", ""))
    assert step["with"]["command"] == "comment"
