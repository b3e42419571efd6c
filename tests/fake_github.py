"""A loopback fake of the GitHub REST API: the 47 operations learnbot uses, driven by real PyGithub.

    with FakeGitHub(owner="octo-org", repo="learning", git_dir=bare_repo) as fake:
        repo = fake.client(token="t0ken").get_repo("octo-org/learning")
        ...
        fake.assert_clean()

* Routes: `ROUTES` below (operationId, method, path template); anything else is answered 501
  and recorded in `fake.errors`.
* Strict mode (on whenever tests/github_spec.find_shared_github() finds GitHub's REST
  description): every request is matched and validated against the description, and every 2xx
  response body is validated against its schema; problems go to `fake.errors`.
* Git: with `git_dir` (a bare repository) refs, commits, diffs and merges are real, done with git
  plumbing.  Without it an in-memory object store with made-up SHAs stands in.
* Not modelled, and recorded in `fake.errors` when a request asks for them: assignees,
  milestones, issue types, check-run actions, signed commits, pull requests from issues or
  forks, `pulls/list?sort=popularity|long-running`, `issues/list-for-repo?mentioned|type=`.
* State set by test helpers rather than by the API: reviews (`add_review`, which also clears a
  pending review request), reactions to issues (`add_reaction`), repository roles
  (`set_permission`: the owner is admin, the bot write, anyone else read -- the repository is
  public -- and only users given a role are collaborators who can be asked for reviews) and
  branch protection (`protect_branch`: required status checks and the "up to date" rule, which
  `pulls/merge` enforces and `mergeable_state` reports as blocked/behind).
* Different from GitHub: rebase merges answer 405; team review requests are not modelled;
  update-branch merges at once (GitHub answers 202 and merges later); open pull requests have
  `merge_commit_sha: null` and a `mergeable` computed at once (never null); tags are listed by
  name, highest first; renames are detected only with `git_dir`; label descriptions are ""
  rather than null.
* PyGithub: `repo.get_commit(sha)` GETs /commits/{sha}, which is not among the 47 operations,
  unless the client is lazy: use `fake.client(lazy=True)` (Github(lazy=True) in the bot) before
  creating statuses or listing check runs and pull requests of a commit.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import itertools
import json
import math
import os
import re
import subprocess
import threading
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import github
import pytest

from tests import fake_github_objects as obj
from tests.fake_github_objects import (
    JSON,
    CheckRunRec,
    CommentRec,
    CommitInfo,
    FileChange,
    GitPerson,
    IssueRec,
    LabelRec,
    ProtectionRec,
    PullRec,
    PullStats,
    ReactionRec,
    ReviewRec,
    StatusRec,
    TreeEntry,
)
from tests.github_spec import RestSpec, compile_path_template, literal_length, load_rest_spec

BODY_LIMIT = 65536  # characters; GitHub answers 422 above this for issue/PR/comment bodies
TITLE_LIMIT = 256  # characters; the same for issue and pull request titles
_ZERO_SHA = "0" * 40
_START_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z: the fake's clock is deterministic
_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
_DIFF_STATUS = {
    "A": "added",
    "D": "removed",
    "M": "modified",
    "R": "renamed",
    "C": "copied",
    "T": "changed",
}
_SHA = re.compile(r"[0-9a-f]{40}")
_REF_NAME = re.compile(r"refs/[^\s~^:?*\[\\]+/[^\s~^:?*\[\\]+")


class Route(NamedTuple):
    operation_id: str
    method: str
    path: str
    handler: str
    multi_segment: frozenset[str] = frozenset()


def _ms(*names: str) -> frozenset[str]:
    return frozenset(names)


_R = "/repos/{owner}/{repo}"
ROUTES: tuple[Route, ...] = (
    Route("rate-limit/get", "GET", "/rate_limit", "_rate_limit"),
    Route("repos/get", "GET", _R, "_repo_get"),
    Route(
        "actions/create-workflow-dispatch",
        "POST",
        _R + "/actions/workflows/{workflow_id}/dispatches",
        "_dispatch_workflow",
    ),
    Route("repos/get-branch", "GET", _R + "/branches/{branch}", "_branch_get", _ms("branch")),
    Route(
        "repos/get-branch-protection",
        "GET",
        _R + "/branches/{branch}/protection",
        "_protection_get",
        _ms("branch"),
    ),
    Route("checks/create", "POST", _R + "/check-runs", "_check_create"),
    Route(
        "repos/get-collaborator-permission-level",
        "GET",
        _R + "/collaborators/{username}/permission",
        "_permission_get",
    ),
    Route("checks/update", "PATCH", _R + "/check-runs/{check_run_id}", "_check_update"),
    Route(
        "repos/list-pull-requests-associated-with-commit",
        "GET",
        _R + "/commits/{commit_sha}/pulls",
        "_commit_pulls",
        _ms("commit_sha"),
    ),
    Route(
        "checks/list-for-ref", "GET", _R + "/commits/{ref}/check-runs", "_check_list", _ms("ref")
    ),
    Route(
        "repos/get-combined-status-for-ref",
        "GET",
        _R + "/commits/{ref}/status",
        "_combined_status",
        _ms("ref"),
    ),
    Route(
        "repos/compare-commits",
        "GET",
        _R + "/compare/{base}...{head}",
        "_compare",
        _ms("base", "head"),
    ),
    Route("repos/get-content", "GET", _R + "/contents/{path}", "_content_get", _ms("path")),
    Route(
        "repos/create-or-update-file-contents",
        "PUT",
        _R + "/contents/{path}",
        "_content_put",
        _ms("path"),
    ),
    Route("git/create-blob", "POST", _R + "/git/blobs", "_blob_create"),
    Route("git/create-commit", "POST", _R + "/git/commits", "_commit_create"),
    Route(
        "git/get-commit", "GET", _R + "/git/commits/{commit_sha}", "_commit_get", _ms("commit_sha")
    ),
    Route("git/get-ref", "GET", _R + "/git/ref/{ref}", "_ref_get", _ms("ref")),
    Route("git/create-ref", "POST", _R + "/git/refs", "_ref_create"),
    Route("git/update-ref", "PATCH", _R + "/git/refs/{ref}", "_ref_update", _ms("ref")),
    Route("git/delete-ref", "DELETE", _R + "/git/refs/{ref}", "_ref_delete", _ms("ref")),
    Route("git/create-tree", "POST", _R + "/git/trees", "_tree_create"),
    Route("issues/list-for-repo", "GET", _R + "/issues", "_issue_list"),
    Route("issues/create", "POST", _R + "/issues", "_issue_create"),
    Route(
        "issues/update-comment", "PATCH", _R + "/issues/comments/{comment_id}", "_comment_update"
    ),
    Route(
        "reactions/create-for-issue-comment",
        "POST",
        _R + "/issues/comments/{comment_id}/reactions",
        "_comment_reaction_create",
    ),
    Route("issues/get", "GET", _R + "/issues/{issue_number}", "_issue_get"),
    Route("issues/update", "PATCH", _R + "/issues/{issue_number}", "_issue_update"),
    Route("issues/list-comments", "GET", _R + "/issues/{issue_number}/comments", "_comment_list"),
    Route(
        "issues/create-comment", "POST", _R + "/issues/{issue_number}/comments", "_comment_create"
    ),
    Route("issues/add-labels", "POST", _R + "/issues/{issue_number}/labels", "_labels_add"),
    Route(
        "issues/remove-label",
        "DELETE",
        _R + "/issues/{issue_number}/labels/{name}",
        "_label_remove",
    ),
    Route(
        "reactions/list-for-issue", "GET", _R + "/issues/{issue_number}/reactions", "_reaction_list"
    ),
    Route("issues/list-labels-for-repo", "GET", _R + "/labels", "_label_list"),
    Route("issues/create-label", "POST", _R + "/labels", "_label_create"),
    Route("pulls/list", "GET", _R + "/pulls", "_pull_list"),
    Route("pulls/create", "POST", _R + "/pulls", "_pull_create"),
    Route("pulls/get", "GET", _R + "/pulls/{pull_number}", "_pull_get"),
    Route("pulls/update", "PATCH", _R + "/pulls/{pull_number}", "_pull_update"),
    Route("pulls/list-commits", "GET", _R + "/pulls/{pull_number}/commits", "_pull_commits"),
    Route("pulls/list-files", "GET", _R + "/pulls/{pull_number}/files", "_pull_files"),
    Route("pulls/merge", "PUT", _R + "/pulls/{pull_number}/merge", "_pull_merge"),
    Route("pulls/list-reviews", "GET", _R + "/pulls/{pull_number}/reviews", "_review_list"),
    Route(
        "pulls/request-reviewers",
        "POST",
        _R + "/pulls/{pull_number}/requested_reviewers",
        "_reviewers_request",
    ),
    Route(
        "pulls/update-branch",
        "PUT",
        _R + "/pulls/{pull_number}/update-branch",
        "_pull_update_branch",
    ),
    Route(
        "repos/create-commit-status", "POST", _R + "/statuses/{sha}", "_status_create", _ms("sha")
    ),
    Route("repos/list-tags", "GET", _R + "/tags", "_tag_list"),
)
_PATTERNS = [(route, compile_path_template(route.path, route.multi_segment)) for route in ROUTES]


class RecordedRequest(NamedTuple):
    method: str
    path: str
    operation_id: str | None
    status: int
    query: dict[str, str]
    body: Any


class _Fail(Exception):
    """Raised by handlers: answered as a GitHub error (validation-error when `errors`)."""

    def __init__(self, status: int, message: str, *errors: JSON) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


class _Reply(NamedTuple):
    status: int
    body: Any
    headers: Mapping[str, str] = MappingProxyType({})


@dataclass
class _Call:
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    path: str

    def arg(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default) if isinstance(self.body, dict) else default


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _invalid(resource: str, field_: str, code: str = "invalid", message: str = "") -> _Fail:
    error = {"resource": resource, "field": field_, "code": code}
    return _Fail(422, "Validation Failed", {**error, "message": message} if message else error)


# -- object stores -----------------------------------------------------------------------------


class _StoreBase:
    """Git objects and refs; subclasses supply the primitives, this class the tree walking."""

    def resolve(self, rev: str) -> str | None:
        raise NotImplementedError

    def refs(self) -> dict[str, str]:
        raise NotImplementedError

    def cas_ref(self, name: str, new: str | None, old: str | None) -> bool:
        raise NotImplementedError

    def object_type(self, sha: str) -> str | None:
        raise NotImplementedError

    def read_commit(self, sha: str) -> CommitInfo | None:
        raise NotImplementedError

    def write_commit(
        self, tree: str, parents: list[str], message: str, author: GitPerson, committer: GitPerson
    ) -> str:
        raise NotImplementedError

    def read_tree(self, sha: str) -> dict[str, TreeEntry]:
        raise NotImplementedError

    def write_tree(self, entries: Mapping[str, TreeEntry]) -> str:
        raise NotImplementedError

    def read_blob(self, sha: str) -> bytes:
        raise NotImplementedError

    def write_blob(self, data: bytes) -> str:
        raise NotImplementedError

    def merge_base(self, a: str, b: str) -> str | None:
        raise NotImplementedError

    def commits_between(self, base: str, head: str) -> list[str]:
        raise NotImplementedError

    def diff(self, base: str, head: str) -> list[FileChange]:
        raise NotImplementedError

    def merge_trees(self, ours: str, theirs: str) -> str | None:
        raise NotImplementedError

    def branch(self, name: str) -> str | None:
        return self.refs().get(f"refs/heads/{name}")

    def commit_or_none(self, rev: str) -> CommitInfo | None:
        sha = self.resolve(rev)
        return self.read_commit(sha) if sha else None

    def lookup(self, commit_sha: str, path: str) -> TreeEntry | None:
        info = self.read_commit(commit_sha)
        entry: TreeEntry | None = TreeEntry("040000", "tree", info.tree) if info else None
        for part in [p for p in path.split("/") if p]:
            if entry is None or entry.type != "tree":
                return None
            entry = self.read_tree(entry.sha).get(part)
        return entry

    def flatten(self, tree: str, prefix: str = "") -> dict[str, TreeEntry]:
        flat: dict[str, TreeEntry] = {}
        for name, entry in self.read_tree(tree).items():
            if entry.type == "tree":
                flat.update(self.flatten(entry.sha, f"{prefix}{name}/"))
            else:
                flat[prefix + name] = entry
        return flat

    def build_tree(self, flat: Mapping[str, TreeEntry]) -> str:
        here: dict[str, TreeEntry] = {}
        below: dict[str, dict[str, TreeEntry]] = {}
        for path, entry in flat.items():
            head, sep, rest = path.partition("/")
            if sep:
                below.setdefault(head, {})[rest] = entry
            else:
                here[head] = entry
        for name, sub in below.items():
            here[name] = TreeEntry("040000", "tree", self.build_tree(sub))
        return self.write_tree(here)

    def edit_tree(self, tree: str | None, edits: Mapping[str, TreeEntry | None]) -> str:
        flat = self.flatten(tree) if tree else {}
        for raw_path, entry in edits.items():
            path = raw_path.strip("/")
            flat = {p: e for p, e in flat.items() if p != path and not p.startswith(path + "/")}
            if entry is not None and entry.type == "tree":
                flat.update({f"{path}/{p}": e for p, e in self.flatten(entry.sha).items()})
            elif entry is not None:
                flat[path] = entry
        return self.build_tree(flat)


class _MemoryStore(_StoreBase):
    """Objects in dicts with made-up SHAs; enough git semantics for PRs, diffs and merges."""

    def __init__(self) -> None:
        self._objects: dict[str, CommitInfo | dict[str, TreeEntry] | bytes] = {}
        self._refs: dict[str, str] = {}

    def _put(self, kind: str, text: str, value: CommitInfo | dict[str, TreeEntry] | bytes) -> str:
        sha = hashlib.sha1(f"{kind}\0{text}".encode()).hexdigest()
        self._objects.setdefault(sha, value)
        return sha

    def resolve(self, rev: str) -> str | None:
        if isinstance(self._objects.get(rev), CommitInfo):
            return rev
        for name in (rev, f"refs/{rev}", f"refs/tags/{rev}", f"refs/heads/{rev}"):
            if name in self._refs:
                return self._refs[name]
        hits = (
            [s for s, o in self._objects.items() if s.startswith(rev) and isinstance(o, CommitInfo)]
            if len(rev) >= 7
            else []
        )
        return hits[0] if len(hits) == 1 else None

    def refs(self) -> dict[str, str]:
        return dict(self._refs)

    def cas_ref(self, name: str, new: str | None, old: str | None) -> bool:
        if self._refs.get(name) != old or (new is not None and self.read_commit(new) is None):
            return False
        if new is None:
            del self._refs[name]
        else:
            self._refs[name] = new
        return True

    def object_type(self, sha: str) -> str | None:
        value = self._objects.get(sha)
        return (
            None
            if value is None
            else {CommitInfo: "commit", dict: "tree", bytes: "blob"}[type(value)]
        )

    def read_commit(self, sha: str) -> CommitInfo | None:
        value = self._objects.get(sha)
        return value if isinstance(value, CommitInfo) else None

    def write_commit(
        self, tree: str, parents: list[str], message: str, author: GitPerson, committer: GitPerson
    ) -> str:
        text = repr((tree, parents, message, author, committer))
        sha = hashlib.sha1(f"commit\0{text}".encode()).hexdigest()
        info = CommitInfo(sha, tree, tuple(parents), message, author, committer)
        return self._put("commit", text, info)

    def read_tree(self, sha: str) -> dict[str, TreeEntry]:
        value = self._objects.get(sha)
        return dict(value) if isinstance(value, dict) else {}

    def write_tree(self, entries: Mapping[str, TreeEntry]) -> str:
        return self._put("tree", repr(sorted(entries.items())), dict(entries))

    def read_blob(self, sha: str) -> bytes:
        value = self._objects.get(sha)
        return value if isinstance(value, bytes) else b""

    def write_blob(self, data: bytes) -> str:
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # same id as git's
        self._objects.setdefault(sha, data)
        return sha

    def _history(self, sha: str) -> list[str]:
        """Ancestors of `sha` (included), parents before children."""
        order: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(sha, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                info = self.read_commit(node)
                stack.extend((p, False) for p in reversed(info.parents if info else ()))
        return order

    def merge_base(self, a: str, b: str) -> str | None:
        ancestors = set(self._history(a))
        return next((c for c in reversed(self._history(b)) if c in ancestors), None)

    def commits_between(self, base: str, head: str) -> list[str]:
        excluded = set(self._history(base))
        return [c for c in self._history(head) if c not in excluded]

    def _tree_of(self, commit_sha: str | None) -> dict[str, TreeEntry]:
        info = self.read_commit(commit_sha) if commit_sha else None
        return self.flatten(info.tree) if info else {}

    def diff(self, base: str, head: str) -> list[FileChange]:
        old, new = self._tree_of(base), self._tree_of(head)
        changes = []
        for path in sorted(old.keys() | new.keys()):
            before, after = old.get(path), new.get(path)
            if before == after:
                continue
            status = (
                "added"
                if before is None
                else "removed"
                if after is None
                else "changed"
                if before.sha == after.sha
                else "modified"
            )
            patch, plus, minus = _text_patch(
                self.read_blob(before.sha) if before else b"",
                self.read_blob(after.sha) if after else b"",
            )
            sha = after.sha if after else before.sha if before else None
            changes.append(FileChange(path, status, plus, minus, sha, None, patch))
        return changes

    def merge_trees(self, ours: str, theirs: str) -> str | None:
        base = self._tree_of(self.merge_base(ours, theirs))
        mine, yours = self._tree_of(ours), self._tree_of(theirs)
        merged: dict[str, TreeEntry] = {}
        for path in mine.keys() | yours.keys() | base.keys():
            b, o, t = base.get(path), mine.get(path), yours.get(path)
            if len({o, t, b}) == 3:  # all three differ: a conflict
                return None
            result = t if o == b else o
            if result is not None:
                merged[path] = result
        return self.build_tree(merged)


def _text_patch(before: bytes, after: bytes) -> tuple[str | None, int, int]:
    try:
        a, b = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    except UnicodeDecodeError:
        return None, 0, 0
    lines = list(difflib.unified_diff(a, b, n=3))[2:]
    plus = sum(1 for line in lines if line.startswith("+"))
    minus = sum(1 for line in lines if line.startswith("-"))
    return (
        "".join(line if line.endswith("\n") else line + "\n" for line in lines).rstrip("\n"),
        plus,
        minus,
    )


class _GitStore(_StoreBase):
    """A real bare repository, driven with git plumbing (needs git >= 2.38 for merge-tree)."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    def _run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (0,),
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args],
            input=stdin,
            capture_output=True,
            env={**os.environ, **_GIT_ENV, **(env or {})},
            check=False,
        )
        if proc.returncode not in ok:
            stderr = proc.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"git {' '.join(args)} failed ({proc.returncode}): {stderr}")
        return proc

    def _out(self, *args: str, ok: tuple[int, ...] = (0,)) -> str | None:
        proc = self._run(*args, ok=ok)
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def resolve(self, rev: str) -> str | None:
        if not rev or rev.startswith("-"):
            return None
        return self._out("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok=(0, 1, 128))

    def refs(self) -> dict[str, str]:
        out = self._out("for-each-ref", "--format=%(refname) %(objectname)") or ""
        return dict(line.split(" ", 1) for line in out.splitlines())

    def cas_ref(self, name: str, new: str | None, old: str | None) -> bool:
        args = ["-d", name, old or ""] if new is None else [name, new, old or _ZERO_SHA]
        return self._run("update-ref", *args, ok=(0, 1, 128)).returncode == 0

    def object_type(self, sha: str) -> str | None:
        if not _SHA.fullmatch(sha):  # only object ids, never ref names
            return None
        return self._out("cat-file", "-t", sha, ok=(0, 1, 128))

    def read_commit(self, sha: str) -> CommitInfo | None:
        if self.object_type(sha) != "commit":
            return None
        raw = self._run("cat-file", "commit", sha).stdout.decode(errors="replace")
        header, _, message = raw.partition("\n\n")
        fields: dict[str, list[str]] = {}
        for line in header.splitlines():
            if not line.startswith(" "):
                key, _, value = line.partition(" ")
                fields.setdefault(key, []).append(value)
        return CommitInfo(
            sha,
            fields["tree"][0],
            tuple(fields.get("parent", [])),
            message.rstrip("\n"),
            _ident(fields["author"][0]),
            _ident(fields["committer"][0]),
        )

    def write_commit(
        self, tree: str, parents: list[str], message: str, author: GitPerson, committer: GitPerson
    ) -> str:
        env: dict[str, str] = {}
        for role, who in (("AUTHOR", author), ("COMMITTER", committer)):
            env |= {
                f"GIT_{role}_NAME": who.name,
                f"GIT_{role}_EMAIL": who.email,
                f"GIT_{role}_DATE": f"{_epoch(who.date)} +0000",
            }
        parent_args = [arg for p in parents for arg in ("-p", p)]
        proc = self._run(
            "commit-tree", "--no-gpg-sign", tree, *parent_args, stdin=message.encode(), env=env
        )
        return proc.stdout.decode().strip()

    def read_tree(self, sha: str) -> dict[str, TreeEntry]:
        raw = self._run("ls-tree", "-z", sha).stdout.decode()
        entries = {}
        for item in filter(None, raw.split("\0")):
            meta, _, name = item.partition("\t")
            mode, kind, oid = meta.split(" ")
            entries[name] = TreeEntry(mode, kind, oid)
        return entries

    def write_tree(self, entries: Mapping[str, TreeEntry]) -> str:
        text = "".join(f"{e.mode} {e.type} {e.sha}\t{n}\0" for n, e in entries.items())
        return self._run("mktree", "-z", stdin=text.encode()).stdout.decode().strip()

    def read_blob(self, sha: str) -> bytes:
        return self._run("cat-file", "blob", sha).stdout

    def write_blob(self, data: bytes) -> str:
        return self._run("hash-object", "-w", "--stdin", stdin=data).stdout.decode().strip()

    def merge_base(self, a: str, b: str) -> str | None:
        return self._out("merge-base", a, b, ok=(0, 1))

    def commits_between(self, base: str, head: str) -> list[str]:
        return (self._out("rev-list", "--topo-order", "--reverse", f"{base}..{head}") or "").split()

    def merge_trees(self, ours: str, theirs: str) -> str | None:
        proc = self._run("merge-tree", "--write-tree", "--no-messages", ours, theirs, ok=(0, 1))
        return proc.stdout.decode().split("\n", 1)[0].strip() if proc.returncode == 0 else None

    def diff(self, base: str, head: str) -> list[FileChange]:
        def run(*args: str) -> str:
            return self._run(
                "diff", "-M", "--no-color", "--no-ext-diff", *args, base, head, "--"
            ).stdout.decode(errors="replace")

        counts = _parse_numstat(run("--numstat", "-z"))
        patches = _split_patches(run("--patch"))
        changes: list[FileChange] = []
        tokens = iter(run("--raw", "-z", "--no-abbrev").split("\0"))
        for token in tokens:
            if not token.startswith(":"):
                continue
            old_mode, new_mode, old_sha, new_sha, letter = token[1:].split(" ")
            path = previous = next(tokens)
            if letter[0] in "RC":
                path = next(tokens)
            status = _DIFF_STATUS.get(letter[0], "modified")
            if status == "modified" and old_sha == new_sha and old_mode != new_mode:
                status = "changed"
            plus, minus = counts.get(path, (0, 0))
            changes.append(
                FileChange(
                    path,
                    status,
                    plus,
                    minus,
                    old_sha if letter == "D" else new_sha,
                    previous if letter[0] in "RC" else None,
                    patches[len(changes)] if len(changes) < len(patches) else None,
                )
            )
        return changes


def _ident(text: str) -> GitPerson:
    found = re.fullmatch(r"(.*) <(.*)> (\d+) ([+-]\d{4})", text)
    if not found:
        return GitPerson(text, "", _iso(0))
    return GitPerson(found.group(1), found.group(2), _iso(int(found.group(3))))


def _parse_numstat(text: str) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    tokens = iter(text.split("\0"))
    for token in tokens:
        if not token:
            continue
        plus, minus, path = token.split("\t", 2)
        if not path:  # a rename: old and new path follow as separate tokens
            next(tokens)
            path = next(tokens)
        counts[path] = (int(plus) if plus.isdigit() else 0, int(minus) if minus.isdigit() else 0)
    return counts


def _split_patches(text: str) -> list[str | None]:
    patches: list[str | None] = []
    for chunk in re.split(r"^diff --git .*\n", text, flags=re.MULTILINE)[1:]:
        hunk = re.search(r"^@@", chunk, flags=re.MULTILINE)
        patches.append(chunk[hunk.start() :].rstrip("\n") if hunk else None)
    return patches


# -- the server --------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _any(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _any

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@dataclass
class _Clock:
    epoch: int = _START_EPOCH

    def tick(self) -> str:
        self.epoch += 1
        return _iso(self.epoch)


@dataclass
class _State:
    issues: dict[int, IssueRec] = field(default_factory=dict)
    labels: dict[str, LabelRec] = field(default_factory=dict)  # key: casefolded name
    comments: dict[int, CommentRec] = field(default_factory=dict)
    checks: dict[int, CheckRunRec] = field(default_factory=dict)
    suites: dict[str, int] = field(default_factory=dict)
    statuses: list[StatusRec] = field(default_factory=list)
    reviews: list[ReviewRec] = field(default_factory=list)
    reactions: list[ReactionRec] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # key: casefolded login
    protections: dict[str, ProtectionRec] = field(default_factory=dict)  # key: branch name


class FakeGitHub:
    """The fake server; see the module docstring.  Start it with `with` or start()/stop()."""

    def __init__(
        self,
        owner: str = "octo-org",
        repo: str = "learning",
        default_branch: str = "main",
        git_dir: Path | str | None = None,
        *,
        login: str = "learnbot[bot]",
        strict: bool | None = None,
    ) -> None:
        self.owner, self.repo, self.default_branch, self.login = owner, repo, default_branch, login
        self.git_dir = Path(git_dir) if git_dir is not None else None
        self.spec: RestSpec | None = None if strict is False else load_rest_spec()
        if strict and self.spec is None:
            raise RuntimeError("strict=True but GitHub's REST description was not found")
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        self.tokens: list[str] = []
        self.dispatches: list[JSON] = []
        # called in the server thread once a request is applied, before its response is sent:
        # tests use it to crash a client at that point, or to act while it waits
        self.after_request: Callable[[RecordedRequest], None] | None = None
        self.url = ""
        self._lock = threading.RLock()
        self._clock = _Clock()
        self._created_at = _iso(_START_EPOCH)
        self._ids = itertools.count(1001)
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._clients: list[github.Github] = []
        self._store: _StoreBase = _GitStore(self.git_dir) if self.git_dir else self._memory()

    @property
    def strict(self) -> bool:
        return self.spec is not None

    def _memory(self) -> _MemoryStore:
        store = _MemoryStore()
        readme = TreeEntry("100644", "blob", store.write_blob(f"# {self.repo}\n".encode()))
        person = GitPerson(self.owner, f"{self.owner}@users.noreply.github.com", self._created_at)
        root = store.write_commit(
            store.write_tree({"README.md": readme}), [], "Initial commit", person, person
        )
        store.cas_ref(f"refs/heads/{self.default_branch}", root, None)
        return store

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, token: str = "t0ken", **kwargs: Any) -> github.Github:
        """A PyGithub client for this fake, without throttling or retries."""
        settings: dict[str, Any] = {
            "retry": None,
            "seconds_between_requests": None,
            "seconds_between_writes": None,
            **kwargs,
        }
        gh = github.Github(base_url=self.url, auth=github.Auth.Token(token), **settings)
        self._clients.append(gh)
        return gh

    @property
    def site(self) -> obj.Site:
        return obj.Site(self.url, self.owner, self.repo)

    # -- log and verdict ---------------------------------------------------------------------

    def count(self, method: str | None = None, operation_id: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if method in (None, r.method) and operation_id in (None, r.operation_id)
        )

    def rate_limited(self) -> int:
        """Requests that count against the rate limit: a 304 Not Modified does not."""
        return sum(1 for r in self.requests if r.status != 304)

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method != "GET"]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def assert_clean(self) -> None:
        if self.errors:
            listing = "\n".join(f"  - {e}" for e in self.errors)
            raise AssertionError(f"FakeGitHub recorded {len(self.errors)} problem(s):\n{listing}")

    # -- request handling --------------------------------------------------------------------

    def _serve(self, req: _Handler) -> None:
        parts = urllib.parse.urlsplit(req.path)
        query = {
            k: v[-1] for k, v in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items()
        }
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        with self._lock:
            reply, op_id, body = self._answer(req, parts.path, query, raw)
            text = b"" if reply.body is None else json.dumps(reply.body).encode()
            for token in self.tokens:
                if len(token) >= 4 and token.encode() in text:
                    self.errors.append(f"{req.command} {parts.path}: response contains the token")
            if req.command == "GET" and reply.status == 200:
                reply, text = self._conditional(req, reply, text)
            self.requests.append(
                RecordedRequest(req.command, parts.path, op_id, reply.status, query, body)
            )
            used = self.rate_limited()
        hook = self.after_request
        if hook is not None:  # the request is applied; the client has not heard back yet
            hook(self.requests[used - 1])
        req.send_response(reply.status)
        headers = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(5000 - used),
            "X-RateLimit-Reset": str(_START_EPOCH + 3600),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Media-Type": "github.v3",
            "Content-Length": str(len(text)),
            **reply.headers,
        }
        if text:
            headers["Content-Type"] = "application/json; charset=utf-8"
        for name, value in headers.items():
            req.send_header(name, value)
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(text)

    @staticmethod
    def _conditional(req: _Handler, reply: _Reply, text: bytes) -> tuple[_Reply, bytes]:
        """GitHub's ETags: a GET whose If-None-Match names the current one gets 304, no body."""
        digest = hashlib.sha256(text + reply.headers.get("Link", "").encode()).hexdigest()
        etag = f'W/"{digest}"'
        headers = {**reply.headers, "ETag": etag}
        if etag in (req.headers.get("If-None-Match") or "").split(", "):
            return _Reply(304, None, headers), b""
        return _Reply(reply.status, reply.body, headers), text

    def _answer(
        self, req: _Handler, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[_Reply, str | None, Any]:
        where = f"{req.command} {path}"
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self.errors.append(f"{where}: request body is not JSON")
            return _Reply(400, obj.error(self.site, "Problems parsing JSON")), None, raw
        found = self._route(req.command, path)
        if found is None:
            self.errors.append(f"{where}: no such route in FakeGitHub (answered 501)")
            return _Reply(501, obj.error(self.site, "Not implemented by FakeGitHub")), None, body
        route, params = found
        if not self._authorized(req.headers.get("Authorization", "")):
            self.errors.append(f"{where}: no 'Authorization: token|Bearer ...' header")
            return _Reply(401, obj.error(self.site, "Requires authentication")), None, body
        self._check_request(where, path, route, query, body)
        if (params["owner"].casefold(), params["repo"].casefold()) != (
            self.owner.casefold(),
            self.repo.casefold(),
        ):
            return _Reply(404, obj.error(self.site, "Not Found")), route.operation_id, body
        reply = self._dispatch(where, route, _Call(params, query, body, path))
        if self.spec is not None and 200 <= reply.status < 300:
            problems = self.spec.validate_response(route.operation_id, reply.status, reply.body)
            self.errors += [f"{where}: {p}" for p in problems]
        return reply, route.operation_id, body

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        hits = []
        for route, pattern in _PATTERNS:
            found = pattern.fullmatch(path) if route.method == method else None
            if found:
                params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
                hits.append((literal_length(route.path), route, params))
        if not hits:
            return None
        _, route, params = max(hits, key=lambda hit: hit[0])
        return route, {"owner": self.owner, "repo": self.repo, **params}

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            return False
        if token.strip() not in self.tokens:
            self.tokens.append(token.strip())
        return True

    def _check_request(
        self, where: str, path: str, route: Route, query: dict[str, str], body: Any
    ) -> None:
        if self.spec is None:
            return
        matched = self.spec.match(route.method, path)
        if matched is None or matched[0] != route.operation_id:
            self.errors.append(f"{where}: the REST description routes this to {matched}")
            return
        problems = self.spec.validate_request(route.operation_id, query, body, matched[1])
        self.errors += [f"{where}: {p}" for p in problems]

    def _dispatch(self, where: str, route: Route, call: _Call) -> _Reply:
        handler: Callable[[_Call], _Reply] = getattr(self, route.handler)
        try:
            return handler(call)
        except _Fail as fail:
            return _Reply(fail.status, obj.error(self.site, fail.message, fail.errors))
        except Exception:
            self.errors.append(f"{where}: FakeGitHub crashed:\n{traceback.format_exc()}")
            return _Reply(500, obj.error(self.site, "FakeGitHub crashed"))

    def _unsupported(self, what: str) -> None:
        self.errors.append(f"FakeGitHub does not model {what}")

    # -- shared pieces -----------------------------------------------------------------------

    def _next_id(self) -> int:
        return next(self._ids)

    def _paginate(
        self, call: _Call, items: list[Any], per_page: int = 30, maximum: int = 100
    ) -> tuple[list[Any], dict[str, str]]:
        try:
            size = max(1, min(int(call.query.get("per_page", per_page)), maximum))
            page = max(1, int(call.query.get("page", 1)))
        except ValueError:
            raise _invalid("Pagination", "per_page") from None
        last = max(1, math.ceil(len(items) / size))

        def link(number: int, rel: str) -> str:
            query = urllib.parse.urlencode({**call.query, "page": number})
            return f'<{self.url}{call.path}?{query}>; rel="{rel}"'

        links = [link(page + 1, "next"), link(last, "last")] if page < last else []
        links += [link(1, "first"), link(page - 1, "prev")] if page > 1 else []
        return items[(page - 1) * size : page * size], ({"Link": ", ".join(links)} if links else {})

    def _list(self, call: _Call, items: list[Any], per_page: int = 30) -> _Reply:
        chunk, headers = self._paginate(call, items, per_page)
        return _Reply(200, chunk, headers)

    def _repo_json(self) -> JSON:
        tip = self._store.commit_or_none(f"refs/heads/{self.default_branch}")
        open_count = sum(1 for i in self._state.issues.values() if i.state == "open")
        return obj.repository(
            self.site,
            default_branch=self.default_branch,
            open_issues=open_count,
            created_at=self._created_at,
            pushed_at=tip.committer.date if tip else self._created_at,
        )

    def _me(self, when: str) -> GitPerson:
        return GitPerson(
            self.login, f"{obj.user_id(self.login)}+{self.login}@users.noreply.github.com", when
        )

    def _issue_or_404(self, call: _Call, key: str = "issue_number") -> IssueRec:
        try:
            issue = self._state.issues.get(int(call.params[key]))
        except ValueError:
            issue = None
        if issue is None:
            raise _Fail(404, "Not Found")
        return issue

    def _pull_or_404(self, call: _Call) -> IssueRec:
        issue = self._issue_or_404(call, "pull_number")
        if issue.pull is None:
            raise _Fail(404, "Not Found")
        return issue

    def _check_body(self, resource: str, text: Any) -> None:
        if isinstance(text, str) and len(text) > BODY_LIMIT:
            raise _invalid(
                resource, "body", "custom", f"body is too long (maximum is {BODY_LIMIT} characters)"
            )

    def _check_title(self, resource: str, text: Any) -> None:
        if isinstance(text, str) and len(text) > TITLE_LIMIT:
            raise _invalid(
                resource,
                "title",
                "custom",
                f"title is too long (maximum is {TITLE_LIMIT} characters)",
            )

    def _label_recs(self, names: list[str]) -> list[LabelRec]:
        return [
            self._state.labels[n.casefold()] for n in names if n.casefold() in self._state.labels
        ]

    def _ensure_labels(self, raw: Any) -> list[str]:
        """Label names from a request, creating unknown ones as GitHub does."""
        if not isinstance(raw, list):
            raise _invalid("Label", "labels", "invalid", "labels must be an array")
        names = []
        for item in raw:
            name = item.get("name") if isinstance(item, dict) else str(item)
            if not isinstance(name, str) or not name:
                continue
            if name.casefold() not in self._state.labels:
                self._state.labels[name.casefold()] = LabelRec(self._next_id(), name)
            names.append(self._state.labels[name.casefold()].name)
        return names

    def _comment_count(self, number: int) -> int:
        return sum(1 for c in self._state.comments.values() if c.number == number)

    def _issue_json(self, issue: IssueRec) -> JSON:
        self._refresh(issue)
        reactions = [
            r for r in self._state.reactions if r.number == issue.number and r.comment_id is None
        ]
        return obj.issue(
            self.site,
            issue,
            self._label_recs(issue.labels),
            self._comment_count(issue.number),
            reactions,
        )

    def _refresh(self, issue: IssueRec) -> None:
        """Open PRs follow their branches (a force-push shows up as a new head.sha)."""
        pr = issue.pull
        if pr is None or issue.state != "open":
            return
        pr.head_sha = self._store.branch(pr.head) or pr.head_sha
        pr.base_sha = self._store.branch(pr.base) or pr.base_sha

    def _changes(self, pr: PullRec) -> list[FileChange]:
        base = self._store.merge_base(pr.base_sha, pr.head_sha) or pr.base_sha
        return self._store.diff(base, pr.head_sha)

    def _pull_stats(self, issue: IssueRec) -> PullStats:
        pr = issue.pull
        assert pr is not None
        changes = self._changes(pr)
        mergeable: bool | None = None
        state = "unknown"
        if issue.state == "open":
            mergeable = self._store.merge_trees(pr.base_sha, pr.head_sha) is not None
            state = "draft" if pr.draft else "clean" if mergeable else "dirty"
            if state == "clean" and self._protection_problem(pr):
                state = "behind" if self._behind(pr) else "blocked"
        return PullStats(
            len(self._store.commits_between(pr.base_sha, pr.head_sha)),
            sum(c.additions for c in changes),
            sum(c.deletions for c in changes),
            len(changes),
            mergeable,
            state,
        )

    def _pull_json(self, issue: IssueRec, simple: bool = False) -> JSON:
        """pull-request, or pull-request-simple (no stats: list endpoints don't have them)."""
        self._refresh(issue)
        stats = PullStats(0, 0, 0, 0, None, "unknown") if simple else self._pull_stats(issue)
        full = obj.pull_request(
            self.site,
            issue,
            self._label_recs(issue.labels),
            self._repo_json(),
            stats=stats,
            comments=self._comment_count(issue.number),
        )
        return obj.pull_request_simple(full) if simple else full

    def _pulls(self) -> list[IssueRec]:
        return [i for i in self._state.issues.values() if i.pull is not None]

    def _resolve_or_fail(self, rev: str, status: int = 404) -> str:
        sha = self._store.resolve(rev.split(":", 1)[-1]) if rev else None
        if sha is None:
            if status == 404:
                raise _Fail(404, "No commit found for SHA: " + rev)
            raise _invalid("Commit", "sha", "custom", f"No commit found for SHA: {rev}")
        return sha

    def _set_state(self, issue: IssueRec, state: str | None, reason: str | None = None) -> None:
        if state is None or state == issue.state:
            return
        if state not in ("open", "closed"):
            raise _invalid("Issue", "state")
        pr = issue.pull
        if state == "open" and pr is not None:
            if pr.merged_at:
                raise _invalid(
                    "PullRequest",
                    "state",
                    "custom",
                    "state cannot be changed. The pull request has been merged.",
                )
            self._no_duplicate_pull(pr.head, pr.base)
        now = self._clock.tick()
        issue.state, issue.updated_at = state, now
        issue.closed_at = now if state == "closed" else None
        issue.closed_by = self.login if state == "closed" else None
        issue.state_reason = reason or (
            "completed"
            if state == "closed" and not pr
            else "reopened"
            if state == "open" and not pr
            else None
        )

    def _no_duplicate_pull(self, head: str, base: str) -> None:
        for other in self._pulls():
            assert other.pull is not None
            if other.state == "open" and (other.pull.head, other.pull.base) == (head, base):
                raise _invalid(
                    "PullRequest",
                    "head",
                    "custom",
                    f"A pull request already exists for {self.owner}:{head}.",
                )

    # -- handlers: repository, rate limit, actions -------------------------------------------

    def _rate_limit(self, call: _Call) -> _Reply:
        return _Reply(200, obj.rate_limit(5000, len(self.requests) + 1, _START_EPOCH + 3600))

    def _repo_get(self, call: _Call) -> _Reply:
        return _Reply(200, self._repo_json())

    def _dispatch_workflow(self, call: _Call) -> _Reply:
        ref = call.arg("ref")
        if not isinstance(ref, str) or self._store.resolve(ref) is None:
            raise _invalid("Workflow", "ref", "custom", f"No ref found for: {ref}")
        run_id = self._next_id()
        self.dispatches.append(
            {
                "workflow_id": call.params["workflow_id"],
                "ref": ref,
                "inputs": call.arg("inputs") or {},
                "run_id": run_id,
            }
        )
        if call.arg("return_run_details"):
            return _Reply(200, obj.workflow_dispatch(self.site, run_id))
        return _Reply(204, None)

    def _branch_get(self, call: _Call) -> _Reply:
        sha = self._store.branch(call.params["branch"])
        info = self._store.read_commit(sha) if sha else None
        if info is None:
            raise _Fail(404, "Branch not found")
        name = call.params["branch"]
        return _Reply(200, obj.branch(self.site, name, info, self._state.protections.get(name)))

    # -- handlers: collaborators, branch protection, tags -------------------------------------

    def _role(self, login: str) -> str:
        role = self._state.roles.get(login.casefold())
        if role is not None:
            return role
        if login.casefold() == self.owner.casefold():
            return "admin"
        return "write" if login.casefold() == self.login.casefold() else "read"

    def _is_collaborator(self, login: str) -> bool:
        role = self._state.roles.get(login.casefold())
        if role is not None:
            return role != "none"
        return login.casefold() in (self.owner.casefold(), self.login.casefold())

    def _permission_get(self, call: _Call) -> _Reply:
        login = call.params["username"]
        return _Reply(200, obj.collaborator_permission(self.site, login, self._role(login)))

    def _protection_get(self, call: _Call) -> _Reply:
        name = call.params["branch"]
        if self._store.branch(name) is None:
            raise _Fail(404, "Branch not found")
        rule = self._state.protections.get(name)
        if rule is None:
            raise _Fail(404, "Branch not protected")
        return _Reply(200, obj.branch_protection(self.site, name, rule))

    def _context_state(self, sha: str, context: str) -> str | None:
        """success, pending or failing for a required context on `sha`; None when not reported."""
        states = {
            {"success": "success", "pending": "pending"}.get(r.state, "failing")
            for r in self._latest_statuses(sha)
            if r.context == context
        }
        runs = sorted(
            (r for r in self._state.checks.values() if r.head_sha == sha and r.name == context),
            key=lambda r: r.id,
        )
        if runs:
            run = runs[-1]
            passed = run.conclusion in ("success", "neutral", "skipped")
            states.add(
                "pending" if run.status != "completed" else "success" if passed else "failing"
            )
        for state in ("success", "pending", "failing"):
            if state in states:
                return state
        return None

    def _behind(self, pr: PullRec) -> bool:
        rule = self._state.protections.get(pr.base)
        up_to_date = self._store.merge_base(pr.base_sha, pr.head_sha) == pr.base_sha
        return rule is not None and rule.strict and not up_to_date

    def _protection_problem(self, pr: PullRec) -> str | None:
        """Why the base branch's protection forbids merging `pr` now (None: it allows it)."""
        rule = self._state.protections.get(pr.base)
        for context in rule.contexts if rule else ():
            state = self._context_state(pr.head_sha, context)
            if state != "success":
                return f'Required status check "{context}" is {state or "expected"}.'
        if self._behind(pr):
            return "Head branch is out of date with the base branch."
        return None

    def _tag_list(self, call: _Call) -> _Reply:
        tags = []
        for ref in self._store.refs():
            sha = self._store.resolve(ref) if ref.startswith("refs/tags/") else None
            if sha is not None:
                tags.append((ref.removeprefix("refs/tags/"), sha))
        tags.sort(reverse=True)
        return self._list(call, [obj.tag(self.site, name, sha) for name, sha in tags])

    # -- handlers: checks and statuses -------------------------------------------------------

    def _check_json(self, rec: CheckRunRec) -> JSON:
        pulls = [
            obj.pull_request_minimal(self.site, i)
            for i in self._pulls()
            if i.state == "open" and i.pull and i.pull.head_sha == rec.head_sha
        ]
        return obj.check_run(self.site, rec, obj.integration(self.site, self._created_at), pulls)

    def _apply_check(self, rec: CheckRunRec, call: _Call, now: str) -> None:
        for name in ("name", "details_url", "external_id", "started_at", "completed_at"):
            if call.arg(name) is not None:
                setattr(rec, name, call.arg(name))
        if call.arg("output") is not None:
            rec.output = dict(call.arg("output"))
        if call.arg("status") is not None:
            rec.status = call.arg("status")
        if call.arg("conclusion") is not None:
            rec.conclusion, rec.status = call.arg("conclusion"), "completed"
        if rec.status == "completed":
            if rec.conclusion is None:
                raise _invalid("CheckRun", "conclusion", "missing_field")
            rec.completed_at = rec.completed_at or now

    def _check_create(self, call: _Call) -> _Reply:
        name, head_sha = call.arg("name"), call.arg("head_sha")
        if not name:
            raise _invalid("CheckRun", "name", "missing_field")
        sha = self._resolve_or_fail(head_sha or "", status=422)
        if call.arg("actions"):
            self._unsupported("check run actions")
        now = self._clock.tick()
        suite = self._state.suites.setdefault(sha, self._next_id())
        rec = CheckRunRec(self._next_id(), suite, name, sha, "queued", None, now, None)
        self._apply_check(rec, call, now)
        self._state.checks[rec.id] = rec
        return _Reply(201, self._check_json(rec))

    def _check_update(self, call: _Call) -> _Reply:
        rec = self._state.checks.get(int(call.params["check_run_id"]))
        if rec is None:
            raise _Fail(404, "Not Found")
        self._apply_check(rec, call, self._clock.tick())
        return _Reply(200, self._check_json(rec))

    def _check_list(self, call: _Call) -> _Reply:
        sha = self._resolve_or_fail(call.params["ref"], status=422)
        runs = [
            r
            for r in self._state.checks.values()
            if r.head_sha == sha
            and call.query.get("check_name", r.name) == r.name
            and call.query.get("status", r.status) == r.status
        ]
        if call.query.get("filter", "latest") == "latest":
            latest = {r.name: r for r in sorted(runs, key=lambda r: r.id)}
            runs = list(latest.values())
        if "app_id" in call.query:
            runs = [r for r in runs if call.query["app_id"] == "1"]
        runs.sort(key=lambda r: r.id, reverse=True)
        chunk, headers = self._paginate(call, runs)
        return _Reply(
            200,
            {"total_count": len(runs), "check_runs": [self._check_json(r) for r in chunk]},
            headers,
        )

    def _status_create(self, call: _Call) -> _Reply:
        sha = self._resolve_or_fail(call.params["sha"], status=422)
        state = call.arg("state")
        if state not in ("error", "failure", "pending", "success"):
            raise _invalid("Status", "state")
        rec = StatusRec(
            self._next_id(),
            sha,
            state,
            call.arg("context") or "default",
            self.login,
            self._clock.tick(),
            call.arg("target_url"),
            call.arg("description"),
        )
        self._state.statuses.append(rec)
        return _Reply(201, obj.status(self.site, rec))

    def _latest_statuses(self, sha: str) -> list[StatusRec]:
        latest: dict[str, StatusRec] = {}
        for rec in self._state.statuses:
            if rec.sha == sha:
                latest[rec.context] = rec
        return sorted(latest.values(), key=lambda r: r.id, reverse=True)

    def _combined_status(self, call: _Call) -> _Reply:
        sha = self._resolve_or_fail(call.params["ref"])
        return _Reply(
            200, obj.combined_status(self.site, sha, self._latest_statuses(sha), self._repo_json())
        )

    def _commit_pulls(self, call: _Call) -> _Reply:
        sha = self._resolve_or_fail(call.params["commit_sha"], status=422)
        pulls = []
        for issue in self._pulls():
            self._refresh(issue)
            assert issue.pull is not None
            if sha in (issue.pull.head_sha, issue.pull.merge_commit_sha):
                pulls.append(issue)
        pulls.sort(key=lambda i: i.number, reverse=True)
        return self._list(call, [self._pull_json(i, simple=True) for i in pulls])

    # -- handlers: git data ------------------------------------------------------------------

    def _compare(self, call: _Call) -> _Reply:
        base = self._resolve_or_fail(call.params["base"])
        head = self._resolve_or_fail(call.params["head"])
        merge_base = self._store.merge_base(base, head)
        if merge_base is None:
            raise _Fail(404, "No common ancestor between base and head")
        shas = self._store.commits_between(merge_base, head)
        chunk, headers = self._paginate(call, shas, per_page=250, maximum=1000)
        commits = [
            obj.commit(self.site, info) for sha in chunk if (info := self._store.read_commit(sha))
        ]
        files = [
            obj.diff_entry(self.site, c, head) for c in self._store.diff(merge_base, head)[:300]
        ]
        base_info, merge_info = self._store.read_commit(base), self._store.read_commit(merge_base)
        assert base_info and merge_info
        behind = len(self._store.commits_between(merge_base, base))
        spec = f"{call.params['base']}...{call.params['head']}"
        return _Reply(
            200,
            obj.comparison(
                self.site,
                spec,
                base=base_info,
                merge_base=merge_info,
                commits=commits,
                total=len(shas),
                behind=behind,
                files=files,
            ),
            headers,
        )

    def _ref_json(self, ref: str) -> JSON:
        sha = self._store.refs().get(ref)
        if sha is None:
            raise _Fail(404, "Not Found")
        return obj.git_ref(self.site, ref, sha, self._store.object_type(sha) or "commit")

    def _ref_get(self, call: _Call) -> _Reply:
        return _Reply(200, self._ref_json("refs/" + call.params["ref"]))

    def _ref_create(self, call: _Call) -> _Reply:
        ref, sha = call.arg("ref"), call.arg("sha")
        if not isinstance(ref, str) or not _REF_NAME.fullmatch(ref) or ".." in ref:
            raise _invalid("Reference", "ref", "custom", f"{ref} is not a valid ref name.")
        if not isinstance(sha, str) or self._store.read_commit(sha) is None:
            raise _invalid("Reference", "sha", "custom", "Object does not exist")
        if not self._store.cas_ref(ref, sha, None):
            raise _invalid("Reference", "ref", "already_exists", "Reference already exists")
        return _Reply(201, self._ref_json(ref))

    def _ref_update(self, call: _Call) -> _Reply:
        ref, sha = "refs/" + call.params["ref"], call.arg("sha")
        old = self._store.refs().get(ref)
        if old is None:
            raise _invalid("Reference", "ref", "custom", "Reference does not exist")
        if not isinstance(sha, str) or self._store.read_commit(sha) is None:
            raise _invalid("Reference", "sha", "custom", "Object does not exist")
        if not call.arg("force") and self._store.merge_base(old, sha) != old:
            raise _invalid("Reference", "sha", "custom", "Update is not a fast forward")
        if not self._store.cas_ref(ref, sha, old):
            raise _Fail(409, "Reference update failed")
        return _Reply(200, self._ref_json(ref))

    def _ref_delete(self, call: _Call) -> _Reply:
        ref = "refs/" + call.params["ref"]
        old = self._store.refs().get(ref)
        if old is None or not self._store.cas_ref(ref, None, old):
            raise _invalid("Reference", "ref", "custom", "Reference does not exist")
        return _Reply(204, None)

    def _blob_create(self, call: _Call) -> _Reply:
        content, encoding = call.arg("content"), call.arg("encoding", "utf-8")
        if not isinstance(content, str) or encoding not in ("utf-8", "base64"):
            raise _invalid("Blob", "content")
        try:
            data = base64.b64decode(content) if encoding == "base64" else content.encode()
        except binascii.Error:
            raise _invalid("Blob", "content", "custom", "invalid base64") from None
        return _Reply(201, obj.short_blob(self.site, self._store.write_blob(data)))

    def _tree_create(self, call: _Call) -> _Reply:
        base_tree = call.arg("base_tree")
        if base_tree is not None and self._store.object_type(base_tree) != "tree":
            raise _invalid("Tree", "base_tree", "custom", "base_tree is not a valid tree oid")
        edits: dict[str, TreeEntry | None] = {}
        for item in call.arg("tree") or []:
            path, mode, kind = item.get("path"), item.get("mode"), item.get("type")
            if "content" in item:
                edits[path] = TreeEntry(
                    mode, "blob", self._store.write_blob(str(item["content"]).encode())
                )
            elif item.get("sha") is None:
                edits[path] = None
            elif self._store.object_type(item["sha"]) != kind:
                raise _invalid("Tree", "tree.sha", "custom", f"{item['sha']} is not a {kind}")
            else:
                edits[path] = TreeEntry(mode, kind, item["sha"])
        sha = self._store.edit_tree(base_tree, edits)
        return _Reply(201, obj.git_tree(self.site, sha, self._store.read_tree(sha)))

    def _person(self, raw: Any, default: GitPerson) -> GitPerson:
        if not isinstance(raw, dict):
            return default
        return GitPerson(
            raw.get("name", default.name),
            raw.get("email", default.email),
            raw.get("date", default.date),
        )

    def _commit_create(self, call: _Call) -> _Reply:
        tree, parents = call.arg("tree"), call.arg("parents") or []
        if not isinstance(tree, str) or self._store.object_type(tree) != "tree":
            raise _invalid("Commit", "tree", "custom", "Tree SHA does not exist")
        if any(self._store.read_commit(p) is None for p in parents):
            raise _invalid("Commit", "parents", "custom", "Parent SHA does not exist")
        if call.arg("signature"):
            self._unsupported("signed commits")
        me = self._me(self._clock.tick())
        author = self._person(call.arg("author"), me)
        committer = self._person(call.arg("committer"), author)
        sha = self._store.write_commit(
            tree, list(parents), call.arg("message") or "", author, committer
        )
        info = self._store.read_commit(sha)
        assert info is not None
        return _Reply(201, obj.git_commit(self.site, info))

    def _commit_get(self, call: _Call) -> _Reply:
        info = self._store.read_commit(call.params["commit_sha"])
        if info is None:
            raise _Fail(404, "Not Found")
        return _Reply(200, obj.git_commit(self.site, info))

    # -- handlers: contents ------------------------------------------------------------------

    def _content_get(self, call: _Call) -> _Reply:
        ref = call.query.get("ref", self.default_branch)
        sha = self._store.resolve(ref)
        path = call.params["path"].strip("/")
        entry = self._store.lookup(sha, path) if sha else None
        if entry is None:
            raise _Fail(404, "Not Found")
        if entry.type == "blob":
            data = self._store.read_blob(entry.sha)
            return _Reply(200, obj.content_file(self.site, path, entry, ref, data))
        listing = []
        for name, child in sorted(self._store.read_tree(entry.sha).items()):
            child_path = f"{path}/{name}" if path else name
            size = len(self._store.read_blob(child.sha)) if child.type == "blob" else 0
            listing.append(obj.content_entry(self.site, child_path, child, ref, size))
        return _Reply(200, listing)

    def _content_put(self, call: _Call) -> _Reply:
        path = call.params["path"].strip("/")
        branch = call.arg("branch") or self.default_branch
        tip = self._store.branch(branch)
        if tip is None:
            raise _Fail(404, f"Branch {branch} not found")
        existing = self._store.lookup(tip, path)
        if existing is not None and call.arg("sha") is None:
            raise _invalid("Content", "sha", "missing_field", '"sha" wasn\'t supplied.')
        if existing is not None and call.arg("sha") != existing.sha:
            raise _Fail(409, f"{path} does not match {call.arg('sha')}")
        try:
            data = base64.b64decode(call.arg("content") or "", validate=True)
        except binascii.Error:
            raise _invalid("Content", "content", "custom", "content is not valid Base64") from None
        entry = TreeEntry("100644", "blob", self._store.write_blob(data))
        tip_info = self._store.read_commit(tip)
        assert tip_info is not None
        me = self._me(self._clock.tick())
        author = self._person(call.arg("author"), me)
        new = self._store.write_commit(
            self._store.edit_tree(tip_info.tree, {path: entry}),
            [tip],
            call.arg("message") or "",
            author,
            self._person(call.arg("committer"), author),
        )
        if not self._store.cas_ref(f"refs/heads/{branch}", new, tip):
            raise _Fail(409, f"{branch} was updated concurrently")
        info = self._store.read_commit(new)
        assert info is not None
        content = obj.content_entry(self.site, path, entry, branch, len(data))
        return _Reply(200 if existing else 201, obj.file_commit(self.site, content, info))

    # -- handlers: issues, labels, comments, reactions ---------------------------------------

    def _issue_list(self, call: _Call) -> _Reply:
        q = call.query
        for unsupported in ("mentioned", "type", "issue_field_values"):
            if unsupported in q:
                self._unsupported(f"issues/list-for-repo?{unsupported}=")
        wanted = [n.strip().casefold() for n in q.get("labels", "").split(",") if n.strip()]
        state = q.get("state", "open")
        # Nothing is ever assigned or milestoned here: only "none" (or no filter) matches.
        unassigned = all(q.get(k, "none") == "none" for k in ("assignee", "milestone"))
        issues = [
            i
            for i in self._state.issues.values()
            if unassigned
            and state in ("all", i.state)
            and q.get("creator", i.user) == i.user
            and all(w in {n.casefold() for n in i.labels} for w in wanted)
            and q.get("since", "") <= i.updated_at
        ]
        key = {
            "created": lambda i: (i.created_at, i.number),
            "updated": lambda i: (i.updated_at, i.number),
            "comments": lambda i: (self._comment_count(i.number), i.number),
        }
        issues.sort(
            key=key.get(q.get("sort", "created"), key["created"]),
            reverse=q.get("direction", "desc") == "desc",
        )
        chunk, headers = self._paginate(call, issues)
        return _Reply(200, [self._issue_json(i) for i in chunk], headers)

    def _issue_create(self, call: _Call) -> _Reply:
        title = call.arg("title")
        if title in (None, ""):
            raise _invalid("Issue", "title", "missing_field")
        self._check_body("Issue", call.arg("body"))
        self._check_title("Issue", call.arg("title"))
        for unsupported in ("assignee", "assignees", "milestone", "type"):
            if call.arg(unsupported):
                self._unsupported(f"issues/create {unsupported}")
        now = self._clock.tick()
        number = len(self._state.issues) + 1
        issue = IssueRec(
            self._next_id(),
            number,
            str(title),
            call.arg("body"),
            self.login,
            now,
            now,
            self._ensure_labels(call.arg("labels") or []),
        )
        self._state.issues[number] = issue
        return _Reply(201, self._issue_json(issue))

    def _issue_get(self, call: _Call) -> _Reply:
        return _Reply(200, self._issue_json(self._issue_or_404(call)))

    def _issue_update(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        self._check_body("Issue", call.arg("body"))
        self._check_title("Issue", call.arg("title"))
        for unsupported in ("assignee", "assignees", "milestone", "type"):
            if call.arg(unsupported):
                self._unsupported(f"issues/update {unsupported}")
        if call.arg("title") is not None:
            issue.title = str(call.arg("title"))
        if isinstance(call.body, dict) and "body" in call.body:
            issue.body = call.arg("body")
        if call.arg("labels") is not None:
            issue.labels = self._ensure_labels(call.arg("labels"))
        self._set_state(issue, call.arg("state"), call.arg("state_reason"))
        issue.updated_at = self._clock.tick()
        return _Reply(200, self._issue_json(issue))

    def _labels_add(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        raw = call.body if isinstance(call.body, list) else call.arg("labels") or []
        for name in self._ensure_labels(raw):
            if name not in issue.labels:
                issue.labels.append(name)
        issue.updated_at = self._clock.tick()
        return _Reply(200, [obj.label(self.site, rec) for rec in self._label_recs(issue.labels)])

    def _label_remove(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        wanted = call.params["name"].casefold()
        if wanted not in {n.casefold() for n in issue.labels}:
            raise _Fail(404, "Label does not exist")
        issue.labels = [n for n in issue.labels if n.casefold() != wanted]
        issue.updated_at = self._clock.tick()
        return _Reply(200, [obj.label(self.site, rec) for rec in self._label_recs(issue.labels)])

    def _label_list(self, call: _Call) -> _Reply:
        labels = sorted(self._state.labels.values(), key=lambda rec: rec.name.casefold())
        return self._list(call, [obj.label(self.site, rec) for rec in labels])

    def _label_create(self, call: _Call) -> _Reply:
        name = call.arg("name")
        if not isinstance(name, str) or not name:
            raise _invalid("Label", "name", "missing_field")
        if name.casefold() in self._state.labels:
            raise _invalid("Label", "name", "already_exists")
        rec = LabelRec(
            self._next_id(),
            name,
            str(call.arg("color") or "ededed").lstrip("#"),
            call.arg("description") or "",
        )
        self._state.labels[name.casefold()] = rec
        return _Reply(201, obj.label(self.site, rec))

    def _comment_json(self, rec: CommentRec) -> JSON:
        issue = self._state.issues[rec.number]
        reactions = [r for r in self._state.reactions if r.comment_id == rec.id]
        return obj.issue_comment(self.site, rec, issue.pull is not None, reactions)

    def _comment_list(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        since = call.query.get("since", "")
        comments = [
            c
            for c in self._state.comments.values()
            if c.number == issue.number and c.updated_at >= since
        ]
        return self._list(call, [self._comment_json(c) for c in comments])

    def _comment_create(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        body = call.arg("body")
        if not isinstance(body, str) or not body:
            raise _invalid("IssueComment", "body", "missing_field")
        self._check_body("IssueComment", body)
        now = self._clock.tick()
        rec = CommentRec(self._next_id(), issue.number, self.login, body, now, now)
        self._state.comments[rec.id] = rec
        issue.updated_at = now
        return _Reply(201, self._comment_json(rec))

    def _comment_or_404(self, call: _Call) -> CommentRec:
        raw = call.params["comment_id"]
        rec = self._state.comments.get(int(raw)) if raw.isdigit() else None
        if rec is None:
            raise _Fail(404, "Not Found")
        return rec

    def _comment_update(self, call: _Call) -> _Reply:
        rec = self._comment_or_404(call)
        body = call.arg("body")
        if not isinstance(body, str) or not body:
            raise _invalid("IssueComment", "body", "missing_field")
        self._check_body("IssueComment", body)
        rec.body, rec.updated_at = body, self._clock.tick()
        return _Reply(200, self._comment_json(rec))

    def _comment_reaction_create(self, call: _Call) -> _Reply:
        comment = self._comment_or_404(call)
        content = call.arg("content")
        if content not in obj.REACTIONS:
            raise _invalid("Reaction", "content")
        for rec in self._state.reactions:
            if (rec.comment_id, rec.user, rec.content) == (comment.id, self.login, content):
                return _Reply(200, obj.reaction(self.site, rec))
        now = self._clock.tick()
        rec = ReactionRec(self._next_id(), comment.number, self.login, content, now, comment.id)
        self._state.reactions.append(rec)
        return _Reply(201, obj.reaction(self.site, rec))

    def _reaction_list(self, call: _Call) -> _Reply:
        issue = self._issue_or_404(call)
        content = call.query.get("content")
        reactions = [
            r
            for r in self._state.reactions
            if r.number == issue.number and r.comment_id is None and content in (None, r.content)
        ]
        return self._list(call, [obj.reaction(self.site, r) for r in reactions])

    # -- handlers: pull requests -------------------------------------------------------------

    def _pull_list(self, call: _Call) -> _Reply:
        q = call.query
        state = q.get("state", "open")
        owner, colon, head = q.get("head", "").rpartition(":")
        # GitHub ignores a `head` without the `owner:` prefix (a classic bot bug).
        owner_matches = owner.casefold() == self.owner.casefold()
        pulls = []
        for issue in self._pulls():
            pr = issue.pull
            assert pr is not None
            if (
                state in ("all", issue.state)
                and q.get("base", pr.base) == pr.base
                and (not colon or (owner_matches and pr.head == head))
            ):
                pulls.append(issue)
        sort = q.get("sort", "created")
        if sort not in ("created", "updated"):
            self._unsupported(f"pulls/list?sort={sort}")
        field_ = "updated_at" if sort == "updated" else "created_at"
        default = "desc" if sort == "created" else "asc"
        pulls.sort(
            key=lambda i: (getattr(i, field_), i.number),
            reverse=q.get("direction", default) == "desc",
        )
        chunk, headers = self._paginate(call, pulls)
        return _Reply(200, [self._pull_json(i, simple=True) for i in chunk], headers)

    def _pull_create(self, call: _Call) -> _Reply:
        if call.arg("issue") is not None or call.arg("head_repo") is not None:
            self._unsupported("pulls/create from an issue or another repository")
        owner, colon, head = str(call.arg("head") or "").rpartition(":")
        base = str(call.arg("base") or "")
        title = call.arg("title")
        if not title:
            raise _invalid("PullRequest", "title", "missing_field")
        self._check_body("PullRequest", call.arg("body"))
        self._check_title("PullRequest", call.arg("title"))
        same_repo = not colon or owner.casefold() == self.owner.casefold()
        head_sha = self._store.branch(head) if same_repo else None
        base_sha = self._store.branch(base)
        if head_sha is None:
            raise _invalid("PullRequest", "head", "invalid")
        if base_sha is None:
            raise _invalid("PullRequest", "base", "invalid")
        if self._store.merge_base(head_sha, base_sha) == head_sha:
            raise _invalid("PullRequest", "head", "custom", f"No commits between {base} and {head}")
        self._no_duplicate_pull(head, base)
        now = self._clock.tick()
        number = len(self._state.issues) + 1
        pull = PullRec(
            self._next_id(),
            head,
            base,
            head_sha,
            base_sha,
            bool(call.arg("draft", False)),
            bool(call.arg("maintainer_can_modify", False)),
        )
        issue = IssueRec(
            self._next_id(), number, str(title), call.arg("body"), self.login, now, now, pull=pull
        )
        self._state.issues[number] = issue
        return _Reply(201, self._pull_json(issue))

    def _pull_get(self, call: _Call) -> _Reply:
        return _Reply(200, self._pull_json(self._pull_or_404(call)))

    def _pull_update(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        assert issue.pull is not None
        self._check_body("PullRequest", call.arg("body"))
        self._check_title("PullRequest", call.arg("title"))
        if call.arg("title") is not None:
            issue.title = call.arg("title")
        if isinstance(call.body, dict) and "body" in call.body:
            issue.body = call.arg("body")
        if call.arg("base") is not None:
            if self._store.branch(call.arg("base")) is None:
                raise _invalid("PullRequest", "base", "invalid")
            issue.pull.base = call.arg("base")
        if call.arg("maintainer_can_modify") is not None:
            issue.pull.maintainer_can_modify = bool(call.arg("maintainer_can_modify"))
        self._set_state(issue, call.arg("state"))
        issue.updated_at = self._clock.tick()
        return _Reply(200, self._pull_json(issue))

    def _pull_files(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        self._refresh(issue)
        assert issue.pull is not None
        changes = self._changes(issue.pull)[:3000]
        return self._list(
            call, [obj.diff_entry(self.site, c, issue.pull.head_sha) for c in changes]
        )

    def _pull_commits(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        self._refresh(issue)
        assert issue.pull is not None
        shas = self._store.commits_between(issue.pull.base_sha, issue.pull.head_sha)[:250]
        chunk, headers = self._paginate(call, shas)
        commits = [
            obj.commit(self.site, info) for sha in chunk if (info := self._store.read_commit(sha))
        ]
        return _Reply(200, commits, headers)

    def _reviewers_request(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        pr = issue.pull
        assert pr is not None
        if call.arg("team_reviewers"):
            self._unsupported("team review requests")
        logins = [str(login) for login in call.arg("reviewers") or []]
        for login in logins:
            if login.casefold() == issue.user.casefold():
                raise _Fail(422, "Review cannot be requested from pull request author.")
            if not self._is_collaborator(login):
                raise _Fail(
                    422,
                    "Reviews may only be requested from collaborators. One or more of the users "
                    "or teams you specified is not a collaborator of the "
                    f"{self.owner}/{self.repo} repository.",
                )
        for login in logins:
            if login.casefold() not in {u.casefold() for u in pr.requested_reviewers}:
                pr.requested_reviewers.append(login)
        issue.updated_at = self._clock.tick()
        return _Reply(201, self._pull_json(issue, simple=True))

    def _pull_update_branch(self, call: _Call) -> _Reply:
        """Merge the base branch into the head branch (at once: GitHub does it later)."""
        issue = self._pull_or_404(call)
        self._refresh(issue)
        pr = issue.pull
        assert pr is not None
        if issue.state != "open":
            raise _invalid("PullRequest", "state", "custom", "Pull request is closed.")
        if call.arg("expected_head_sha") not in (None, pr.head_sha):
            raise _Fail(422, "expected head sha didn't match current head ref.")
        if self._store.merge_base(pr.head_sha, pr.base_sha) == pr.base_sha:
            raise _Fail(422, "There are no new commits on the base branch.")
        tree = self._store.merge_trees(pr.head_sha, pr.base_sha)
        if tree is None:
            raise _Fail(422, "merge conflict between base and head")
        now = self._clock.tick()
        new = self._store.write_commit(
            tree,
            [pr.head_sha, pr.base_sha],
            f"Merge branch '{pr.base}' into {pr.head}",
            self._me(now),
            GitPerson("GitHub", "noreply@github.com", now),
        )
        if not self._store.cas_ref(f"refs/heads/{pr.head}", new, pr.head_sha):
            raise _Fail(422, "expected head sha didn't match current head ref.")
        pr.head_sha, issue.updated_at = new, now
        return _Reply(202, obj.update_branch_accepted(self.site, issue.number))

    def _review_list(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        reviews = [r for r in self._state.reviews if r.number == issue.number]
        return self._list(call, [obj.review(self.site, r) for r in reviews])

    def _pull_merge(self, call: _Call) -> _Reply:
        issue = self._pull_or_404(call)
        self._refresh(issue)
        pr = issue.pull
        assert pr is not None
        if issue.state != "open" or pr.merged_at:
            raise _Fail(405, "Pull Request is not mergeable")
        if pr.draft:
            raise _Fail(405, "Pull Request is still a draft")
        if call.arg("sha") not in (None, pr.head_sha):
            raise _Fail(409, "Head branch was modified. Review and try the merge again.")
        problem = self._protection_problem(pr)
        if problem:
            raise _Fail(405, problem)
        method = call.arg("merge_method", "merge")
        if method not in ("merge", "squash"):
            raise _Fail(
                405, f"Merge method {method} is not supported by FakeGitHub (only merge and squash)"
            )
        tree = self._store.merge_trees(pr.base_sha, pr.head_sha)
        if tree is None:
            raise _Fail(405, "Pull Request is not mergeable")
        if method == "merge":
            title = f"Merge pull request #{issue.number} from {self.owner}/{pr.head}"
            message, parents = issue.title, [pr.base_sha, pr.head_sha]
        else:
            title = f"{issue.title} (#{issue.number})"
            shas = self._store.commits_between(pr.base_sha, pr.head_sha)
            infos = [self._store.read_commit(s) for s in shas]
            message = "\n\n".join(f"* {i.message}" for i in infos if i)
            parents = [pr.base_sha]
        title = call.arg("commit_title") or title
        message = call.arg("commit_message", message)
        now = self._clock.tick()
        github_person = GitPerson("GitHub", "noreply@github.com", now)
        full = f"{title}\n\n{message}" if message else title
        new = self._store.write_commit(tree, parents, full, self._me(now), github_person)
        if not self._store.cas_ref(f"refs/heads/{pr.base}", new, pr.base_sha):
            raise _Fail(409, "Base branch was modified. Review and try the merge again.")
        pr.merged_at, pr.merge_commit_sha, pr.merged_by = now, new, self.login
        self._set_state(issue, "closed")
        return _Reply(200, obj.merge_result(new))

    # -- test helpers (plain Python, not HTTP) -----------------------------------------------

    def set_branch(self, name: str, sha: str | None = None) -> str:
        """Point refs/heads/<name> at `sha` (default: a new commit on the default branch)."""
        with self._lock:
            old = self._store.branch(name)
            if sha is None:
                tip = self._store.branch(self.default_branch)
                info = self._store.read_commit(tip) if tip else None
                if info is None or tip is None:
                    raise ValueError(f"default branch {self.default_branch} does not exist")
                me = self._me(self._clock.tick())
                sha = self._store.write_commit(info.tree, [tip], f"Work on {name}", me, me)
            if not self._store.cas_ref(f"refs/heads/{name}", sha, old):
                raise ValueError(f"cannot point {name} at {sha}")
            return sha

    def branch_sha(self, name: str) -> str | None:
        with self._lock:
            return self._store.branch(name)

    def add_review(
        self,
        number: int,
        user: str,
        state: str = "APPROVED",
        *,
        body: str = "",
        commit_id: str | None = None,
        association: str = "MEMBER",
    ) -> JSON:
        with self._lock:
            issue = self._state.issues[number]
            self._refresh(issue)
            assert issue.pull is not None, f"#{number} is not a pull request"
            rec = ReviewRec(
                self._next_id(),
                number,
                user,
                state,
                body,
                commit_id or issue.pull.head_sha,
                self._clock.tick(),
                association,
            )
            self._state.reviews.append(rec)
            pending = issue.pull.requested_reviewers
            pending[:] = [u for u in pending if u.casefold() != user.casefold()]
            return obj.review(self.site, rec)

    def add_reaction(self, number: int, user: str, content: str = "+1") -> JSON:
        if content not in obj.REACTIONS:
            raise ValueError(f"unknown reaction {content!r}")
        with self._lock:
            rec = ReactionRec(self._next_id(), number, user, content, self._clock.tick())
            self._state.reactions.append(rec)
            return obj.reaction(self.site, rec)

    def set_permission(self, user: str, role: str) -> None:
        """Give `user` a repository role (none, read, triage, write, maintain, admin).

        A user given any role but "none" is a collaborator (can be asked for reviews).
        """
        if role not in obj.ROLES:
            raise ValueError(f"unknown role {role!r} (one of {', '.join(obj.ROLES)})")
        with self._lock:
            self._state.roles[user.casefold()] = role

    def protect_branch(self, name: str, contexts: Sequence[str] = (), strict: bool = False) -> None:
        """Protect a branch: `contexts` must pass; with `strict`, on the latest base."""
        with self._lock:
            if self._store.branch(name) is None:
                raise ValueError(f"branch {name} does not exist")
            self._state.protections[name] = ProtectionRec(tuple(contexts), strict)

    def unprotect_branch(self, name: str) -> None:
        with self._lock:
            self._state.protections.pop(name, None)

    def requested_reviewers(self, number: int) -> list[str]:
        """Logins whose review is requested on pull request `number` and not yet given."""
        with self._lock:
            pull = self._state.issues[number].pull
            assert pull is not None, f"#{number} is not a pull request"
            return list(pull.requested_reviewers)

    def comment_reactions(self, comment_id: int) -> list[JSON]:
        with self._lock:
            return [
                obj.reaction(self.site, r)
                for r in self._state.reactions
                if r.comment_id == comment_id
            ]

    def pull(self, number: int) -> JSON:
        with self._lock:
            return self._pull_json(self._state.issues[number])

    def issue(self, number: int) -> JSON:
        with self._lock:
            return self._issue_json(self._state.issues[number])

    def issues_with_label(self, label: str) -> list[int]:
        """Numbers of issues and pull requests (any state) carrying `label`."""
        with self._lock:
            return sorted(
                i.number
                for i in self._state.issues.values()
                if label.casefold() in {n.casefold() for n in i.labels}
            )

    def check_runs(self, sha: str) -> list[JSON]:
        with self._lock:
            sha = self._store.resolve(sha) or sha
            return [self._check_json(r) for r in self._state.checks.values() if r.head_sha == sha]

    def statuses(self, sha: str) -> list[JSON]:
        with self._lock:
            sha = self._store.resolve(sha) or sha
            return [obj.status(self.site, r) for r in self._state.statuses if r.sha == sha]

    def comments(self, number: int) -> list[JSON]:
        with self._lock:
            return [
                self._comment_json(c) for c in self._state.comments.values() if c.number == number
            ]

    def close_pull(self, number: int) -> None:
        """Close a pull request without merging it, as a human would."""
        with self._lock:
            issue = self._state.issues[number]
            self._refresh(issue)
            self._set_state(issue, "closed")


def make_fake_github(git_dir: Path | str | None = None, **kwargs: Any) -> FakeGitHub:
    """A FakeGitHub (not yet started: use it in a `with` block)."""
    return FakeGitHub(git_dir=git_dir, **kwargs)


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started FakeGitHub with in-memory git; fails the test if it recorded problems."""
    with make_fake_github() as fake:
        yield fake
    fake.assert_clean()


@pytest.fixture
def fake_github_factory() -> Iterator[Callable[..., FakeGitHub]]:
    """Start fakes with arguments (e.g. `git_dir=`); each must be clean at teardown."""
    fakes: list[FakeGitHub] = []

    def start(git_dir: Path | str | None = None, **kwargs: Any) -> FakeGitHub:
        fakes.append(make_fake_github(git_dir, **kwargs).start())
        return fakes[-1]

    yield start
    for fake in fakes:
        fake.stop()
    for fake in fakes:
        fake.assert_clean()
