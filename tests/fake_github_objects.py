"""JSON builders for tests/fake_github.py, plus the records they are built from.

Every builder returns a complete object of the GitHub REST shape named in its docstring (the
`components/schemas` entry of GitHub's REST description); tests/contract checks each one against
that schema.  All URLs are built from the fake's own base URL because PyGithub asserts that
URLs it follows share the host, port and prefix of `base_url`.
"""

from __future__ import annotations

import base64
import urllib.parse
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
# Repository roles, weakest first; `permission` is the legacy name GitHub reports for each.
ROLES = ("none", "read", "triage", "write", "maintain", "admin")
_LEGACY_PERMISSION = {"triage": "read", "maintain": "write"}
_UNSIGNED = {
    "verified": False,
    "reason": "unsigned",
    "signature": None,
    "payload": None,
    "verified_at": None,
}
_PULL_SIMPLE_KEYS = (
    "url",
    "id",
    "node_id",
    "html_url",
    "diff_url",
    "patch_url",
    "issue_url",
    "commits_url",
    "review_comments_url",
    "review_comment_url",
    "comments_url",
    "statuses_url",
    "number",
    "state",
    "locked",
    "title",
    "user",
    "body",
    "labels",
    "milestone",
    "active_lock_reason",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "merge_commit_sha",
    "assignee",
    "assignees",
    "requested_reviewers",
    "requested_teams",
    "head",
    "base",
    "_links",
    "author_association",
    "auto_merge",
    "draft",
)
_REPO_URL_SUFFIXES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


# -- records (the fake's state) ----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where the fake lives: every URL in a response is derived from this."""

    base: str
    owner: str
    repo: str
    repo_id: int = 1296269

    @property
    def api(self) -> str:
        return f"{self.base}/repos/{self.owner}/{self.repo}"

    @property
    def html(self) -> str:
        return f"{self.base}/{self.owner}/{self.repo}"


@dataclass(frozen=True)
class GitPerson:
    name: str
    email: str
    date: str  # ISO 8601, UTC, "Z"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: GitPerson
    committer: GitPerson


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # "100644", "100755", "040000", "160000", "120000"
    type: str  # "blob", "tree", "commit"
    sha: str


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # diff-entry status: added, removed, modified, renamed, copied, changed
    additions: int
    deletions: int
    blob_sha: str | None
    previous_path: str | None = None
    patch: str | None = None


@dataclass
class LabelRec:
    id: int
    name: str
    color: str = "ededed"
    description: str = ""  # GitHub's pull-request-simple schema says string, never null


@dataclass
class PullRec:
    id: int
    head: str  # branch name
    base: str
    head_sha: str
    base_sha: str
    draft: bool = False
    maintainer_can_modify: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: str | None = None
    requested_reviewers: list[str] = field(default_factory=list)


@dataclass
class IssueRec:
    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    pull: PullRec | None = None


@dataclass
class CommentRec:
    id: int
    number: int
    user: str
    body: str
    created_at: str
    updated_at: str
    association: str = "NONE"


@dataclass
class CheckRunRec:
    id: int
    suite_id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: str | None
    completed_at: str | None
    details_url: str | None = None
    external_id: str | None = None
    output: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusRec:
    id: int
    sha: str
    state: str
    context: str
    creator: str
    created_at: str
    target_url: str | None = None
    description: str | None = None


@dataclass
class ReviewRec:
    id: int
    number: int
    user: str
    state: str
    body: str
    commit_id: str | None
    submitted_at: str
    association: str = "MEMBER"


@dataclass
class ReactionRec:
    id: int
    number: int
    user: str
    content: str
    created_at: str
    comment_id: int | None = None  # None: a reaction to the issue itself


@dataclass(frozen=True)
class ProtectionRec:
    """A protected branch: required status check contexts, and whether it must be up to date."""

    contexts: tuple[str, ...] = ()
    strict: bool = False


@dataclass(frozen=True)
class PullStats:
    commits: int
    additions: int
    deletions: int
    changed_files: int
    mergeable: bool | None
    mergeable_state: str


# -- small pieces ------------------------------------------------------------------------------


def user_id(login: str) -> int:
    """A stable id per login, so no user registry is needed."""
    return zlib.crc32(login.encode()) % 90_000_000 + 10_000_000


