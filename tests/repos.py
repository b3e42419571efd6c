"""Git helpers for tests: real repositories in temp dirs, each with a bare `origin`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATHS = ("policies", "cases", "ledgers", ".github/learnbot.yml")


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its stdout (raises on failure)."""
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def copy_example(target: Path) -> Path:
    """Copy the repository's example learned state into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_PATHS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, target / name, ignore=shutil.ignore_patterns("*.py", "__pycache__")
            )
        elif source.exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def make_repo(
    path: Path, *, example: bool = True, branch: str = "main", date: str = "2026-01-15T00:00:00Z"
) -> Path:
    """A clone at `path` of a bare `origin` next to it, holding the example state in one commit."""
    origin = path.parent / f"{path.name}-origin.git"
    git(path.parent, "init", "--bare", "--initial-branch", branch, str(origin))
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--initial-branch", branch)
    git(path, "remote", "add", "origin", str(origin))
    if example:
        copy_example(path)
    else:
        (path / "README.md").write_text("empty\n")
    commit_all(path, "Initial learned state", date=date)
    git(path, "push", "--quiet", "origin", branch)
    git(path, "remote", "set-head", "origin", branch)
    return path


def commit_all(path: Path, message: str, *, date: str = "2026-01-15T00:00:00Z") -> str:
    """Stage everything and commit with a fixed date; return the sha."""
    git(path, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=path, check=True, env=env)
    return git(path, "rev-parse", "HEAD")
