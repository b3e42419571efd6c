"""`check` on a pull request that is not learnbot's (#18): a branch that touches learned state or
`ledgers/` is checked all the same. It lists what changed; a change to the ledger fails, named
as a pure append or as a rewrite from its first changed line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import World
from tests.repos import commit_all, git
from tests.tampering import PATH, join, learnbot_append, lines, rehashed


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    built = World(tmp_path, "local", capsys)
    learnbot_append(built.repo, 3)
    git(built.repo, "push", "--quiet", "origin", "main")
    yield built  # type: ignore[misc]
    built.close_world()


def person_branch(world: World, edits: dict[str, bytes]) -> str:
    git(world.repo, "checkout", "--quiet", "-b", "people/tidy")
    for path, data in edits.items():
        (world.repo / path).write_bytes(data)
    sha = commit_all(world.repo, "tidy up")
    git(world.repo, "push", "--quiet", "origin", "people/tidy")
    git(world.repo, "checkout", "--quiet", "main")
    return sha


def tuned(world: World) -> bytes:
    text = (world.repo / "policies/momentum.yaml").read_text()
    return text.replace("version: 2", "version: 3").replace("value: 3.0", "value: 3.5", 1).encode()


def test_a_branch_touching_nothing_learned_passes_so_a_required_check_never_waits(
    world: World,
) -> None:
    sha = person_branch(world, {"NOTES.md": b"notes\n"})
    result = world.check("people/tidy")
    assert result.code == 0
    assert "changes no learned state and no ledger: nothing to check" in result.err
    (posted,) = world.checks(sha)
    assert posted["success"] and posted["title"] == "No learned state or ledger changed"
    assert "changes no learned state (policies/, cases/) and no ledger" in posted["summary"]


def test_a_persons_change_of_learned_state_is_listed_and_passes(world: World) -> None:
    sha = person_branch(world, {"policies/momentum.yaml": tuned(world)})
    result = world.check("people/tidy")
    assert result.code == 0, result.err
    (posted,) = world.checks(sha)
    assert posted["success"] and "ledger untouched" in posted["title"]
    assert (
        "`policies/momentum.yaml`: learned state, recorded as a manual change" in posted["summary"]
    )


def test_an_append_to_the_ledger_by_a_person_fails_as_a_pure_append(world: World) -> None:
    old = (world.repo / PATH).read_bytes()
    extra = learnbot_append(world.repo, 1)[len(old) :]
    git(world.repo, "reset", "--quiet", "--hard", "HEAD~1")
    sha = person_branch(world, {PATH: old + extra, "policies/momentum.yaml": tuned(world)})
    result = world.check("people/tidy")
    assert result.code == 1
    (posted,) = world.checks(sha)
    assert not posted["success"]
    assert "a pure append of 1 line(s), but not by learnbot" in posted["title"]
    assert "policies/momentum.yaml" in posted["summary"]


def test_a_rewrite_of_the_ledger_fails_at_its_first_changed_line(world: World) -> None:
    sha = person_branch(world, {PATH: join(rehashed(lines(world.repo), 1, pr=42))})
    result = world.check("people/tidy")
    assert result.code == 1
    (posted,) = world.checks(sha)
    assert "rewrites history from line 2" in posted["title"]