def node_id(kind: str, id_: int | str) -> str:
    return base64.b64encode(f"{kind}:{id_}".encode()).decode().rstrip("=")


def _q(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


def user(site: Site, login: str, kind: str | None = None) -> JSON:
    """simple-user"""
    uid = user_id(login)
    api = f"{site.base}/users/{urllib.parse.quote(login)}"
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("User", uid),
        "avatar_url": f"{site.base}/avatars/u/{uid}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{site.base}/{urllib.parse.quote(login)}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind or ("Bot" if login.endswith("[bot]") else "User"),
        "site_admin": False,
        "user_view_type": "public",
    }


def association(site: Site, login: str, default: str = "NONE") -> str:
    return "OWNER" if login == site.owner else default


def repository(
    site: Site, *, default_branch: str, open_issues: int, created_at: str, pushed_at: str
) -> JSON:
    """full-repository (also valid as repository and minimal-repository)"""
    urls = {key: site.api + suffix for key, suffix in _REPO_URL_SUFFIXES.items()}
    return {
        "id": site.repo_id,
        "node_id": node_id("Repository", site.repo_id),
        "name": site.repo,
        "full_name": f"{site.owner}/{site.repo}",
        "owner": user(site, site.owner, "Organization"),
        "private": False,
        "html_url": site.html,
        "description": None,
        "fork": False,
        "url": site.api,
        **urls,
        "git_url": f"{site.html}.git",
        "ssh_url": f"{site.html}.git",
        "clone_url": f"{site.html}.git",
        "svn_url": site.html,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 1,
        "default_branch": default_branch,
        "open_issues_count": open_issues,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "pushed_at": pushed_at,
        "created_at": created_at,
        "updated_at": pushed_at,
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "allow_rebase_merge": False,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_update_branch": False,
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "subscribers_count": 0,
        "network_count": 0,
        "license": None,
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
    }


def label(site: Site, rec: LabelRec) -> JSON:
    """label"""
    return {
        "id": rec.id,
        "node_id": node_id("Label", rec.id),
        "url": f"{site.api}/labels/{urllib.parse.quote(rec.name, safe='')}",
        "name": rec.name,
        "color": rec.color,
        "default": False,
        "description": rec.description,
    }


def reaction_rollup(site: Site, url: str, reactions: Sequence[ReactionRec]) -> JSON:
    """reaction-rollup"""
    counts = {content: sum(r.content == content for r in reactions) for content in REACTIONS}
    return {"url": f"{url}/reactions", "total_count": len(reactions), **counts}


def _issue_html(site: Site, rec: IssueRec) -> str:
    return f"{site.html}/{'pull' if rec.pull else 'issues'}/{rec.number}"


def issue(
    site: Site,
    rec: IssueRec,
    labels: Sequence[LabelRec],
    comments: int,
    reactions: Sequence[ReactionRec],
) -> JSON:
    """issue (a pull request is an issue with a `pull_request` key)"""
    url = f"{site.api}/issues/{rec.number}"
    out: JSON = {
        "id": rec.id,
        "node_id": node_id("Issue", rec.id),
        "url": url,
        "repository_url": site.api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "timeline_url": f"{url}/timeline",
        "html_url": _issue_html(site, rec),
        "number": rec.number,
        "state": rec.state,
        "state_reason": rec.state_reason,
        "title": rec.title,
        "body": rec.body,
        "user": user(site, rec.user),
        "labels": [label(site, lab) for lab in labels],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": comments,
        "closed_at": rec.closed_at,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "closed_by": user(site, rec.closed_by) if rec.closed_by else None,
        "author_association": association(site, rec.user),
        "reactions": reaction_rollup(site, url, reactions),
        "performed_via_github_app": None,
    }
    if rec.pull is not None:
        html = _issue_html(site, rec)
        out["draft"] = rec.pull.draft
        out["pull_request"] = {
            "url": f"{site.api}/pulls/{rec.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": rec.pull.merged_at,
        }
    return out


def _pull_end(site: Site, repo: JSON, ref: str, sha: str) -> JSON:
    return {
        "label": f"{site.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(site, site.owner, "Organization"),
        "repo": repo,
    }


