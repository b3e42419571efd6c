"""GitPython at the edge: trees at a revision, commits with trailers, branches, push with retry."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import git
from git.exc import BadName, GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from bot.errors import GitError


class GitTreeFiles:
    """The files of one commit, read from git objects (never from the working tree)."""

    def __init__(self, repo: git.Repo, sha: str) -> None:
        self._tree = repo.commit(sha).tree
        self.sha = sha
        self.label = f"commit {sha[:12]}"

    def read(self, path: str) -> bytes | None:
        try:
            blob = self._tree / path
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        data: bytes = blob.data_stream.read()
        return data

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        try:
            tree = self._tree / directory.rstrip("/")
        except KeyError:
            return ()
        if tree.type != "tree":
            return ()
        return tuple(
            sorted(str(PurePosixPath(b.path)) for b in tree.blobs if b.name.endswith(suffix))
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
            raise GitError(f"{rev}: not a revision of {self.root.name}") from exc

    def files_at(self, rev: str) -> GitTreeFiles:
        """Read-only files of a revision."""
        return GitTreeFiles(self.repo, self.resolve(rev))

    def read_at(self, rev: str, path: str) -> bytes | None:
        """One file's bytes at a revision (None when absent, or when there is no such commit)."""
        try:
            return self.files_at(rev).read(path)
        except GitError:
            return None
