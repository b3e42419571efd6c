"""The GitHub forge on PyGithub: only the REST calls learnbot needs, each one counted.

Content never goes through the API: branches are pushed with git. The client is lazy, so
objects are fetched only when a field is read, and pull requests are listed 100 per page.
Requests are counted from PyGithub's own request log (the `github.Requester` logger).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from github import Auth, Github, GithubException
from github.GithubObject import NotSet
from github.PullRequest import PullRequest as GhPull

from bot.config import GITHUB_API
from bot.edges.conditional import Conditional
from bot.edges.forge import CLOSED, MERGED, OPEN, Check, Issue, PullRequest, Usage, merged_number
from bot.edges.redact import scrub
from bot.errors import ForgeError, NotFound

SUMMARY_LIMIT = 65000  # check run output fields hold at most 65,535 characters
_REQUEST_LOGGER = "github.Requester"
_LOG = logging.getLogger("learnbot")


class _Counter(logging.Handler):
    """Counts this client's requests from PyGithub's DEBUG request log (never formats them).

    A 304 Not Modified is counted apart: it costs nothing against the rate limit."""

    def __init__(self, usage: Usage, host: str) -> None:
        super().__init__(logging.DEBUG)
        self.usage = usage
        self.host = host

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 7 and args[2] == self.host:
            status = args[6] if isinstance(args[6], int) else 0
            self.usage.record(str(args[0]), str(args[3]).split("?", 1)[0], status)


class GitHubForge:
    """GitHub (or GitHub Enterprise at `api_url`) through PyGithub."""

    name = "github"

    def __init__(
        self,
        *,
        token: str,
        repository: str,
        api_url: str = GITHUB_API,
        default_branch: str | None = None,
        paced: bool = True,
        etags: Path | None = None,
    ) -> None:
        """`etags`: the file of ETags kept between runs for conditional reads (None: none)."""
        pacing: dict[str, Any] = (
            {}
            if paced
            else {
                "retry": None,
                "seconds_between_requests": None,
                "seconds_between_writes": None,
            }
        )
        self._gh = Github(
            base_url=api_url.rstrip("/"), auth=Auth.Token(token), lazy=True, per_page=100, **pacing
        )
        self._full_name = repository
        self._api_url = api_url
        self._repo = self._gh.get_repo(repository)
        self._conditional = Conditional(self._gh.requester, etags)
        self._default = default_branch
        self.usage = Usage()
        self._counter = _Counter(self.usage, urlparse(api_url).hostname or "")
        logger = logging.getLogger(_REQUEST_LOGGER)
        logger.addHandler(self._counter)
        logger.setLevel(logging.DEBUG)
        # the DEBUG records hold whole bodies: count them, show them nowhere
        logger.propagate = False

    def close(self) -> None:
        self._conditional.save()
        logger = logging.getLogger(_REQUEST_LOGGER)
        logger.removeHandler(self._counter)
        if not logger.handlers:
            logger.propagate = True
            logger.setLevel(logging.NOTSET)
        self._gh.close()

    def _call(self, what: str, action: Any) -> Any:
        try:
            return action()
        except GithubException as exc:
            message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
            error = NotFound if exc.status == 404 else ForgeError
            raise error(f"GitHub {what}: {exc.status} {scrub(str(message))}") from exc
        except requests.RequestException as exc:
            raise ForgeError(
                f"GitHub {what}: cannot reach {self._api_url}: {scrub(str(exc))}",
                hint="check --api-url / $GITHUB_API_URL and the network",
            ) from exc

    def default_branch(self) -> str:
        if self._default is None:
            found = self._call(
                "read the repository", lambda: self._conditional.get(self._path(""))[0]
            )
            self._default = str(found["default_branch"])
        return self._default

    def _path(self, tail: str) -> str:
        return f"/repos/{self._full_name}{tail}"

    def _pull(self, pull: GhPull) -> PullRequest:
        state = MERGED if pull.merged_at is not None else (OPEN if pull.state == "open" else CLOSED)
        return PullRequest(
            number=pull.number,
            branch=pull.head.ref,
            base=pull.base.ref,
            title=pull.title,
            body=pull.body or "",
            state=state,
            head_sha=pull.head.sha,
            merge_commit=pull.merge_commit_sha if state == MERGED else None,
            labels=tuple(label.name for label in pull.labels),
            url=pull.html_url,
        )

    def pull(self, number: int) -> PullRequest:
        found: PullRequest = self._call(
            f"read pull request #{number}", lambda: self._pull(self._repo.get_pull(number))
        )
        return found

    def pull_requests(self, *, prefix: str) -> list[PullRequest]:
        query = {"state": "all", "sort": "created", "direction": "asc", "per_page": 100}

        def listed() -> list[PullRequest]:
            pulls = self._conditional.pages(self._path("/pulls"), query)
            return [
                _raw_pull(p)
                for p in pulls
                if str(p["head"]["ref"]).startswith(prefix) and self._own(p["head"].get("repo"))
            ]

        return list(self._call("list pull requests", listed))

    def _own(self, head_repo: Mapping[str, Any] | None) -> bool:
        return head_repo is None or str(head_repo["full_name"]).lower() == self._full_name.lower()

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
        created = self._call(
            f"open a pull request from {branch}",
            lambda: self._repo.create_pull(
                base=base, head=branch, title=title, body=body, maintainer_can_modify=True
            ),
        )
        if labels:
            self.add_labels(created.number, labels)
        self._request_reviews(created, reviewers)
        return self._pull(created)

    def _request_reviews(self, pull: GhPull, reviewers: Sequence[str]) -> None:
        """Request reviews through the API (#16); teams (`org/team`) stay @-mentioned in the body.

        A refusal (say, someone who is not a collaborator) is a warning: the pull request is open.
        """
        people = [r for r in reviewers if "/" not in r]
        if not people:
            return
        try:
            self._call(
                f"request reviews on #{pull.number}",
                lambda: pull.create_review_request(reviewers=people),
            )
        except ForgeError as exc:
            _LOG.warning("learnbot: warning: %s", exc)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        self._call(f"label #{number}", lambda: self._repo.get_issue(number).add_to_labels(*labels))

    def update_pull(self, number: int, *, title: str, body: str) -> None:
        self._call(
            f"edit #{number}", lambda: self._repo.get_pull(number).edit(title=title, body=body)
        )

    def close_pull(self, number: int, *, comment: str, body: str | None = None) -> None:
        issue = self._repo.get_issue(number)
        if comment:
            self._call(f"comment on #{number}", lambda: issue.create_comment(comment))
        new_body = NotSet if body is None else body
        self._call(
            f"close #{number}",
            lambda: self._repo.get_pull(number).edit(state="closed", body=new_body),
        )

    def approvers(self, number: int) -> tuple[str, ...]:
        def latest() -> tuple[str, ...]:
            state: dict[str, str] = {}
            for review in self._repo.get_pull(number).get_reviews():
                if review.user is not None and review.state in (
                    "APPROVED",
                    "CHANGES_REQUESTED",
                    "DISMISSED",
                ):
                    state[review.user.login] = review.state
            return tuple(sorted(user for user, s in state.items() if s == "APPROVED"))

        return tuple(self._call(f"read reviews of #{number}", latest))

    def post_check(self, sha: str, check: Check, *, mode: str) -> None:
        if mode == "status":
            self._status(sha, check)
            return
        summary = check.summary
        if len(summary) > SUMMARY_LIMIT:
            summary = summary[:SUMMARY_LIMIT] + "\n\n(truncated)"
        output: dict[str, Any] = {"title": check.title, "summary": summary}
        conclusion = "success" if check.success else "failure"
        # the base it replayed on: once the base's learned state moves, the check is stale
        base = check.base or NotSet

        def post() -> None:
            commit = self._repo.get_commit(sha)
            for existing in commit.get_check_runs(check_name=check.name):
                # the summary holds measured replay times: only a new verdict is worth a write
                verdict = (existing.conclusion, existing.output.title, existing.external_id or "")
                if verdict != (conclusion, check.title, check.base):
                    existing.edit(
                        status="completed",
                        conclusion=conclusion,
                        output=output,
                        external_id=base,
                    )
                return
            self._repo.create_check_run(
                name=check.name,
                head_sha=sha,
                status="completed",
                conclusion=conclusion,
                output=output,
                external_id=base,
            )

        self._call(f"report {check.name} on {sha[:12]}", post)

    def _status(self, sha: str, check: Check) -> None:
        state = "success" if check.success else "failure"

        def post() -> None:
            commit = self._repo.get_commit(sha)
            for status in commit.get_combined_status().statuses:
                if (
                    status.context == check.name
                    and status.state == state
                    and status.description == check.title[:140]
                ):
                    return
            commit.create_status(state=state, description=check.title[:140], context=check.name)

        self._call(f"report {check.name} on {sha[:12]}", post)

    def check_status(self, sha: str, name: str) -> Check | None:
        def found() -> Check | None:
            commit = self._repo.get_commit(sha)
            for run in commit.get_check_runs(check_name=name):
                title = (run.output.title if run.output else None) or ""
                return Check(
                    name, run.conclusion == "success", title, "", base=run.external_id or ""
                )
            for status in commit.get_combined_status().statuses:
                if status.context == name:
                    return Check(name, status.state == "success", status.description or "", "")
            return None

        result: Check | None = self._call(f"read {name} on {sha[:12]}", found)
        return result

    def find_issue(self, *, label: str) -> Issue | None:
        query = {
            "state": "open",
            "labels": label,
            "sort": "created",
            "direction": "asc",
            "per_page": 100,
        }

        def first() -> Issue | None:
            for issue in self._conditional.pages(self._path("/issues"), query):
                if "pull_request" not in issue:  # a pull request is an issue too
                    return Issue(
                        int(issue["number"]),
                        str(issue["title"]),
                        issue.get("body") or "",
                        tuple(str(x["name"]) for x in issue.get("labels", ())),
                        str(issue["html_url"]),
                    )
            return None

        found: Issue | None = self._call(f"find the issue labelled {label}", first)
        return found

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> Issue:
        created = self._call(
            "open the dashboard",
            lambda: self._repo.create_issue(title=title, body=body, labels=list(labels)),
        )
        return Issue(created.number, title, body, tuple(labels), created.html_url)

    def update_issue(self, number: int, *, body: str) -> None:
        self._call(f"edit #{number}", lambda: self._repo.get_issue(number).edit(body=body))

    def comment(self, number: int, body: str) -> None:
        self._call(
            f"comment on #{number}", lambda: self._repo.get_issue(number).create_comment(body)
        )

    def comments(self, number: int) -> tuple[str, ...]:
        def listed() -> tuple[str, ...]:
            return tuple(c.body or "" for c in self._repo.get_issue(number).get_comments())

        found: tuple[str, ...] = self._call(f"read the comments of #{number}", listed)
        return found

    def permission(self, login: str) -> str:
        try:
            found = self._call(
                f"read {login}'s permission", lambda: self._repo.get_collaborator_permission(login)
            )
        except NotFound:
            return "none"
        return str(found)

    def pull_for_commit(self, sha: str) -> PullRequest | None:
        found: Iterator[GhPull] = self._call(
            f"find pull requests of {sha[:12]}",
            lambda: iter(list(self._repo.get_commit(sha).get_pulls())),
        )
        merged = [pull for pull in map(self._pull, found) if pull.merge_commit == sha]
        return merged[0] if merged else None

    def merged_pull_number(self, subject: str) -> int | None:
        return merged_number(subject)

    def check_results(self, sha: str) -> tuple[Check, ...]:
        runs = self._call(
            f"read the checks of {sha[:12]}",
            lambda: list(self._repo.get_commit(sha).get_check_runs()),
        )
        return tuple(
            Check(run.name, run.conclusion == "success", run.output.title or "", "") for run in runs
        )


def _raw_pull(pull: Mapping[str, Any]) -> PullRequest:
    """A pull request from the list's JSON, as `_pull` reads it from PyGithub."""
    state = MERGED if pull.get("merged_at") else (OPEN if pull["state"] == "open" else CLOSED)
    return PullRequest(
        number=int(pull["number"]),
        branch=str(pull["head"]["ref"]),
        base=str(pull["base"]["ref"]),
        title=str(pull["title"]),
        body=pull.get("body") or "",
        state=state,
        head_sha=str(pull["head"]["sha"]),
        merge_commit=pull.get("merge_commit_sha") if state == MERGED else None,
        labels=tuple(str(label["name"]) for label in pull.get("labels", ())),
        url=str(pull["html_url"]),
    )
