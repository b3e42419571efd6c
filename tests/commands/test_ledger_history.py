"""`ledger verify --history`: the ledger anchored to the commits that wrote it (#18).

Every tampering merges or pushes like any commit and leaves a chain that verifies on its own;
history names the commit and the first line it broke."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import ledger
from bot.model import trailers
from tests.harness import World
from tests.repos import git, make_repo
from tests.tampering import (
    LEARNBOT,
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
def repo(tmp_path: Path) -> Path:
    built = make_repo(tmp_path / "work")
    learnbot_append(built, 3)
    learnbot_append(built, 2)
    return built


def history(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["ledger", "verify", "--history", "--repo", str(repo)])
    return code, capsys.readouterr().out.splitlines()


def test_learnbots_own_appends_verify(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert history(repo, capsys) == (0, [])


@pytest.mark.parametrize(
    ("tamper", "line"), [(t, n) for _, t, n in REWRITES], ids=[i for i, _, _ in REWRITES]
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
    merge = merged_rewrite(repo)
    code, out = history(repo, capsys)
    assert code == 1
    assert out == [f"{PATH}:4: {merge[:12]}: rewrites history: a ledger commit may only append"]


def test_a_squash_carrying_a_stray_trailer_is_not_learnbots(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = stray_trailer_squash(repo)
    code, out = history(repo, capsys)
    assert code == 1
    assert out == [f"{PATH}:6: {bad[:12]}: appended by mallory@example.com, not by learnbot"]


def test_a_forged_trailer_on_a_direct_push_names_the_wrong_head(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = forged_trailer_push(repo)
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


def test_a_commit_in_learnbots_name_whose_trailer_names_no_ledger_head_hides_nothing(
    world: World,
) -> None:
    """Finding 3 of #18: the last recorded point is a ledger commit whose trailer names the head
    the ledger ends at in that commit; learnbot's name and a trailer block are not enough."""
    world.change_main(
        "policies/momentum.yaml",
        lambda t: t.replace("version: 2", "version: 3").replace("value: 3.0", "value: 3.5", 1),
        "Tune momentum",
    )
    (world.repo / "NOTES.md").write_text("notes\n")
    git(world.repo, "add", "NOTES.md")
    forged = trailers.ledger_line(1, "c" * 40, "e" * 64)
    subprocess.run(
        ["git", "commit", "--quiet", "-m", f"learnbot: record 1 ledger entries\n\n{forged}"],
        cwd=world.repo,
        check=True,
        env={**os.environ, "GIT_AUTHOR_NAME": LEARNBOT[0], "GIT_AUTHOR_EMAIL": LEARNBOT[1]},
    )
    git(world.repo, "push", "--quiet", "origin", "main")
    result = world.learnbot("promote")
    assert result.code == 0, result.err
    assert "nothing new to record" not in result.err
    (entry,) = world.ledger()
    assert entry["type"] == "manual_change" and entry["files"] == ["policies/momentum.yaml"]
