"""The commits that changed the ledgers, read from git for `ledger verify --history`."""

from __future__ import annotations

from git.exc import GitCommandError

from bot.edges.gitrepo import GitRepo
from bot.edges.redact import scrub
from bot.errors import GitError
from bot.model import trailers as trailer
from bot.model.ledger import LedgerChange


def ledger_changes(repo: GitRepo, rev: str, directory: str) -> list[LedgerChange]:
    """Every first-parent commit up to `rev` that changed a file under `directory`, each
    judged against its first parent (a merged pull request is one change), oldest first."""
    command = ["git", "log", "--first-parent", "--diff-merges=first-parent", "--reverse"]
    command += ["--name-only", "--format=%x1e%H%x1f%ae%x1f%B%x1f", repo.resolve(rev)]
    try:
        out = str(repo.repo.git.execute(command))
    except GitCommandError as exc:
        raise GitError(f"git log failed: {scrub(str(exc.stderr or exc).strip())}") from exc
    found = []
    for record in out.split("\x1e")[1:]:
        sha, email, message, names = record.split("\x1f", 3)
        for path in sorted(n for n in names.split() if n.startswith(f"{directory}/")):
            before = repo.read_at(f"{sha}^1", path) or b""
            after = repo.read_at(sha, path) or b""
            found.append(LedgerChange(sha, email, trailer.parse(message), path, before, after))
    return found
