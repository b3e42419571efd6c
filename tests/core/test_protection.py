"""Branch protection rules as values."""

from __future__ import annotations

import pytest

from bot.core.protection import CheckSeen, problems, touches_learned_state

HEAD = "a" * 40
NAME = "learnbot/stabilization"


def test_protection_allows_a_passed_check_on_the_current_state() -> None:
    assert (
        problems(CheckSeen(True, "Gate passed", "b" * 40), name=NAME, head=HEAD, stale=False) == ()
    )


@pytest.mark.parametrize(
    ("check", "stale", "expected"),
    [
        (None, False, f"check {NAME} is missing on aaaaaaaaaaaa"),
        (None, True, f"check {NAME} is missing on aaaaaaaaaaaa"),
        (
            CheckSeen(False, "Gate failed: x"),
            False,
            f"check {NAME} failed on aaaaaaaaaaaa: Gate failed: x",
        ),
        (
            CheckSeen(True, "Gate passed", "c" * 40),
            True,
            f"check {NAME} ran on an older base (cccccccccccc): the learned state changed since",
        ),
        (
            CheckSeen(True, "Gate passed"),
            True,
            f"check {NAME} ran on an older base: the learned state changed since",
        ),
    ],
)
def test_protection_names_what_a_merge_would_skip(
    check: CheckSeen | None, stale: bool, expected: str
) -> None:
    assert problems(check, name=NAME, head=HEAD, stale=stale) == (expected,)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["policies/a.yaml"], True),
        (["README.md", "cases/data/x.jsonl"], True),
        (["ledgers/learning.jsonl", "README.md"], False),
        ([], False),
    ],
)
def test_protection_learned_state_is_policies_and_cases(paths: list[str], expected: bool) -> None:
    assert touches_learned_state(paths) is expected
