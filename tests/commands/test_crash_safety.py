"""Killed at any step and run again, learnbot converges: no duplicate PR, no lost or doubled entry.

The real `learnbot` runs as a separate process against the fake GitHub and is killed with
SIGKILL at step boundaries: once the forge has applied a write (before the answer), or once a push
lands on origin.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.core import ledger
from tests.harness import World
from tests.repos import ROOT, git


@pytest.fixture
def github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    built = World(tmp_path, "github", capsys)
    yield built
    built.close_world()


def spawn(world: World, *args: str, repo: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**world.env, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "bot",
        *args,
        "--repo",
        str(repo or world.repo),
        "--forge",
        "github",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes], *, codes: tuple[int, ...] = (0,)) -> int:
    _, err = process.communicate(timeout=120)
    assert process.returncode in codes, err.decode()
    return process.returncode


def run_until_killed(
    world: World, args: tuple[str, ...], should_kill: Callable[[Any], bool]
) -> bool:
    """Start learnbot; SIGKILL it after the first request matching `should_kill`. True if killed."""
    assert world.fake is not None
    process: subprocess.Popen[bytes] | None = None
    killed = threading.Event()

    def hook(record: Any) -> None:
        if process is not None and not killed.is_set() and should_kill(record):
            killed.set()
            os.kill(process.pid, signal.SIGKILL)

    world.fake.after_request = hook
    process = spawn(world, *args)
    _, err = process.communicate(timeout=120)
    world.fake.after_request = None
    assert killed.is_set() or process.returncode == 0, err.decode()
    return killed.is_set()


def test_run_killed_after_every_write_converges(github: World) -> None:
    github.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_open: 10", "max_open: 2"),
        "two open at most",
    )
    kills = 0
    while run_until_killed(
        github, ("run", "--now", "2026-01-20T00:00:00Z"), lambda r: r.method != "GET"
    ):
        kills += 1
        assert kills < 30, "no progress"
    assert kills >= 7  # two proposals (check, pull request, labels each) and the dashboard
    branches = [p["branch"] for p in github.pulls()]
    assert len(branches) == len(set(branches)) == 2, branches
    for pull in github.open_pulls().values():
        assert [c["name"] for c in github.checks(pull["head_sha"])] == ["learnbot/stabilization"]
    assert len(github.dashboards()) == 1
    github.reset_log()
    assert github.run().code == 0
    assert github.writes() == []  # converged: nothing left to do


def ledger_ok(world: World) -> list[dict[str, Any]]:
    entries = world.ledger()
    data = world.file_on_main("ledgers/learning.jsonl").encode() + b"\n"
    assert ledger.verify(data).ok
    return entries


def test_promote_killed_before_and_after_its_push_converges(github: World) -> None:
    github.run()
    pull = github.open_pulls()["learnbot/it_wire_fraud"]
    github.merge(pull["number"])
    # before the push: killed on its first request to the forge
    assert run_until_killed(github, ("promote",), lambda r: True)
    assert github.file_on_main("ledgers/learning.jsonl") == ""
    # after the push: killed as soon as origin's main moves
    origin_main = lambda: git(github.origin, "rev-parse", "main")  # noqa: E731
    before = origin_main()
    process = spawn(github, "promote")
    while process.poll() is None and origin_main() == before:
        time.sleep(0.005)
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=60)
    for _ in range(2):
        finish(spawn(github, "promote"))
    (entry,) = ledger_ok(github)
    assert entry["type"] == "promotion" and entry["pr"] == pull["number"]


def test_a_push_that_loses_the_race_is_rebuilt_and_retried(github: World) -> None:
    github.run()
    first = github.open_pulls()["learnbot/it_wire_fraud"]
    second = github.open_pulls()["learnbot/mo_stale_hype"]
    github.merge(first["number"])
    assert github.fake is not None
    merged = threading.Event()

    def merge_meanwhile(record: Any) -> None:
        if record.operation_id == "pulls/list" and not merged.is_set():
            merged.set()
            github.merge(second["number"])  # lands on origin while promote waits for this answer

    github.fake.after_request = merge_meanwhile
    result = github.learnbot("promote")
    github.fake.after_request = None
    assert result.code == 1, result.err  # the second merge was stale: recorded as unverified
    assert "origin moved while recording" in result.err
    assert [(e["type"], e["pr"], e["verified"]) for e in ledger_ok(github)] == [
        ("promotion", first["number"], True),
        ("promotion", second["number"], False),
    ]


def test_two_promotions_running_at_once_land_in_one_valid_chain(
    github: World, tmp_path: Path
) -> None:
    github.run()
    pulls = github.open_pulls()
    for branch in ("learnbot/it_wire_fraud", "learnbot/mo_stale_hype"):
        github.merge(pulls[branch]["number"])
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(github.origin), str(other))
    processes = [spawn(github, "promote"), spawn(github, "promote", repo=other)]
    # the second merge was stale: whichever process records it exits 1 (unverified)
    assert sorted(finish(p, codes=(0, 1)) for p in processes) in ([0, 1], [1, 1])
    entries = ledger_ok(github)
    assert [e["verified"] for e in entries] == [True, False]
    assert sorted(e["pr"] for e in entries) == sorted(
        pulls[b]["number"] for b in ("learnbot/it_wire_fraud", "learnbot/mo_stale_hype")
    )
    assert [e["seq"] for e in entries] == [1, 2]


def test_a_run_that_loses_the_push_race_to_another_run_redoes_it(
    github: World, tmp_path: Path
) -> None:
    # the other run: the same state on a copy of origin, its branches pushed while this run
    # waits for its list of pull requests (a whole run would outlast the client's timeout)
    twin = tmp_path / "twin-origin.git"
    shutil.copytree(github.origin, twin)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(twin), str(other))
    env = {**github.env, "PYTHONPATH": str(ROOT)}
    later = "2026-01-20T01:00:00Z"  # started an hour later: the same proposals, other commits
    command = [sys.executable, "-m", "bot", "run", "--now", later, "--repo", str(other)]
    subprocess.run([*command, "--forge", "local"], env=env, check=True, capture_output=True)
    branches = git(twin, "for-each-ref", "--format=%(refname)", "refs/heads/learnbot/").split()
    assert len(branches) >= 2
    assert github.fake is not None
    raced = threading.Event()

    def other_run_pushes_meanwhile(record: Any) -> None:
        if record.operation_id == "pulls/list" and not raced.is_set():
            raced.set()
            git(twin, "push", "--quiet", str(github.origin), *[f"{b}:{b}" for b in branches])

    github.fake.after_request = other_run_pushes_meanwhile
    result = github.run()
    github.fake.after_request = None
    assert result.code == 0, result.err
    assert "origin moved during the run (attempt 1)" in result.err
    pulls = github.pulls()
    opened = [p["branch"] for p in pulls]
    assert len(opened) == len(set(opened)) and set(opened) >= {b[11:] for b in branches}