def pull_request(
    site: Site,
    rec: IssueRec,
    labels: Sequence[LabelRec],
    repo: JSON,
    *,
    stats: PullStats,
    comments: int,
) -> JSON:
    """pull-request"""
    pr = rec.pull
    assert pr is not None, rec
    url, html = f"{site.api}/pulls/{rec.number}", f"{site.html}/pull/{rec.number}"
    issue_url = f"{site.api}/issues/{rec.number}"
    links = {
        "self": url,
        "html": html,
        "issue": issue_url,
        "comments": f"{issue_url}/comments",
        "review_comments": f"{url}/comments",
        "commits": f"{url}/commits",
        "review_comment": f"{site.api}/pulls/comments{{/number}}",
        "statuses": f"{site.api}/statuses/{pr.head_sha}",
    }
    return {
        "url": url,
        "id": pr.id,
        "node_id": node_id("PullRequest", pr.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": rec.number,
        "state": rec.state,
        "locked": False,
        "title": rec.title,
        "user": user(site, rec.user),
        "body": rec.body,
        "labels": [label(site, lab) for lab in labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "closed_at": rec.closed_at,
        "merged_at": pr.merged_at,
        "merge_commit_sha": pr.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [user(site, login) for login in pr.requested_reviewers],
        "requested_teams": [],
        "head": _pull_end(site, repo, pr.head, pr.head_sha),
        "base": _pull_end(site, repo, pr.base, pr.base_sha),
        "_links": {key: {"href": href} for key, href in links.items()},
        "author_association": association(site, rec.user),
        "auto_merge": None,
        "draft": pr.draft,
        "merged": pr.merged_at is not None,
        "mergeable": stats.mergeable,
        "rebaseable": False,
        "mergeable_state": stats.mergeable_state,
        "merged_by": user(site, pr.merged_by) if pr.merged_by else None,
        "comments": comments,
        "review_comments": 0,
        "maintainer_can_modify": pr.maintainer_can_modify,
        "commits": stats.commits,
        "additions": stats.additions,
        "deletions": stats.deletions,
        "changed_files": stats.changed_files,
    }


def pull_request_simple(full: Mapping[str, Any]) -> JSON:
    """pull-request-simple: what list endpoints return (PyGithub completes lazily from `url`)"""
    return {key: full[key] for key in _PULL_SIMPLE_KEYS}


def pull_request_minimal(site: Site, rec: IssueRec) -> JSON:
    """pull-request-minimal (inside check runs)"""
    pr = rec.pull
    assert pr is not None, rec
    repo = {"id": site.repo_id, "url": site.api, "name": site.repo}
    return {
        "id": pr.id,
        "number": rec.number,
        "url": f"{site.api}/pulls/{rec.number}",
        "head": {"ref": pr.head, "sha": pr.head_sha, "repo": repo},
        "base": {"ref": pr.base, "sha": pr.base_sha, "repo": repo},
    }


def issue_comment(
    site: Site, rec: CommentRec, is_pull: bool, reactions: Sequence[ReactionRec] = ()
) -> JSON:
    """issue-comment"""
    page = f"{site.html}/{'pull' if is_pull else 'issues'}/{rec.number}"
    url = f"{site.api}/issues/comments/{rec.id}"
    return {
        "id": rec.id,
        "node_id": node_id("IssueComment", rec.id),
        "url": url,
        "html_url": f"{page}#issuecomment-{rec.id}",
        "body": rec.body,
        "user": user(site, rec.user),
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "issue_url": f"{site.api}/issues/{rec.number}",
        "author_association": rec.association,
        "performed_via_github_app": None,
        "reactions": reaction_rollup(site, url, reactions),
    }


def collaborator_permission(site: Site, login: str, role: str) -> JSON:
    """repository-collaborator-permission (`role` is one of ROLES)"""
    rank = ROLES.index(role)
    flags = ("pull", "triage", "push", "maintain", "admin")
    return {
        "permission": _LEGACY_PERMISSION.get(role, role),
        "role_name": role,
        "user": {
            **user(site, login),
            "permissions": {flag: rank > i for i, flag in enumerate(flags)},
            "role_name": role,
        },
    }


def integration(site: Site, created_at: str) -> JSON:
    """integration: the GitHub App that owns the fake's check runs"""
    return {
        "id": 1,
        "slug": "learnbot",
        "node_id": node_id("Integration", 1),
        "owner": user(site, site.owner, "Organization"),
        "name": "learnbot",
        "description": None,
        "external_url": f"{site.base}/apps/learnbot",
        "html_url": f"{site.base}/apps/learnbot",
        "created_at": created_at,
        "updated_at": created_at,
        "permissions": {
            "checks": "write",
            "contents": "write",
            "issues": "write",
            "metadata": "read",
            "pull_requests": "write",
            "statuses": "write",
        },
        "events": [],
    }


def check_run(site: Site, rec: CheckRunRec, app: JSON, pulls: Sequence[JSON]) -> JSON:
    """check-run"""
    url = f"{site.api}/check-runs/{rec.id}"
    output = {
        "title": rec.output.get("title"),
        "summary": rec.output.get("summary"),
        "text": rec.output.get("text"),
        "annotations_count": len(rec.output.get("annotations", [])),
        "annotations_url": f"{url}/annotations",
    }
    return {
        "id": rec.id,
        "head_sha": rec.head_sha,
        "node_id": node_id("CheckRun", rec.id),
        "external_id": rec.external_id or "",
        "url": url,
        "html_url": f"{site.html}/runs/{rec.id}",
        "details_url": rec.details_url,
        "status": rec.status,
        "conclusion": rec.conclusion,
        "started_at": rec.started_at,
        "completed_at": rec.completed_at,
        "output": output,
        "name": rec.name,
        "check_suite": {"id": rec.suite_id},
        "app": app,
        "pull_requests": list(pulls),
    }


def status(site: Site, rec: StatusRec) -> JSON:
    """status"""
    return {
        "url": f"{site.api}/statuses/{rec.sha}",
        "avatar_url": f"{site.base}/avatars/u/{user_id(rec.creator)}",
        "id": rec.id,
        "node_id": node_id("StatusContext", rec.id),
        "state": rec.state,
        "description": rec.description,
        "target_url": rec.target_url,
        "context": rec.context,
        "created_at": rec.created_at,
        "updated_at": rec.created_at,
        "creator": user(site, rec.creator),
    }


def combined_status(site: Site, sha: str, latest: Sequence[StatusRec], repo: JSON) -> JSON:
    """combined-commit-status: failure beats pending beats success; no statuses is pending"""
    states = {rec.state for rec in latest}
    state = (
        "failure"
        if states & {"failure", "error"}
        else "pending"
        if "pending" in states or not states
        else "success"
    )
    statuses = []
    for rec in latest:
        full = status(site, rec)
        del full["creator"]
        statuses.append({**full, "required": None})
    return {
        "state": state,
        "statuses": statuses,
        "sha": sha,
        "total_count": len(statuses),
        "repository": repo,
        "commit_url": f"{site.api}/commits/{sha}",
        "url": f"{site.api}/commits/{sha}/status",
    }


def review(site: Site, rec: ReviewRec) -> JSON:
    """pull-request-review"""
    html = f"{site.html}/pull/{rec.number}#pullrequestreview-{rec.id}"
    pull_url = f"{site.api}/pulls/{rec.number}"
    return {
        "id": rec.id,
        "node_id": node_id("PullRequestReview", rec.id),
        "user": user(site, rec.user),
        "body": rec.body,
        "state": rec.state,
        "html_url": html,
        "pull_request_url": pull_url,
        "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        "submitted_at": rec.submitted_at,
        "commit_id": rec.commit_id,
        "author_association": rec.association,
    }


def reaction(site: Site, rec: ReactionRec) -> JSON:
    """reaction"""
    return {
        "id": rec.id,
        "node_id": node_id("Reaction", rec.id),
        "user": user(site, rec.user),
        "content": rec.content,
        "created_at": rec.created_at,
    }


def rate_limit(limit: int, used: int, reset: int) -> JSON:
    """rate-limit-overview"""

    def one(lim: int, use: int = 0) -> JSON:
        return {"limit": lim, "used": use, "remaining": lim - use, "reset": reset}

    core = one(limit, used)
    return {
        "resources": {
            "core": core,
            "search": one(30),
            "graphql": one(5000),
            "integration_manifest": one(5000),
            "code_search": one(10),
        },
        "rate": core,
    }


# -- git-backed objects ------------------------------------------------------------------------


def git_person(person: GitPerson) -> JSON:
    return {"name": person.name, "email": person.email, "date": person.date}


def git_commit(site: Site, info: CommitInfo) -> JSON:
    """git-commit (also the `commit` part of file-commit)"""
    return {
        "sha": info.sha,
        "node_id": node_id("Commit", info.sha),
        "url": f"{site.api}/git/commits/{info.sha}",
        "html_url": f"{site.html}/commit/{info.sha}",
        "author": git_person(info.author),
        "committer": git_person(info.committer),
        "message": info.message,
        "tree": {"sha": info.tree, "url": f"{site.api}/git/trees/{info.tree}"},
        "parents": [
            {"sha": p, "url": f"{site.api}/git/commits/{p}", "html_url": f"{site.html}/commit/{p}"}
            for p in info.parents
        ],
        "verification": dict(_UNSIGNED),
    }


def commit(site: Site, info: CommitInfo) -> JSON:
    """commit (the "repos" flavour, as in branches and comparisons)"""
    url = f"{site.api}/commits/{info.sha}"
    return {
        "url": url,
        "sha": info.sha,
        "node_id": node_id("Commit", info.sha),
        "html_url": f"{site.html}/commit/{info.sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{site.api}/git/commits/{info.sha}",
            "author": git_person(info.author),
            "committer": git_person(info.committer),
            "message": info.message,
            "comment_count": 0,
            "tree": {"sha": info.tree, "url": f"{site.api}/git/trees/{info.tree}"},
            "verification": dict(_UNSIGNED),
        },
        "author": None,
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{site.api}/commits/{p}", "html_url": f"{site.html}/commit/{p}"}
            for p in info.parents
        ],
    }


