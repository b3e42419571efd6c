"""`promote` checks the ledger against git history on every push (#18): a change to `ledgers/`
that is not learnbot's append is recorded once as a `tamper` entry naming the commit and the
line, and fails the job visibly (annotation, step summary, exit code). A chain too broken to
extend is reported the same way, and nothing is appended to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.harness import Outcome, World
from tests.repos import git
from tests.tampering import (
    PATH,
    PERSON,
    REWRITES,
    Tamper,
    commit,
    forged_trailer_push,
    join,
    learnbot_append,
    lines,
    merged_rewrite,
    stray_trailer_squash,
)


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    built = World(tmp_path, "local", capsys)
    learnbot_append(built.repo, 3)
    learnbot_append(built.repo, 2)
    git(built.repo, "push", "--quiet", "origin", "main")
    yield built  # type: ignore[misc]
    built.close_world()


def promote(world: World, tmp_path: Path) -> tuple[Outcome, str]:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = world.learnbot("promote", env=env)
    return result, summary.read_text() if summary.exists() else ""


def pushed(world: World, make: Callable[[Path], str]) -> str:
    sha = make(world.repo)
    git(world.repo, "push", "--quiet", "origin", "main")
    return sha


def test_learnbots_own_appends_record_nothing(world: World, tmp_path: Path) -> None:
    result, summary = promote(world, tmp_path)
    assert result.code == 0, result.err
    assert "nothing new to record" in result.err and summary == ""
    assert len(world.ledger()) == 5


CHAIN_INTACT = {"truncate", "rewrite-rehashed"}


@pytest.mark.parametrize(
    ("tamper", "line"),
    [(t, n) for i, t, n in REWRITES if i in CHAIN_INTACT],
    ids=[i for i, _, _ in REWRITES if i in CHAIN_INTACT],
)
def test_a_rewrite_that_still_verifies_is_recorded_as_tamper(
    world: World, tmp_path: Path, tamper: Tamper, line: int
) -> None:
    bad = pushed(world, lambda r: commit(r, join(tamper(lines(r))), "tidy the ledger", PERSON))
    result, summary = promote(world, tmp_path)
    assert result.code == 1, result.err
    recorded = world.ledger()[-1]
    assert recorded["type"] == "tamper"
    assert (recorded["commit"], recorded["file"], recorded["line"]) == (bad, PATH, line)
    assert recorded["reason"] == "rewrites history: a ledger commit may only append"
    assert "tamper" in result.out and f"changed by {bad[:12]}" in result.out  # the ledger table
    assert f"::error file={PATH},line={line}::{bad[:12]}: rewrites history" in result.out
    assert "### The ledger was changed outside learnbot" in summary and bad[:12] in summary


@pytest.mark.parametrize(
    ("tamper", "line"),
    [(t, n) for i, t, n in REWRITES if i not in CHAIN_INTACT],
    ids=[i for i, _, _ in REWRITES if i not in CHAIN_INTACT],
)
def test_a_broken_chain_is_reported_at_its_commit_and_line_and_never_extended(
    world: World, tmp_path: Path, tamper: Tamper, line: int
) -> None:
    bad = pushed(world, lambda r: commit(r, join(tamper(lines(r))), "tidy the ledger", PERSON))
    before = world.file_on_main(PATH)
    result, summary = promote(world, tmp_path)
    assert result.code == 1
    assert f"{PATH}:{line}: {bad[:12]}: rewrites history" in result.err
    assert f"::error file={PATH},line={line}::" in result.out
    assert "not recorded: the chain is broken" in summary
    assert world.file_on_main(PATH) == before


SCENARIOS: list[tuple[str, Callable[[Path], str], int, str]] = [
    ("merged-rewrite", merged_rewrite, 4, "rewrites history: a ledger commit may only append"),
    ("stray-trailer-squash", stray_trailer_squash, 6, "appended by mallory@example.com"),
    ("forged-trailer-push", forged_trailer_push, 6, "the trailer names head eeeeeeeeeeeeeeee"),
]


@pytest.mark.parametrize(
    ("make", "line", "reason"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS]
)
def test_a_change_learnbot_did_not_write_is_recorded_once(
    world: World, tmp_path: Path, make: Callable[[Path], str], line: int, reason: str
) -> None:
    bad = pushed(world, make)
    result, _ = promote(world, tmp_path)
    assert result.code == 1, result.err
    (recorded,) = [e for e in world.ledger() if e["type"] == "tamper"]
    assert (recorded["commit"], recorded["line"]) == (bad, line)
    assert recorded["reason"].startswith(reason)
    second = world.learnbot("promote")
    assert second.code == 0, second.err
    assert "1 change(s) to ledgers/ already recorded as tamper" in second.err
    assert [e["type"] for e in world.ledger()].count("tamper") == 1
