"""Repository-relative paths and branch prefixes that cannot escape or break anything."""

from __future__ import annotations

import pytest

from bot.core.paths import is_inside, path_problem, ref_prefix_problem


@pytest.mark.parametrize(
    "path", ["cases/a.yaml", "a", ".github/learnbot.yml", "a/b..c/d", "cases/labels/"]
)
def test_paths_inside_the_repository(path: str) -> None:
    assert path_problem(path) == "" and is_inside(path)


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("", "must be a relative path inside the repository"),
        ("/etc/passwd", "must be a relative path inside the repository"),
        ("cases\\a.yaml", "must be a relative path inside the repository"),
        ("cases/a\x00.yaml", "must be a relative path inside the repository"),
        ("../outside", "must not contain '.', '..' or empty steps"),
        ("cases/../../outside", "must not contain '.', '..' or empty steps"),
        ("./cases", "must not contain '.', '..' or empty steps"),
        ("cases//a", "must not contain '.', '..' or empty steps"),
    ],
)
def test_paths_that_escape_or_are_not_clean_are_refused(path: str, problem: str) -> None:
    assert path_problem(path) == f"{path!r} {problem}"
    assert not is_inside(path)


@pytest.mark.parametrize("prefix", ["learnbot/", "bots/learn-", "a.b/c", "", "x"])
def test_paths_branch_prefixes_git_accepts(prefix: str) -> None:
    assert ref_prefix_problem(prefix) == ""


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("learn bot/", " is not a valid branch name prefix (it contains ' ')"),
        ("a~b:c/", " is not a valid branch name prefix (it contains '~', ':')"),
        ("a..b/", " is not a valid branch name prefix (it contains '..')"),
        ("a@{b", " is not a valid branch name prefix (it contains '@{')"),
        ("a\tb/", " is not a valid branch name prefix (it contains a control character)"),
        ("a\x7fb/", " is not a valid branch name prefix (it contains a control character)"),
        (".hidden/", ": a branch name component may not start with '.' or end with '.' or '.lock'"),
        ("bots/x./", ": a branch name component may not start with '.' or end with '.' or '.lock'"),
        ("x.lock/y", ": a branch name component may not start with '.' or end with '.' or '.lock'"),
        ("-x/", " may not start with '-' or '/'"),
        ("/x/", " may not start with '-' or '/'"),
    ],
)
def test_paths_branch_prefixes_git_refuses_say_why(prefix: str, problem: str) -> None:
    assert ref_prefix_problem(prefix) == f"{prefix!r}{problem}"
