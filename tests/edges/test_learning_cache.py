"""The learning cache's files: an entry is used only when it is whole and written for its key."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import resolve
from bot.edges.learning_cache import LearningCache

KEY = "a" * 64
OTHER = "b" * 64
CONTENT = {"outcome": {"subject": "miss_1", "score": 0.1 + 0.2}, "notes": ["é", "x"]}


def test_learning_cache_gives_back_what_it_kept(tmp_path: Path) -> None:
    cache = LearningCache(tmp_path)
    assert cache.read(KEY) is None
    cache.write(KEY, CONTENT)
    assert cache.read(KEY) == CONTENT
    assert cache.read(OTHER) is None
    assert not list(cache.entry(KEY).parent.glob("*.tmp"))


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "not json at all",
        lambda text: json.dumps([1, 2]),
        lambda text: text.replace('"format": 1', '"format": 2'),
        lambda text: text.replace("miss_1", "miss_2"),  # content altered, digest kept
        lambda text: text.replace("a" * 64, "b" * 64),  # another key's entry
    ],
)
def test_learning_cache_ignores_a_spoiled_entry(
    tmp_path: Path, spoil: Callable[[str], str]
) -> None:
    cache = LearningCache(tmp_path)
    cache.write(KEY, CONTENT)
    entry = cache.entry(KEY)
    entry.write_text(spoil(entry.read_text()))
    assert cache.read(KEY) is None
    cache.write(KEY, CONTENT)  # and the run that needed it writes it again
    assert cache.read(KEY) == CONTENT


def test_learning_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    cache = LearningCache(blocked)
    cache.write(KEY, CONTENT)
    assert cache.read(KEY) is None


def test_no_cache_turns_every_disk_cache_off(tmp_path: Path) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    assert resolve(repo=str(tmp_path), environ=environ).cache_dir == tmp_path / "learnbot"
    assert resolve(repo=str(tmp_path), environ=environ, no_cache=True).cache_dir is None
    off = {**environ, "LEARNBOT_NO_CACHE": "1"}
    assert resolve(repo=str(tmp_path), environ=off).cache_dir is None


def test_learning_cache_lets_go_of_entries_unused_for_a_week(tmp_path: Path) -> None:
    cache = LearningCache(tmp_path)
    now = time.time()
    week = 7 * 86400
    for key in (KEY, OTHER, "c" * 64):
        cache.write(key, CONTENT)
    stray = cache.entry("d" * 64).with_suffix(".tmp")
    stray.write_text("half an entry")
    for path in (cache.entry(KEY), cache.entry(OTHER), stray):
        os.utime(path, (now - week - 60, now - week - 60))
    assert cache.read(OTHER) == CONTENT  # used now: kept
    assert cache.prune(now=now) == 2
    assert cache.read(KEY) is None and not stray.exists()
    assert cache.read(OTHER) == CONTENT and cache.read("c" * 64) == CONTENT
    assert LearningCache(tmp_path / "none").prune() == 0