def branch(site: Site, name: str, tip: CommitInfo, protection: ProtectionRec | None = None) -> JSON:
    """branch-with-protection"""
    url = f"{site.api}/branches/{_q(name)}"
    contexts = list(protection.contexts) if protection else []
    return {
        "name": name,
        "commit": commit(site, tip),
        "_links": {"html": f"{site.html}/tree/{_q(name)}", "self": url},
        "protected": protection is not None,
        "protection": {
            "enabled": protection is not None,
            "required_status_checks": {
                "enforcement_level": "non_admins" if contexts else "off",
                "contexts": contexts,
                "checks": [{"context": c, "app_id": None} for c in contexts],
            },
        },
        "protection_url": f"{url}/protection",
    }


def branch_protection(site: Site, name: str, rec: ProtectionRec) -> JSON:
    """branch-protection (status checks only; every other rule is off)"""
    url = f"{site.api}/branches/{_q(name)}/protection"
    out: JSON = {"url": url}
    if rec.contexts or rec.strict:
        checks_url = f"{url}/required_status_checks"
        out["required_status_checks"] = {
            "url": checks_url,
            "strict": rec.strict,
            "contexts": list(rec.contexts),
            "contexts_url": f"{checks_url}/contexts",
            "checks": [{"context": c, "app_id": None} for c in rec.contexts],
        }
    out["enforce_admins"] = {"url": f"{url}/enforce_admins", "enabled": False}
    for rule in (
        "required_linear_history",
        "allow_force_pushes",
        "allow_deletions",
        "block_creations",
        "required_conversation_resolution",
        "lock_branch",
        "allow_fork_syncing",
    ):
        out[rule] = {"enabled": False}
    return out


