"""Ledger tampering as people could do it: commits that rewrite or append to the ledger."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from bot.core import canonical, ledger
from bot.model import trailers
from tests.repos import git

PATH = "ledgers/learning.jsonl"
LEARNBOT = ("learnbot", "learnbot@users.noreply.github.com")


def commit(repo: Path, data: bytes, message: str, author: tuple[str, str] = LEARNBOT) -> str:
    (repo / PATH).write_bytes(data)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": "2026-01-16T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-16T00:00:00Z",
    }
    git(repo, "add", PATH)
    subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD")


def learnbot_append(repo: Path, count: int) -> bytes:
    """What promote writes: entries appended, the trailer naming the new head."""
    old = (repo / PATH).read_bytes()
    tail = ledger.verify(old).tail
    sealed, new_tail = ledger.seal(
        [{"type": "promotion", "subject": f"s{tail.seq + i}", "pr": i + 1} for i in range(count)],
        tail,
    )
    line = trailers.ledger_line(count, "b" * 40, new_tail.sha256)
    commit(repo, old + sealed, f"learnbot: record {count} ledger entries\n\n{line}\n")
    return old + sealed


def lines(repo: Path) -> list[bytes]:
    return (repo / PATH).read_bytes().splitlines()


def join(parts: list[bytes]) -> bytes:
    return b"".join(p + b"\n" for p in parts)


def rehashed(parts: list[bytes], index: int, **changes: object) -> list[bytes]:
    """`parts` with entry `index` edited and every hash from there on recomputed."""
    entries = [json.loads(p) for p in parts]
    entries[index].update(changes)
    prev = entries[index - 1]["sha256"] if index else ledger.GENESIS
    for entry in entries[index:]:
        entry["prev"] = prev
        entry["sha256"] = ledger.entry_hash(entry)
        prev = entry["sha256"]
    return [canonical.encode(e) for e in entries]


PERSON = ("Mallory", "mallory@example.com")
Tamper = Callable[[list[bytes]], list[bytes]]

# The rewrites of acceptance #18, each with the line that history must name.
REWRITES: list[tuple[str, Tamper, int]] = [
    ("edit", lambda p: [*p[:2], p[2].replace(b'"s2"', b'"s9"'), *p[3:]], 3),
    ("delete", lambda p: p[:1] + p[2:], 2),
    ("insert", lambda p: [p[0], p[0], *p[1:]], 2),
    ("reorder", lambda p: [p[0], p[2], p[1], *p[3:]], 2),
    ("truncate", lambda p: p[:3], 4),
    ("rewrite-rehashed", lambda p: rehashed(p, 1, subject="approved-by-nobody"), 2),
]


def stray_trailer_squash(repo: Path) -> str:
    """A person's squash appending an entry, its message carrying a ledger trailer."""
    old = (repo / PATH).read_bytes()
    sealed, tail = ledger.seal(
        [{"type": "promotion", "subject": "forged"}], ledger.verify(old).tail
    )
    message = f"Tune things (#8)\n\n* tune\n\n{trailers.ledger_line(1, 'c' * 40, tail.sha256)}\n"
    return commit(repo, old + sealed, message, PERSON)


def forged_trailer_push(repo: Path) -> str:
    """A direct push in learnbot's name whose trailer names a head the ledger does not end at."""
    old = (repo / PATH).read_bytes()
    sealed, _ = ledger.seal([{"type": "promotion", "subject": "forged"}], ledger.verify(old).tail)
    forged = trailers.ledger_line(1, "c" * 40, "e" * 64)
    return commit(repo, old + sealed, f"learnbot: record 1 ledger entries\n\n{forged}\n")


def merged_rewrite(repo: Path, branch: str = "main") -> str:
    """A rewrite with every hash recomputed, merged through a normal pull request."""
    git(repo, "checkout", "--quiet", "-b", "cleanup")
    commit(repo, join(rehashed(lines(repo), 3, pr=99)), "fix a typo", PERSON)
    git(repo, "checkout", "--quiet", branch)
    git(
        repo, "merge", "--quiet", "--no-ff", "-m", "Merge pull request #7 from x/cleanup", "cleanup"
    )
    return git(repo, "rev-parse", "HEAD")
