"""Event payloads are checked before any field is read: a malformed one is bad input, not a bug."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness import World

PULL = {"number": 1, "head": {"sha": "a" * 40, "ref": "learnbot/x"}, "base": {"ref": "main"}}


@pytest.fixture
def github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    (tmp_path / "w").mkdir()
    built = World(tmp_path / "w", "github", capsys)
    yield built
    built.close_world()


@pytest.mark.parametrize(
    ("command", "event", "payload", "field"),
    [
        ("promote", "push", {"head_commit": "abc"}, "/head_commit: must be an object"),
        ("promote", "push", {"head_commit": {"timestamp": 5}}, "/head_commit/timestamp"),
        ("promote", "push", {"repository": ["x"]}, "/repository: must be an object"),
        ("promote", "push", {"repository": {"default_branch": 1}}, "/repository/default_branch"),
        ("check", "pull_request", {"pull_request": []}, "/pull_request: must be an object"),
        ("check", "pull_request", {"pull_request": {"number": 1}}, "/pull_request/head: required"),
        (
            "check",
            "pull_request",
            {"pull_request": {**PULL, "head": {"sha": 5, "ref": "x"}}},
            "/pull_request/head/sha",
        ),
        (
            "promote",
            "pull_request",
            {"pull_request": {**PULL, "closed_at": ["2026"]}},
            "/pull_request/closed_at",
        ),
        ("run", "schedule", {"pull_request": "1"}, "/pull_request: must be an object"),
    ],
)
def test_a_malformed_payload_is_bad_input_naming_the_field(
    github: World, tmp_path: Path, command: str, event: str, payload: Any, field: str
) -> None:
    result = github.in_actions(command, event, payload, tmp_path)
    assert result.code == 2, result.err
    assert "event payload" in result.err and field in result.err
    assert "Traceback" not in result.err
    assert github.fake is not None and not github.fake.writes()
