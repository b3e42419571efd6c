"""Shared fixtures: a clean git environment, and repositories made from the example state."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.repos import make_repo


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the caller's git config, Actions variables, tokens or caches."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "INPUT_", "LEARNBOT_", "RUNNER_", "GIT_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A clone of the example state with a bare origin."""
    yield make_repo(tmp_path / "work")


@pytest.fixture(params=["local", "github"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Any]:
    """The example repository with its forge: the local one, or the fake GitHub on its origin."""
    from tests.harness import World

    built = World(tmp_path, request.param, capsys)
    yield built
    built.close_world()
