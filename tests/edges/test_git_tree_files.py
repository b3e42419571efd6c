"""A commit's files read from git objects: folders indexed once, the same answers as by path."""

from __future__ import annotations

from pathlib import Path

from bot.edges.gitrepo import GitRepo
from tests.repos import commit_all, git


def test_git_tree_files_reads_a_commit_not_the_working_tree(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch", "main")
    (repo / "cases" / "data").mkdir(parents=True)
    for i in range(30):
        (repo / "cases" / f"c{i:02d}.yaml").write_text(f"id: c{i:02d}\n")
    (repo / "cases" / "data" / "a.jsonl").write_text("{}\n")
    (repo / "top.txt").write_text("top\n")
    sha = commit_all(repo, "state")
    (repo / "cases" / "c00.yaml").write_text("changed in the working tree\n")
    files = GitRepo(repo).files_at(sha)
    assert files.read("cases/c00.yaml") == b"id: c00\n"
    assert files.read("cases/c29.yaml") == b"id: c29\n"
    assert files.read("cases/data/a.jsonl") == b"{}\n"
    assert files.read("top.txt") == b"top\n"
    for absent in (
        "cases/c99.yaml",
        "cases",
        "cases/data",
        "top.txt/x",
        "",
        "/top.txt",
        "cases//c00.yaml",
        "cases/../top.txt",
        "nowhere/c00.yaml",
    ):
        assert files.read(absent) is None, absent
    listed = files.listdir("cases", ".yaml")
    assert listed == tuple(f"cases/c{i:02d}.yaml" for i in range(30))
    assert files.listdir("cases/") == listed
    assert files.listdir("cases/data") == ("cases/data/a.jsonl",)
    for absent in ("", "/", "top.txt", "nowhere", "cases//data"):
        assert files.listdir(absent) == (), absent
