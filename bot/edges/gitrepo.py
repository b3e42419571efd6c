"""GitPython at the edge: trees at a revision, commits with trailers, branches, push with retry."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import git
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError
from gitdb import IStream

from bot.edges.redact import scrub
from bot.errors import GitError, UnknownRevision
from bot.model import trailers as trailer


class GitTreeFiles:
    """The files of one commit, read from git objects (never from the working tree).

    Each folder's entries are indexed by name once: a lookup by path through GitPython parses
    every folder on the way again, which made reading N files of one folder quadratic (#17).
    """

    def __init__(self, repo: git.Repo, sha: str) -> None:
        self._tree = repo.commit(sha).tree
        self._folders: dict[str, dict[str, Any] | None] = {}
        self.sha = sha
        self.label = f"commit {sha[:12]}"

    def _entries(self, folder: str) -> dict[str, Any] | None:
        """The entries of `folder` ("" is the root) by name; None when it is no folder."""
        if folder not in self._folders:
            tree: Any = self._tree
            if folder:
                parent, _, name = folder.rpartition("/")
                above = self._entries(parent)
                tree = above.get(name) if above is not None else None
            found = tree is not None and tree.type == "tree"
            self._folders[folder] = {item.name: item for item in tree} if found else None
        return self._folders[folder]

    def read(self, path: str) -> bytes | None:
        parts = path.split("/")
        entries = self._entries("/".join(parts[:-1])) if "" not in parts else None
        name = parts[-1]
        blob = entries.get(name) if entries is not None else None
        if blob is None or blob.type != "blob":
            return None
        data: bytes = blob.data_stream.read()
        return data

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        folder = directory.rstrip("/")
        entries = self._entries(folder) if "" not in folder.split("/") else None
        if entries is None:
            return ()
        return tuple(
            sorted(
                str(PurePosixPath(item.path))
                for item in entries.values()
                if item.type == "blob" and item.name.endswith(suffix)
            )
        )


class GitRepo:
    """One local clone."""

    def __init__(self, path: Path) -> None:
        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except (InvalidGitRepositoryError, NoSuchPathError) as exc:
            raise GitError(
                f"{path}: not inside a git repository",
                hint="run learnbot inside a clone, or pass --repo DIR",
            ) from exc
        if self.repo.working_tree_dir is None:
            raise GitError(f"{path}: a bare repository has no working tree to run in")
        self.root = Path(self.repo.working_tree_dir)

    def resolve(self, rev: str) -> str:
        """The commit sha a revision names."""
        try:
            return str(self.repo.commit(rev).hexsha)
        except (BadName, ValueError, GitCommandError) as exc:
            raise UnknownRevision(f"{rev}: not a revision of {self.root.name}") from exc

    def files_at(self, rev: str) -> GitTreeFiles:
        """Read-only files of a revision."""
        return GitTreeFiles(self.repo, self.resolve(rev))

    def read_at(self, rev: str, path: str) -> bytes | None:
        """One file's bytes at a revision (None when absent, or when there is no such commit)."""
        try:
            return self.files_at(rev).read(path)
        except GitError:
            return None

    def as_of(self, rev: str, at: int) -> str | None:
        """The last commit on `rev`'s first-parent chain committed at or before `at`."""
        try:
            found = self.repo.git.rev_list("-1", "--first-parent", f"--before={at}", rev)
        except GitCommandError:
            return None
        return str(found).strip() or None


TOKEN_VARIABLE = "LEARNBOT_GIT_TOKEN"  # noqa: S105 - the name of a variable, not a secret
TOKEN_HELPER = (
    '!f() { test "$1" = get && echo username=x-access-token && echo "password=$'
    + TOKEN_VARIABLE
    + '"; }; f'
)


class PushRejected(GitError):
    """The remote refused a push (it moved on): fetch, rebuild and retry."""


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    """What promotion needs to know about one commit."""

    sha: str
    parents: tuple[str, ...]
    message: str
    author: str
    author_email: str
    committed_at: int
    trailers: Mapping[str, tuple[str, ...]]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def _git(repo: git.Repo, *args: str, env: Mapping[str, str] | None = None) -> str:
    try:
        if env:
            with repo.git.custom_environment(**env):
                return str(repo.git.execute(["git", *args]))
        return str(repo.git.execute(["git", *args]))
    except GitCommandError as exc:
        raise GitError(f"git {args[0]} failed: {scrub(str(exc.stderr or exc).strip())}") from exc


def _identity(author: Identity, at: int) -> dict[str, str]:
    stamp = f"{at} +0000"
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
        "GIT_COMMITTER_DATE": stamp,
    }


