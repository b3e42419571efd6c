"""`ledger verify --history`: the ledger anchored to the commits that wrote it (#18).

Every tampering merges or pushes like any commit and leaves a chain that verifies on its own;
history names the commit and the first line it broke."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import canonical, ledger
from bot.model import trailers
from tests.harness import World
from tests.repos import git, make_repo

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


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    built = make_repo(tmp_path / "work")
    learnbot_append(built, 3)
    learnbot_append(built, 2)
    return built


def history(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["ledger", "verify", "--history", "--repo", str(repo)])
    return code, capsys.readouterr().out.splitlines()


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


def test_learnbots_own_appends_verify(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert history(repo, capsys) == (0, [])


PERSON = ("Mallory", "mallory@example.com")
Tamper = Callable[[list[bytes]], list[bytes]]


@pytest.mark.parametrize(
    ("tamper", "line"),
    [
        (lambda p: [*p[:2], p[2].replace(b'"s2"', b'"s9"'), *p[3:]], 3),  # edit
        (lambda p: p[:1] + p[2:], 2),  # delete
        (lambda p: [p[0], p[0], *p[1:]], 2),  # insert
        (lambda p: [p[0], p[2], p[1], *p[3:]], 2),  # reorder
        (lambda p: p[:3], 4),  # truncate
        (lambda p: rehashed(p, 1, subject="approved-by-nobody"), 2),  # recomputed hashes
    ],
    ids=["edit", "delete", "insert", "reorder", "truncate", "rewrite-rehashed"],
)
def test_a_rewrite_is_named_at_its_commit_and_line(
    repo: Path, capsys: pytest.CaptureFixture[str], tamper: Tamper, line: int
) -> None:
    bad = commit(repo, join(tamper(lines(repo))), "tidy the ledger", PERSON)
    code, out = history(repo, capsys)
    assert code == 1
    assert out == [f"{PATH}:{line}: {bad[:12]}: rewrites history: a ledger commit may only append"]


def test_a_rewrite_merged_through_a_normal_pull_request_is_named_at_the_merge(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "checkout", "--quiet", "-b", "cleanup")
    commit(repo, join(rehashed(lines(repo), 3, pr=99)), "fix a typo", PERSON)
    git(repo, "checkout", "--quiet", "main")
    git(
        repo, "merge", "--quiet", "--no-ff", "-m", "Merge pull request #7 from x/cleanup", "cleanup"
    )
    merge = git(repo, "rev-parse", "HEAD")
    code, out = history(repo, capsys)
    assert code == 1
    assert out == [f"{PATH}:4: {merge[:12]}: rewrites history: a ledger commit may only append"]


def test_a_squash_carrying_a_stray_trailer_is_not_learnbots(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (repo / PATH).read_bytes()
    sealed, tail = ledger.seal(
        [{"type": "promotion", "subject": "forged"}], ledger.verify(old).tail
    )
    message = f"Tune things (#8)\n\n* tune\n\n{trailers.ledger_line(1, 'c' * 40, tail.sha256)}\n"
    bad = commit(repo, old + sealed, message, PERSON)
    code, out = history(repo, capsys)
    assert code == 1
    assert out == [f"{PATH}:6: {bad[:12]}: appended by mallory@example.com, not by learnbot"]


def test_a_forged_trailer_on_a_direct_push_names_the_wrong_head(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (repo / PATH).read_bytes()
    sealed, _ = ledger.seal([{"type": "promotion", "subject": "forged"}], ledger.verify(old).tail)
    forged = trailers.ledger_line(1, "c" * 40, "e" * 64)
    bad = commit(repo, old + sealed, f"learnbot: record 1 ledger entries\n\n{forged}\n")
    code, out = history(repo, capsys)
    assert code == 1
    assert out[0].startswith(f"{PATH}:6: {bad[:12]}: the trailer names head eeeeeeeeeeeeeeee")


def test_an_append_without_the_trailer_is_not_a_ledger_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (repo / PATH).read_bytes()
    sealed, _ = ledger.seal([{"type": "promotion", "subject": "x"}], ledger.verify(old).tail)
    bad = commit(repo, old + sealed, "learnbot: record 1 ledger entries\n\nLearnbot-Ledger: 1")
    code, out = history(repo, capsys)
    assert (code, out) == (
        1,
        [f"{PATH}:6: {bad[:12]}: appended without one Learnbot-Ledger trailer naming its head"],
    )


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    built = World(tmp_path, "local", capsys)
    yield built  # type: ignore[misc]
    built.close_world()


def test_promote_writes_ledger_commits_that_verify_against_history(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.run()
    for pull in list(world.open_pulls().values())[:1]:
        world.merge(pull["number"])
    assert world.learnbot("promote").code == 0
    git(world.repo, "checkout", "--quiet", "main")
    git(world.repo, "pull", "--quiet", "--ff-only", "origin", "main")
    assert world.ledger()
    capsys.readouterr()
    assert main(["ledger", "verify", "--history", "--repo", str(world.repo)]) == 0
    assert "0 not learnbot's append" in capsys.readouterr().err


def test_a_persons_commit_with_a_ledger_line_does_not_hide_earlier_changes(
    world: World,
) -> None:
    world.change_main(
        "policies/momentum.yaml",
        lambda t: t.replace("version: 2", "version: 3").replace("value: 3.0", "value: 3.5", 1),
        "Tune momentum\n\nLearnbot-Ledger: 9 entries through abc",
    )
    result = world.learnbot("promote")
    assert result.code == 0, result.err
    assert "nothing new to record" not in result.err
    assert any(e.get("commit") or e.get("subject") for e in world.ledger())
