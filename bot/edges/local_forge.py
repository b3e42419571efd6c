"""The embedded default forge: git only. Pull requests are records in the git directory.

Records live in `<git dir>/learnbot/forge.json` (never in the work tree), written
atomically under a lock. Branches and merges are real git on `origin`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.edges.forge import (
    CLOSED,
    MERGED,
    OPEN,
    Check,
    Issue,
    PullRequest,
    Usage,
    merged_number,
)
from bot.edges.gitrepo import Clone
from bot.edges.ledgerfile import write_atomic
from bot.errors import ForgeError, NotFound


class LocalForge:
    """Pull requests, checks and the dashboard as local records; merges as real git merges."""

    name = "local"

    def __init__(self, repo: Clone) -> None:
        self.repo = repo
        self.path = Path(repo.repo.git_dir) / "learnbot" / "forge.json"
        self.usage = Usage()

    @contextlib.contextmanager
    def _records(self, *, write: bool = False) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / "forge.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = json.loads(self.path.read_text("utf-8")) if self.path.exists() else {}
            data.setdefault("next", 1)
            for key in ("pulls", "issues", "checks", "comments", "reviews", "collaborators"):
                data.setdefault(key, {})
            yield data
            if write:
                write_atomic(
                    self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()
                )

    def _number(self, data: dict[str, Any]) -> int:
        number = int(data["next"])
        data["next"] = number + 1
        return number

    def default_branch(self) -> str:
        return self.repo.default_branch()

    def _pull(self, record: dict[str, Any]) -> PullRequest:
        head = record["head_sha"]
        if record["state"] == OPEN:
            head = self.repo.remote_sha(record["branch"]) or head
        return PullRequest(
            number=record["number"],
            branch=record["branch"],
            base=record["base"],
            title=record["title"],
            body=record["body"],
            state=record["state"],
            head_sha=head,
            merge_commit=record.get("merge_commit"),
            labels=tuple(record.get("labels", ())),
            url=f"local:pull/{record['number']}",
            merged_by=record.get("merged_by"),
        )

    def pull(self, number: int) -> PullRequest:
        with self._records() as data:
            record = data["pulls"].get(str(number))
        if record is None:
            raise NotFound(f"local pull request #{number} does not exist (see `learnbot prs`)")
        return self._pull(record)

    def pull_requests(self, *, prefix: str) -> list[PullRequest]:
        with self._records() as data:
            records = [r for r in data["pulls"].values() if r["branch"].startswith(prefix)]
        return [self._pull(r) for r in sorted(records, key=lambda r: r["number"])]

    def open_pull(
        self,
        *,
        branch: str,
        base: str,
        title: str,
        body: str,
        labels: Sequence[str],
        reviewers: Sequence[str],
    ) -> PullRequest:
        with self._records(write=True) as data:
            if any(r["branch"] == branch and r["state"] == OPEN for r in data["pulls"].values()):
                raise ForgeError(f"a local pull request for {branch} is already open")
            number = self._number(data)
            record = {
                "number": number,
                "branch": branch,
                "base": base,
                "title": title,
                "body": body,
                "state": OPEN,
                "head_sha": self.repo.remote_sha(branch) or "",
                "labels": list(labels),
                "reviewers": list(reviewers),
            }
            data["pulls"][str(number)] = record
        return self._pull(record)

    def update_pull(self, number: int, *, title: str, body: str) -> None:
        with self._records(write=True) as data:
            data["pulls"][str(number)].update(title=title, body=body)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        with self._records(write=True) as data:
            record = data["pulls"][str(number)]
            record["labels"] = sorted({*record.get("labels", ()), *labels})

    def close_pull(self, number: int, *, comment: str, body: str | None = None) -> None:
        with self._records(write=True) as data:
            record = data["pulls"][str(number)]
            if body is not None:
                record["body"] = body
            if comment:
                data["comments"].setdefault(str(number), []).append(comment)
            record["head_sha"] = self.repo.remote_sha(record["branch"]) or record["head_sha"]
            record["state"] = CLOSED

    def mark_merged(self, number: int, *, merge_commit: str, merged_by: str) -> None:
        with self._records(write=True) as data:
            record = data["pulls"][str(number)]
            record.update(
                state=MERGED,
                merge_commit=merge_commit,
                merged_by=merged_by,
                head_sha=self.repo.remote_sha(record["branch"]) or record["head_sha"],
            )

    def approve(self, number: int, *, reviewer: str) -> None:
        with self._records(write=True) as data:
            reviewers = data["reviews"].setdefault(str(number), [])
            if reviewer not in reviewers:
                reviewers.append(reviewer)

    def approvers(self, number: int) -> tuple[str, ...]:
        with self._records() as data:
            return tuple(sorted(data["reviews"].get(str(number), ())))

    def post_check(self, sha: str, check: Check, *, mode: str) -> None:
        with self._records(write=True) as data:
            runs = [c for c in data["checks"].get(sha, []) if c["name"] != check.name]
            data["checks"][sha] = [*runs, {**asdict(check), "mode": mode}]

    def check_status(self, sha: str, name: str) -> Check | None:
        for run in self.checks(sha):
            if run["name"] == name:
                return Check(
                    name,
                    bool(run["success"]),
                    run["title"],
                    run["summary"],
                    base=run.get("base", ""),
                )
        return None

    def checks(self, sha: str) -> list[dict[str, Any]]:
        with self._records() as data:
            return list(data["checks"].get(sha, ()))

    def check_results(self, sha: str) -> tuple[Check, ...]:
        return tuple(
            Check(r["name"], bool(r["success"]), r["title"], r["summary"]) for r in self.checks(sha)
        )

    def pull_for_commit(self, sha: str) -> PullRequest | None:
        with self._records() as data:
            numbers = [int(n) for n, r in data["pulls"].items() if r.get("merge_commit") == sha]
        return self.pull(min(numbers)) if numbers else None

    def merge_message(self, pull: PullRequest) -> str:
        """The merge commit's message, as GitHub writes it (`merged_pull_number` reads it)."""
        return f"Merge pull request #{pull.number} from {pull.branch}\n\n{pull.title}"

    def merged_pull_number(self, subject: str) -> int | None:
        return merged_number(subject)

    def find_issue(self, *, label: str) -> Issue | None:
        with self._records() as data:
            found = [
                r for r in data["issues"].values() if label in r["labels"] and r["state"] == OPEN
            ]
        if not found:
            return None
        record = min(found, key=lambda r: r["number"])
        return Issue(record["number"], record["title"], record["body"], tuple(record["labels"]))

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> Issue:
        with self._records(write=True) as data:
            number = self._number(data)
            data["issues"][str(number)] = {
                "number": number,
                "title": title,
                "body": body,
                "labels": list(labels),
                "state": OPEN,
            }
        return Issue(number, title, body, tuple(labels))

    def update_issue(self, number: int, *, body: str) -> None:
        with self._records(write=True) as data:
            data["issues"][str(number)]["body"] = body

    def comment(self, number: int, body: str) -> None:
        with self._records(write=True) as data:
            data["comments"].setdefault(str(number), []).append(body)

    def comments(self, number: int) -> tuple[str, ...]:
        with self._records() as data:
            return tuple(data["comments"].get(str(number), ()))

    def permission(self, login: str) -> str:
        with self._records() as data:
            return str(data["collaborators"].get(login, "none"))

    def grant(self, login: str, permission: str) -> None:
        """Give a person a permission on the local repository (`learnbot collaborator`)."""
        with self._records(write=True) as data:
            data["collaborators"][login] = permission

    def close(self) -> None:
        """Nothing to release: every record is written as it changes."""