class Clone(GitRepo):
    """A clone with an `origin`: everything the loop does with git."""

    def run(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return _git(self.repo, *args, env=env)

    def fetch(self, *, token: str = "") -> None:
        """Bring every branch of origin up to date (prunes deleted ones).

        With a token, git asks a credential helper that reads it from the fetch's own
        environment: a checkout made with `persist-credentials: false` (the check, #18) can
        still fetch a private repository, and no token is written to `.git/config`."""
        args = ("fetch", "--quiet", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
        if not token:
            self.run(*args)
            return
        self.run("-c", f"credential.helper={TOKEN_HELPER}", *args, env={TOKEN_VARIABLE: token})

    def default_branch(self) -> str:
        """origin's HEAD; never assumed to be main.

        Without refs/remotes/origin/HEAD (a clone of an empty repository, a remote added by
        hand): origin's own HEAD when that branch exists, else `init.defaultBranch` when origin
        has it, else origin's only branch. What is found is recorded as origin/HEAD, so the
        next command knows it after more branches exist.
        """
        try:
            ref = self.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
            return ref.removeprefix("refs/remotes/origin/")
        except GitError:
            pass
        branches = self.remote_branches()
        candidates = [self._origin_head(), self._configured_default()]
        candidates += branches if len(branches) == 1 else []
        for candidate in candidates:
            if candidate in branches:
                self.run("remote", "set-head", "origin", candidate)
                return candidate
        found = ", ".join(branches) if branches else "none"
        raise GitError(
            f"cannot tell origin's default branch (refs/remotes/origin/HEAD is not set; "
            f"origin's branches: {found})",
            hint="push your default branch, then `git remote set-head origin BRANCH`",
        )

    def remote_branches(self) -> tuple[str, ...]:
        """origin's branches as last fetched."""
        listed = self.run("for-each-ref", "--format=%(refname)", "refs/remotes/origin/")
        names = (r.removeprefix("refs/remotes/origin/") for r in listed.splitlines())
        return tuple(sorted(n for n in names if n and n != "HEAD"))

    def _origin_head(self) -> str | None:
        try:
            listed = self.run("ls-remote", "--symref", "origin", "HEAD")
        except GitError:
            return None
        for line in listed.splitlines():
            target, _, name = line.partition("\t")
            if target.startswith("ref: refs/heads/") and name == "HEAD":
                return target.removeprefix("ref: refs/heads/")
        return None

    def _configured_default(self) -> str | None:
        try:
            return self.run("config", "--get", "init.defaultBranch") or None
        except GitError:
            return None

    def remote_sha(self, branch: str) -> str | None:
        """The sha of origin/<branch>, or None when it does not exist."""
        try:
            return self.run(
                "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}^{{commit}}"
            )
        except GitError:
            return None

    def info(self, sha: str) -> CommitInfo:
        commit = self.repo.commit(sha)
        message = str(commit.message)
        return CommitInfo(
            sha=commit.hexsha,
            parents=tuple(p.hexsha for p in commit.parents),
            message=message,
            author=str(commit.author.name),
            author_email=str(commit.author.email),
            committed_at=int(commit.committed_date),
            trailers=trailer.parse(message),
        )

    def _store(self, data: bytes) -> str:
        stream = IStream(b"blob", len(data), io.BytesIO(data))
        return str(self.repo.odb.store(stream).hexsha.decode())

    def commit(
        self,
        *,
        base: str,
        files: Mapping[str, bytes | None],
        message: str,
        author: Identity,
        at: int,
    ) -> str:
        """A commit on `base` with `files` replaced (None removes); no index or work tree touched.

        With the same inputs and time the sha is the same: pushing it again changes nothing.
        """
        with tempfile.TemporaryDirectory() as folder:
            index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            self.run("read-tree", base, env=index)
            for path, data in sorted(files.items()):
                if data is None:
                    self.run("update-index", "--force-remove", "--", path, env=index)
                else:
                    self.run(
                        "update-index",
                        "--add",
                        "--cacheinfo",
                        f"100644,{self._store(data)},{path}",
                        env=index,
                    )
            tree = self.run("write-tree", env=index)
        return self.run("commit-tree", tree, "-p", base, "-m", message, env=_identity(author, at))

    def push(self, sha: str, branch: str, *, lease: str | None = None, force: bool = False) -> None:
        """Push `sha` to origin's `branch`; with `force`, only if it still points at `lease`."""
        args = ["push", "--quiet", "--porcelain", "origin", f"{sha}:refs/heads/{branch}"]
        if force:
            args.insert(1, f"--force-with-lease=refs/heads/{branch}:{lease or ''}")
        try:
            self.repo.git.execute(["git", *args])
        except GitCommandError as exc:
            text = scrub(str(exc.stdout or "") + str(exc.stderr or ""))
            if "rejected" in text or "stale info" in text or "fetch first" in text:
                raise PushRejected(f"push to {branch} was rejected: origin moved on") from exc
            raise GitError(f"push to {branch} failed: {text.strip()}") from exc
        self.run("update-ref", f"refs/remotes/origin/{branch}", sha)

    def delete_remote_branch(self, branch: str) -> None:
        if self.remote_sha(branch) is not None:
            self.run("push", "--quiet", "origin", "--delete", branch)

    def merge_base(self, a: str, b: str) -> str:
        return self.run("merge-base", a, b)

    def changed_files(self, base: str, head: str) -> list[tuple[str, str, str]]:
        """(status, old path, new path) for each file that differs, renames detected."""
        out = self.run("diff", "--name-status", "-M", "--no-color", base, head)
        found = []
        for line in out.splitlines():
            parts = line.split("\t")
            status = parts[0][:1]
            found.append((status, parts[1], parts[-1]))
        return found

    def first_parents(self, since: str | None, until: str) -> list[str]:
        """Commits on the first-parent chain after `since` up to `until`, oldest first."""
        span = f"{since}..{until}" if since else until
        out = self.run("rev-list", "--first-parent", "--reverse", span)
        return out.split()

    def merge(self, base: str, head: str, *, message: str) -> str:
        """A real merge commit of `head` into `base` (no work tree needed); conflicts are errors."""
        try:
            tree = self.repo.git.execute(["git", "merge-tree", "--write-tree", base, head]).split()[
                0
            ]
        except GitCommandError as exc:
            raise GitError(
                f"merging {head[:12]} into {base[:12]} conflicts", hint="resolve it by hand"
            ) from exc
        return self.run("commit-tree", tree, "-p", base, "-p", head, "-m", message)

    def revert(self, sha: str, *, onto: str, message: str, author: Identity, at: int) -> str:
        """A commit on `onto` undoing `sha` (a merge: against its first parent), as `git revert`."""
        undo = self.run("commit-tree", f"{sha}^1^{{tree}}", "-p", sha, "-m", "undo")
        try:
            # onto and `undo` meet at `sha`: the three-way merge applies sha -> sha^1 to onto
            tree = self.run("merge-tree", "--write-tree", onto, undo).split()[0]
        except GitError as exc:
            raise GitError(
                f"reverting {sha[:12]} on {onto[:12]} conflicts", hint="revert it by hand"
            ) from exc
        return self.run("commit-tree", tree, "-p", onto, "-m", message, env=_identity(author, at))

    def sync_worktree(self, branch: str) -> bool:
        """Fast-forward the checked-out `branch` to origin's, when clean; True when it moved."""
        if (
            self.repo.head.is_detached
            or self.repo.active_branch.name != branch
            or self.repo.is_dirty()
        ):
            return False
        target = self.remote_sha(branch)
        if target is None or target == self.repo.head.commit.hexsha:
            return False
        self.run("merge", "--ff-only", "--quiet", f"refs/remotes/origin/{branch}")
        return True
