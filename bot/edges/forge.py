"""The Forge protocol: only the calls learnbot needs, implemented by GitHub and by git alone.

Pull requests carry their metadata in a hidden HTML comment at the end of the body, so the
bot can recognise its own pull requests and what they propose on every forge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core import jsonline

OPEN, CLOSED, MERGED = "open", "closed", "merged"
TITLE_LIMIT = 256  # characters; GitHub answers 422 above this for issue and pull request titles
WRITERS = ("admin", "maintain", "write")
MARKER = re.compile(r"<!-- learnbot:metadata (\{.*?\}) -->", re.DOTALL)
# GitHub's merge commit subject, and a squash merge's title suffix; the local forge writes the first
_MERGED_PULL = re.compile(r"^Merge pull request #(\d+)|\(#(\d+)\)$")


def metadata_marker(metadata: Mapping[str, Any]) -> str:
    """The hidden comment that carries a pull request's metadata."""
    text = json.dumps(dict(metadata), sort_keys=True, separators=(",", ":"))
    return f"<!-- learnbot:metadata {text.replace('--', '- -')} -->"


def read_metadata(body: str | None) -> dict[str, Any]:
    """The metadata of a body written by learnbot (empty for anything else)."""
    found = MARKER.search(body or "")
    if not found:
        return {}
    try:
        value = jsonline.loads(found.group(1).encode("utf-8"))
    except jsonline.LineError:
        return {}
    return value if isinstance(value, dict) else {}


def scoped_title(scopes: Iterable[str], text: str) -> str:
    """A conventional title, `learnbot(<policy>): text`, scoped by what it changes (#16)."""
    return f"learnbot({','.join(sorted(set(scopes)))}): {text}"


def fit_title(title: str) -> str:
    """A title GitHub accepts: cut with an ellipsis past the limit (the body keeps the details)."""
    if len(title) <= TITLE_LIMIT:
        return title
    return title[: TITLE_LIMIT - 1].rstrip() + "\u2026"


def mark_superseded(body: str, reason: str) -> str:
    """The body with its metadata marking the pull request as closed by learnbot, not a person."""
    metadata = read_metadata(body)
    if not metadata:
        return body
    marker = metadata_marker({**metadata, "superseded": reason})
    return MARKER.sub(lambda _: marker, body, count=1)


@dataclass(frozen=True)
class PullRequest:
    """A pull request as learnbot sees it."""

    number: int
    branch: str
    base: str
    title: str
    body: str
    state: str
    head_sha: str
    merge_commit: str | None = None
    labels: tuple[str, ...] = ()
    url: str = ""
    merged_by: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        return read_metadata(self.body)

    @property
    def rejected(self) -> bool:
        """Closed unmerged by a person (learnbot marks the pull requests it closes itself)."""
        return self.state == CLOSED and "superseded" not in self.metadata


@dataclass(frozen=True)
class Issue:
    """An issue (the dashboard)."""

    number: int
    title: str
    body: str
    labels: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class Check:
    """A check run (or commit status) to post on a commit."""

    name: str
    success: bool
    title: str
    summary: str
    details_url: str | None = None
    base: str = ""  # the default branch commit the check replayed on ("" when unknown)


@dataclass
class Usage:
    """Requests made to the forge's API in this run."""

    reads: int = 0
    writes: int = 0
    not_modified: int = 0  # conditional reads answered 304: free of the rate limit
    calls: list[str] = field(default_factory=list)

    def record(self, method: str, path: str, status: int = 200) -> None:
        if status == 304:
            self.not_modified += 1
        elif method.upper() in ("GET", "HEAD"):
            self.reads += 1
        else:
            self.writes += 1
        self.calls.append(f"{method.upper()} {path}")


def merged_number(subject: str) -> int | None:
    """The pull request a merge (`Merge pull request #N ...`) or squash (`... (#N)`) names."""
    found = _MERGED_PULL.search(subject)
    return int(found.group(1) or found.group(2)) if found else None


class Forge(Protocol):
    """Where pull requests, checks and the dashboard live."""

    name: str
    usage: Usage

    def default_branch(self) -> str:
        """The repository's default branch, as the forge knows it."""

    def pull(self, number: int) -> PullRequest:
        """One pull request by number."""

    def pull_requests(self, *, prefix: str) -> list[PullRequest]:
        """Every pull request (any state) whose head branch starts with `prefix`."""

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
        """Open a pull request (labels and reviewers are added in the same step)."""

    def update_pull(self, number: int, *, title: str, body: str) -> None:
        """Replace a pull request's title and body."""

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        """Add labels to a pull request or issue."""

    def close_pull(self, number: int, *, comment: str, body: str | None = None) -> None:
        """Comment, then close without merging (replacing the body when one is given)."""

    def approvers(self, number: int) -> tuple[str, ...]:
        """Who approved a pull request (latest review per person)."""

    def pull_for_commit(self, sha: str) -> PullRequest | None:
        """The pull request merged as commit `sha`, if the forge knows one."""

    def merged_pull_number(self, subject: str) -> int | None:
        """The pull request a merge commit's subject names, read in this forge's format."""

    def post_check(self, sha: str, check: Check, *, mode: str) -> None:
        """Report a check run (mode 'check_run') or a commit status (mode 'status')."""

    def check_results(self, sha: str) -> tuple[Check, ...]:
        """The check runs reported on commit `sha` (a success only when it concluded so)."""

    def check_status(self, sha: str, name: str) -> Check | None:
        """The named check run (or commit status) on a commit, None when there is none."""

    def find_issue(self, *, label: str) -> Issue | None:
        """The open issue carrying `label` (the dashboard), if any."""

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> Issue:
        """Open an issue."""

    def update_issue(self, number: int, *, body: str) -> None:
        """Replace an issue's body."""

    def comment(self, number: int, body: str) -> None:
        """Comment on an issue or pull request."""

    def comments(self, number: int) -> tuple[str, ...]:
        """The comments on an issue or pull request, oldest first."""

    def permission(self, login: str) -> str:
        """A person's permission on the repository: admin, maintain, write, triage, read, none."""

    def close(self) -> None:
        """Release connections and hooks."""