def tag(site: Site, name: str, sha: str) -> JSON:
    """tag"""
    return {
        "name": name,
        "commit": {"sha": sha, "url": f"{site.api}/commits/{sha}"},
        "zipball_url": f"{site.api}/zipball/refs/tags/{_q(name)}",
        "tarball_url": f"{site.api}/tarball/refs/tags/{_q(name)}",
        "node_id": node_id("Ref", f"refs/tags/{name}"),
    }


def git_ref(site: Site, ref: str, sha: str, kind: str = "commit") -> JSON:
    """git-ref"""
    return {
        "ref": ref,
        "node_id": node_id("Ref", ref),
        "url": f"{site.api}/git/refs/{_q(ref.removeprefix('refs/'))}",
        "object": {"type": kind, "sha": sha, "url": f"{site.api}/git/{kind}s/{sha}"},
    }


def git_tree(site: Site, sha: str, entries: Mapping[str, TreeEntry]) -> JSON:
    """git-tree"""
    return {
        "sha": sha,
        "url": f"{site.api}/git/trees/{sha}",
        "truncated": False,
        "tree": [
            {
                "path": name,
                "mode": e.mode,
                "type": e.type,
                "sha": e.sha,
                "url": f"{site.api}/git/{e.type}s/{e.sha}",
            }
            for name, e in sorted(entries.items())
        ],
    }


