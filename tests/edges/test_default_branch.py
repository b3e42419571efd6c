"""origin's default branch when refs/remotes/origin/HEAD is missing: never assumed to be main."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.edges.gitrepo import Clone
from bot.errors import GitError
from tests.repos import commit_all, git


def clone_without_head(tmp_path: Path, *, origin_head: str, branches: tuple[str, ...]) -> Clone:
    """A clone whose origin holds `branches` (first pushed first) and no origin/HEAD."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch", origin_head, str(origin))
    work = tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--initial-branch", branches[0], str(work))
    git(work, "remote", "add", "origin", str(origin))
    (work / "f").write_text("x\n")
    commit_all(work, "first")
    for branch in branches:
        git(work, "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
    clone = Clone(work)
    clone.fetch()
    return clone


def head_ref(clone: Clone) -> str:
    return git(clone.root, "symbolic-ref", "refs/remotes/origin/HEAD")


def test_default_branch_is_origins_head_when_that_branch_exists(tmp_path: Path) -> None:
    clone = clone_without_head(tmp_path, origin_head="trunk", branches=("dev", "trunk"))
    assert clone.default_branch() == "trunk"
    assert head_ref(clone) == "refs/remotes/origin/trunk"  # recorded for the next command


def test_default_branch_is_the_only_branch_when_origins_head_dangles(tmp_path: Path) -> None:
    clone = clone_without_head(tmp_path, origin_head="master", branches=("main",))
    assert clone.default_branch() == "main"
    git(clone.root, "push", "--quiet", "origin", "HEAD:refs/heads/learnbot/x")
    clone.fetch()
    assert clone.default_branch() == "main"  # remembered once more branches exist


def test_default_branch_from_init_default_branch(tmp_path: Path) -> None:
    clone = clone_without_head(tmp_path, origin_head="master", branches=("develop", "prod"))
    git(clone.root, "config", "init.defaultBranch", "prod")
    assert clone.default_branch() == "prod"


def test_default_branch_unknown_names_origins_branches(tmp_path: Path) -> None:
    clone = clone_without_head(tmp_path, origin_head="master", branches=("develop", "prod"))
    with pytest.raises(GitError, match=r"origin's branches: develop, prod") as caught:
        clone.default_branch()
    assert "set-head" in (caught.value.hint or "")
