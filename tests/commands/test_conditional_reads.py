"""Zero-cost no-op runs (#17): a scheduled run with nothing new asks GitHub conditionally
(If-None-Match with the ETags it kept) and spends no rate-limited request."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.harness import World


@pytest.fixture
def github_world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    """The example on the fake GitHub, with room for every proposal in the first run."""
    world = World(tmp_path, "github", capsys)
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_new_per_run: 5", "max_new_per_run: 20").replace(
            "max_open: 10", "max_open: 20"
        ),
        "room for every proposal",
    )
    return world


def test_a_second_no_op_run_spends_no_rate_limited_request(github_world: World) -> None:
    world = github_world
    assert world.fake is not None
    try:
        first = world.run()
        assert first.code == 0, first.err
        opened = world.pulls()
        # the first run read the lists before it opened its pull requests: the next run reads
        # them in full once, and keeps their ETags
        assert world.run().code == 0
        world.reset_log()
        second = world.run()
        assert second.code == 0, second.err
        assert world.pulls() == opened
        assert world.fake.requests, "the run asked GitHub"
        assert {r.status for r in world.fake.requests} == {304}
        assert world.fake.rate_limited() == 0
        found = re.search(r"API requests: 0 reads, 0 writes, (\d+) reads answered 304", second.err)
        assert found and int(found.group(1)) == len(world.fake.requests)
    finally:
        world.close_world()


def test_a_change_on_github_is_read_in_full(github_world: World) -> None:
    world = github_world
    assert world.fake is not None
    try:
        assert world.run().code == 0
        number = min(world.open_pulls()[b]["number"] for b in world.open_pulls())
        world.close_pull(number)  # a person closes one: the list is not what was kept
        world.reset_log()
        assert world.run().code == 0
        listed = [r for r in world.fake.requests if r.operation_id == "pulls/list"]
        assert listed and listed[0].status == 200
        assert next(p for p in world.pulls() if p["number"] == number)["state"] == "closed"
    finally:
        world.close_world()


def test_an_unreadable_etag_file_costs_full_reads_only(github_world: World) -> None:
    world = github_world
    assert world.fake is not None
    try:
        assert world.run().code == 0
        kept = world.repo / ".git/learnbot/etags.json"
        assert json.loads(kept.read_text())
        kept.write_text("{not json")
        world.reset_log()
        assert world.run().code == 0
        assert world.fake.rate_limited() > 0 and world.fake.writes() == []
        assert json.loads(kept.read_text())  # written afresh
    finally:
        world.close_world()