def short_blob(site: Site, sha: str) -> JSON:
    """short-blob"""
    return {"url": f"{site.api}/git/blobs/{sha}", "sha": sha}


def diff_entry(site: Site, change: FileChange, head_sha: str) -> JSON:
    """diff-entry"""
    out: JSON = {
        "sha": change.blob_sha,
        "filename": change.path,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{site.html}/blob/{head_sha}/{_q(change.path)}",
        "raw_url": f"{site.html}/raw/{head_sha}/{_q(change.path)}",
        "contents_url": f"{site.api}/contents/{_q(change.path)}?ref={head_sha}",
    }
    if change.patch is not None:
        out["patch"] = change.patch
    if change.previous_path is not None:
        out["previous_filename"] = change.previous_path
    return out


def comparison(
    site: Site,
    spec: str,
    *,
    base: CommitInfo,
    merge_base: CommitInfo,
    commits: Sequence[JSON],
    total: int,
    behind: int,
    files: Sequence[JSON],
) -> JSON:
    """commit-comparison (`spec` is the `base...head` text of the request)"""
    ahead = total
    state = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    html = f"{site.html}/compare/{_q(spec)}"
    return {
        "url": f"{site.api}/compare/{_q(spec)}",
        "html_url": html,
        "permalink_url": f"{site.html}/compare/{merge_base.sha}...{base.sha}",
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": commit(site, base),
        "merge_base_commit": commit(site, merge_base),
        "status": state,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": total,
        "commits": list(commits),
        "files": list(files),
    }


def content_entry(site: Site, path: str, entry: TreeEntry, ref: str, size: int) -> JSON:
    """an item of content-directory (and of file-commit's `content`)"""
    kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[entry.type]
    if entry.mode == "120000":
        kind = "symlink"
    self_url = f"{site.api}/contents/{_q(path)}?ref={urllib.parse.quote(ref, safe='')}"
    git_url = f"{site.api}/git/{entry.type}s/{entry.sha}"
    html = f"{site.html}/{'tree' if kind == 'dir' else 'blob'}/{_q(ref)}/{_q(path)}"
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": entry.sha,
        "url": self_url,
        "git_url": git_url,
        "html_url": html,
        "download_url": f"{site.base}/raw/{site.owner}/{site.repo}/{_q(ref)}/{_q(path)}"
        if kind == "file"
        else None,
        "_links": {"self": self_url, "git": git_url, "html": html},
    }


def content_file(site: Site, path: str, entry: TreeEntry, ref: str, data: bytes) -> JSON:
    """content-file (base64, wrapped at 60 characters like GitHub)"""
    encoded = base64.b64encode(data).decode()
    wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    return {
        **content_entry(site, path, entry, ref, len(data)),
        "encoding": "base64",
        "content": wrapped,
    }


def file_commit(site: Site, content: JSON, info: CommitInfo) -> JSON:
    """file-commit"""
    return {"content": content, "commit": git_commit(site, info)}


def merge_result(sha: str) -> JSON:
    """pull-request-merge-result"""
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


def update_branch_accepted(site: Site, number: int) -> JSON:
    """the 202 body of pulls/update-branch"""
    return {"message": "Updating pull request branch.", "url": f"{site.api}/pulls/{number}"}


def workflow_dispatch(site: Site, run_id: int) -> JSON:
    """workflow-dispatch-response"""
    return {
        "workflow_run_id": run_id,
        "run_url": f"{site.api}/actions/runs/{run_id}",
        "html_url": f"{site.html}/actions/runs/{run_id}",
    }


def error(site: Site, message: str, errors: Sequence[JSON] = (), status: int | None = None) -> JSON:
    """basic-error, or validation-error when `errors` are given"""
    out: JSON = {"message": message, "documentation_url": f"{site.base}/docs/rest"}
    if errors:
        out["errors"] = list(errors)
    if status is not None:
        out["status"] = str(status)
    return out
