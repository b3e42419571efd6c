"""A learner written outside bot/ (tests/toy_learner.py) plugs in with one registry line.

It then goes through everything the built-in learners do: `loop --dry-run`, `run` (a pull
request), `check` (re-derived from the base branch), `promote` (a ledger entry); its settings
(`learners.nudge`, declared in its module) are read from and validated in the config.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.learners.registry import LEARNERS
from tests import toy_learner
from tests.commands.test_run_scenarios import unlimited
from tests.harness import NOW, World

BRANCH = "learnbot/nudges"
NUDGE = '{"parameter": "inbox_triage.trusted_reputation", "value": 0.95}\n'
ASKS = "cases/asks/nudges.jsonl"  # not the toy's default path: read from its settings
CONFIG = ".github/learnbot.yml"


def _nudge_settings(text: str) -> str:
    return text.replace("learners:\n", f"learners:\n  nudge:\n    path: {ASKS}\n", 1)


@pytest.fixture
def nudged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[World]:
    monkeypatch.setitem(LEARNERS, "nudge", toy_learner.LEARNER)  # the one registry line
    world = World(tmp_path, "local", capsys)
    (world.repo / "cases/asks").mkdir()
    (world.repo / ASKS).write_text("")
    # the plumbing is under test, not replay costs: measured time must not decide it
    world.change_main(
        CONFIG,
        lambda t: _nudge_settings(t).replace(
            "  max_memory_increase: 0.20",
            "  max_memory_increase: 0.20\n  time_floor_ms: 60000\n  memory_floor_kb: 1048576",
        ),
        "costs are not under test; the nudges are where the settings say",
    )
    world.change_main(ASKS, lambda _: NUDGE, "ask for a nudge")
    unlimited(world)  # the example's other learners' pull requests leave it room
    yield world
    world.close_world()


def _local(world: World, *args: str) -> tuple[int, str]:
    """A command that reads only the working tree (no forge)."""
    world.capsys.readouterr()
    code = main([*args, "--repo", str(world.repo)], environ=world.env)
    return code, world.capsys.readouterr().out


def _nudge_outcome(world: World) -> dict[str, object]:
    code, out = _local(world, "loop", "--dry-run", "--json", "--now", NOW)
    assert code == 0
    found = [p for p in json.loads(out)["pull_requests"] if p["learner"] == "nudge"]
    assert len(found) == 1
    return found[0]


def test_toy_learner_runs_through_loop_run_check_and_promote(nudged: World) -> None:
    outcome = _nudge_outcome(nudged)
    proposal = outcome["proposal"]
    assert isinstance(proposal, dict) and proposal["subject"] == "nudges"
    assert proposal["changes"] == [
        {
            "policy": "inbox_triage",
            "target": "parameters.trusted_reputation",
            "old": 0.9,
            "new": 0.95,
        }
    ]
    report = outcome["report"]
    assert isinstance(report, dict) and report["consistency"]["matches"] is True
    assert report["gate"]["criteria"][0]["name"] == "matches_recomputation"

    assert nudged.run().code == 0
    pull = nudged.open_pulls()[BRANCH]
    assert "nudge" in pull["title"]
    assert nudged.check(BRANCH).code == 0
    nudged.merge(pull["number"])
    assert nudged.learnbot("promote").code == 0
    promotions = [e for e in nudged.ledger() if e["type"] == "promotion"]
    assert [(e["learner"], e["subject"]) for e in promotions] == [("nudge", "nudges")]
    assert promotions[0]["gate"]["allowed"] is True


def test_toy_learner_check_rederives_from_the_base_branch(nudged: World) -> None:
    assert nudged.run().code == 0
    nudged.push_to_branch(
        BRANCH,
        "policies/inbox_triage.yaml",
        lambda text: text.replace("value: 0.95", "value: 1.0"),
        "a person edits the nudge",
    )
    result = nudged.check(BRANCH)
    assert result.code == 1
    assert "matches_recomputation" in result.out


def test_toy_learner_input_is_validated_against_its_schema(nudged: World) -> None:
    nudged.change_main(ASKS, lambda _: '{"parameter": 3}\n', "a bad nudge")
    code, out = _local(nudged, "validate")
    assert code == 2
    assert f"{ASKS}:1" in out


@pytest.mark.parametrize(
    ("settings", "pointer", "message"),
    [
        ("path: 3", "/learners/nudge/path", "3 is not of type 'string'"),
        ("paht: x.jsonl", "/learners/nudge/paht", "unknown key 'paht' (allowed: path)"),
        ("path: ../outside.jsonl", "/learners/nudge/path", ".."),
    ],
)
def test_toy_learner_settings_are_validated_against_its_schema(
    nudged: World, settings: str, pointer: str, message: str
) -> None:
    nudged.change_main(CONFIG, lambda t: t.replace(f"path: {ASKS}", settings), "bad settings")
    code, out = _local(nudged, "validate")
    assert code == 2
    (line,) = [line for line in out.splitlines() if pointer in line]
    assert CONFIG in line
    assert message in line


def test_unregistered_learner_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(tmp_path, "local", capsys)
    with pytest.raises(SystemExit):
        _local(world, "learn", "nudge", "--dry-run")
    assert "nudge" not in LEARNERS
