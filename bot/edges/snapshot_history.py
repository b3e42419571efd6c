"""A snapshot's pinned version, found in git history: what `learnbot pin` compares against."""

from __future__ import annotations

import hashlib
from pathlib import Path

from git import GitCommandError

from bot.edges.gitrepo import GitRepo
from bot.errors import GitError

SEARCHED_COMMITS = 200


def pinned_version(root: Path, path: str, sha256: str) -> bytes | None:
    """The bytes of `path` hashing to `sha256` in its last commits (None when not found)."""
    try:
        repo = GitRepo(root)
        found = repo.repo.git.log(f"-{SEARCHED_COMMITS}", "--format=%H", "--", path)
    except (GitError, GitCommandError, ValueError):
        return None
    for commit in str(found).split():
        data = repo.read_at(commit, path)
        if data is not None and hashlib.sha256(data).hexdigest() == sha256:
            return data
    return None
