"""A learning repository with a bare origin and a forge (local, or the fake GitHub on that origin).

Tests drive learnbot through `main([...])` exactly as a user or a workflow would, then look
at the forge's own state: the local forge's records, or the fake server's.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.model import parse_time
from tests.fake_github import FakeGitHub
from tests.repos import commit_all, git, make_repo

NOW = "2026-01-20T00:00:00Z"
OWNER, NAME = "octo-org", "learning"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class World:
    """One repository, its origin, and the forge learnbot talks to."""

    def __init__(
        self,
        tmp_path: Path,
        forge: str,
        capsys: pytest.CaptureFixture[str],
        *,
        branch: str = "main",
    ) -> None:
        self.forge = forge
        self.branch = branch
        self.capsys = capsys
        self.repo = make_repo(tmp_path / "work", branch=branch)
        self.origin = tmp_path / "work-origin.git"
        self.env: dict[str, str] = {k: v for k, v in os.environ.items() if k.startswith("GIT_")}
        self.env["PATH"] = os.environ.get("PATH", "")
        self.fake: FakeGitHub | None = None
        self._logged: dict[str, Any] = {}
        if forge == "github":
            self.fake = FakeGitHub(OWNER, NAME, branch, git_dir=self.origin).start()
            self.fake._clock.epoch = parse_time(
                NOW
            )  # merges made on the fake happen when the runs do
            self.env.update(
                GITHUB_REPOSITORY=f"{OWNER}/{NAME}",
                GITHUB_TOKEN="ghs_secret_token_value",
                GITHUB_API_URL=self.fake.url,
                LEARNBOT_API_PACING="off",
            )

    def close_world(self) -> None:
        if self.fake is not None:
            self.fake.stop()
            self.fake.assert_clean()

    # -- learnbot --------------------------------------------------------------------------

    def learnbot(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        self.capsys.readouterr()
        code = main(
            [*args, "--repo", str(self.repo), "--forge", self.forge],
            environ={**self.env, **(env or {})},
        )
        captured = self.capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def in_actions(
        self, command: str, event_name: str, payload: dict[str, Any] | None, tmp: Path
    ) -> Outcome:
        """`learnbot COMMAND` as a workflow step runs it: everything from GITHUB_* variables."""
        env = {
            **self.env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_WORKSPACE": str(self.repo),
            "GITHUB_OUTPUT": str(tmp / "output"),
            "GITHUB_STEP_SUMMARY": str(tmp / "summary"),
        }
        if payload is not None:
            (tmp / "event.json").write_text(json.dumps(payload))
            env["GITHUB_EVENT_PATH"] = str(tmp / "event.json")
        self.capsys.readouterr()
        code = main([command], environ=env)
        captured = self.capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def run(self, *extra: str) -> Outcome:
        return self.learnbot("run", "--now", NOW, *extra)

    def check(self, branch: str) -> Outcome:
        return self.learnbot("check", "--branch", branch, "--now", NOW)

    # -- the forge's state -----------------------------------------------------------------

    def pulls(self) -> list[dict[str, Any]]:
        if self.fake is None:
            return self._records()["pulls"]
        found = []
        for issue in self.fake._state.issues.values():
            if issue.pull is None:
                continue
            state = "merged" if issue.pull.merged_at else issue.state
            found.append(
                {
                    "number": issue.number,
                    "branch": issue.pull.head,
                    "state": state,
                    "title": issue.title,
                    "body": issue.body or "",
                    "labels": list(issue.labels),
                    "head_sha": self.fake.branch_sha(issue.pull.head) or issue.pull.head_sha,
                }
            )
        return sorted(found, key=lambda p: p["number"])

    def open_pulls(self) -> dict[str, dict[str, Any]]:
        return {p["branch"]: p for p in self.pulls() if p["state"] == "open"}

    def _records(self) -> dict[str, Any]:
        path = self.repo / ".git/learnbot/forge.json"
        data = (
            json.loads(path.read_text())
            if path.exists()
            else {"pulls": {}, "issues": {}, "checks": {}, "comments": {}}
        )
        for record in data["pulls"].values():
            record.setdefault("head_sha", "")
            sha = (
                git(self.repo, "rev-parse", f"refs/remotes/origin/{record['branch']}")
                if record["state"] == "open"
                else record["head_sha"]
            )
            record["head_sha"] = sha
        data["pulls"] = sorted(data["pulls"].values(), key=lambda p: p["number"])
        return data

    def dashboards(self) -> list[dict[str, Any]]:
        if self.fake is None:
            return [
                i for i in self._records()["issues"].values() if "learnbot-dashboard" in i["labels"]
            ]
        return [
            self.fake.issue(n)
            for n in self.fake.issues_with_label("learnbot-dashboard")
            if "pull_request" not in self.fake.issue(n)
        ]

    def checks(self, sha: str) -> list[dict[str, Any]]:
        if self.fake is None:
            return self._records()["checks"].get(sha, [])
        return [
            {
                "name": c["name"],
                "success": c["conclusion"] == "success",
                "title": c["output"]["title"],
                "summary": c["output"]["summary"],
            }
            for c in self.fake.check_runs(sha)
        ]

    def comments(self, number: int) -> list[str]:
        if self.fake is None:
            return self._records()["comments"].get(str(number), [])
        return [c["body"] for c in self.fake.comments(number)]

    def writes(self) -> list[str]:
        """Writes to the forge since the last reset, as REST calls (local: its records' changes)."""
        if self.fake is not None:
            return [f"{r.method} {r.path}" for r in self.fake.writes()]
        return _record_writes(self._logged, self._raw_records())

    def reset_log(self) -> None:
        if self.fake is not None:
            self.fake.reset_log()
        self._logged = self._raw_records()

    def _raw_records(self) -> dict[str, Any]:
        path = self.repo / ".git/learnbot/forge.json"
        return json.loads(path.read_text()) if path.exists() else {}

    # -- what people do --------------------------------------------------------------------

    def close_pull(self, number: int) -> None:
        if self.fake is not None:
            self.fake.close_pull(number)
        else:
            assert self.learnbot("close", str(number)).code == 0

    def merge(self, number: int, *, approver: str = "alice", method: str = "merge") -> str:
        """A reviewer approves and merges (on GitHub: through the API; locally: learnbot merge)."""
        if self.fake is not None:
            self.fake.add_review(number, approver, "APPROVED")
            repo = self.fake.client().get_repo(f"{OWNER}/{NAME}")
            return str(repo.get_pull(number).merge(merge_method=method).sha)
        result = self.learnbot("merge", str(number), "--approved-by", approver)
        assert result.code == 0, result.err
        return git(self.repo, "rev-parse", f"refs/remotes/origin/{self.branch}")

    def update_branch(self, number: int, branch: str) -> None:
        """A person brings a pull request's branch up to date with the default branch."""
        if self.fake is not None:
            repo = self.fake.client().get_repo(f"{OWNER}/{NAME}")
            assert repo.get_pull(number).update_branch()
            return
        git(self.repo, "fetch", "--quiet", "origin")
        git(self.repo, "checkout", "--quiet", "-B", branch, f"origin/{branch}")
        git(self.repo, "merge", "--quiet", "--no-edit", f"origin/{self.branch}")
        git(self.repo, "push", "--quiet", "origin", f"{branch}:{branch}")
        git(self.repo, "checkout", "--quiet", self.branch)

    def revert(self, sha: str, date: str = "2026-01-22T00:00:00Z") -> str:
        """A person reverts a merge with git and pushes it."""
        git(self.repo, "checkout", "--quiet", self.branch)
        git(self.repo, "pull", "--quiet", "--ff-only", "origin", self.branch)
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(
            ["git", "revert", "--no-edit", "-m", "1", sha],
            cwd=self.repo,
            check=True,
            env=env,
            capture_output=True,
        )
        git(self.repo, "push", "--quiet", "origin", self.branch)
        return git(self.repo, "rev-parse", "HEAD")

    def ledger(self) -> list[dict[str, Any]]:
        """The ledger on origin's default branch."""
        git(self.repo, "fetch", "--quiet", "origin")
        text = git(self.repo, "show", f"refs/remotes/origin/{self.branch}:ledgers/learning.jsonl")
        return [json.loads(line) for line in text.splitlines() if line]

    def file_on_main(self, path: str) -> str:
        git(self.repo, "fetch", "--quiet", "origin")
        return git(self.repo, "show", f"refs/remotes/origin/{self.branch}:{path}")

    def change_main(
        self,
        path: str,
        edit: Callable[[str], str],
        message: str,
        date: str = "2026-01-21T00:00:00Z",
    ) -> str:
        """A person's commit on the default branch, pushed to origin."""
        git(self.repo, "checkout", "--quiet", self.branch)
        git(self.repo, "pull", "--quiet", "--ff-only", "origin", self.branch)
        target = self.repo / path
        target.write_text(edit(target.read_text()))
        sha = commit_all(self.repo, message, date=date)
        git(self.repo, "push", "--quiet", "origin", self.branch)
        return sha

    def push_to_branch(
        self, branch: str, path: str, edit: Callable[[str], str], message: str
    ) -> str:
        """A person's commit on a learnbot branch, pushed to origin."""
        git(self.repo, "fetch", "--quiet", "origin")
        git(self.repo, "checkout", "--quiet", "-B", branch, f"origin/{branch}")
        target = self.repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit(target.read_text() if target.exists() else ""))
        sha = commit_all(self.repo, message)
        git(self.repo, "push", "--quiet", "origin", f"{branch}:{branch}")
        git(self.repo, "checkout", "--quiet", self.branch)
        return sha

    def set_config(self, extra: str) -> None:
        """Append settings to .github/learnbot.yml on main."""
        self.change_main(".github/learnbot.yml", lambda text: text + extra, "configure learnbot")


def _record_writes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The local forge's record changes, named as the REST calls GitHub would have received."""
    repo = f"/repos/{OWNER}/{NAME}"
    found = []
    for kind in ("pulls", "issues"):
        old, new = before.get(kind, {}), after.get(kind, {})
        for number, record in new.items():
            if number not in old:
                found.append(f"POST {repo}/{kind}")
            elif record != old[number]:
                found.append(f"PATCH {repo}/{kind}/{number}")
    for sha, runs in after.get("checks", {}).items():
        if runs != before.get("checks", {}).get(sha):
            found.append(f"POST {repo}/check-runs")
    for number, comments in after.get("comments", {}).items():
        added = len(comments) - len(before.get("comments", {}).get(number, []))
        found += [f"POST {repo}/issues/{number}/comments"] * added
    return found
