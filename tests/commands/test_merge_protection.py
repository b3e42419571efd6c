"""`learnbot merge` acts like a protected branch: a passed check, or --force."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import World
from tests.repos import git

WIRE = "learnbot/it_wire_fraud"


@pytest.fixture
def local(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[World]:
    yield World(tmp_path, "local", capsys)


def _main(world: World) -> str:
    return git(world.repo, "rev-parse", "refs/remotes/origin/main")


def test_merge_refuses_a_failed_check_and_force_is_recorded(local: World) -> None:
    local.run()
    wire = local.open_pulls()[WIRE]
    local.push_to_branch(
        WIRE,
        "policies/inbox_triage.yaml",
        lambda t: re.sub(r"(trusted_reputation:\n    value:) [0-9.]+", r"\1 0.95", t),
        "and a stricter trusted sender",
    )
    assert local.check(WIRE).code == 1
    before = _main(local)
    refused = local.learnbot("merge", str(wire["number"]))
    assert refused.code == 1
    assert f"#{wire['number']} not merged: check learnbot/stabilization failed on" in refused.err
    assert "changed but not declared by the proposal" in refused.err
    assert "--force" in refused.err and _main(local) == before

    forced = local.learnbot("merge", str(wire["number"]), "--force")
    assert forced.code == 0 and "forced past: check learnbot/stabilization failed" in forced.err
    local.learnbot("promote")
    (promotion,) = local.ledger()
    assert promotion["type"] == "promotion" and promotion["commit"] == git(
        local.repo, "rev-parse", "refs/remotes/origin/main~1"
    )
    assert promotion["forced"] and promotion["forced"][0].startswith(
        "check learnbot/stabilization failed on"
    )


def test_merge_refuses_a_missing_check(local: World) -> None:
    local.run()
    wire = local.open_pulls()[WIRE]
    local.push_to_branch(WIRE, "NOTES.md", lambda _: "why\n", "a note")
    refused = local.learnbot("merge", str(wire["number"]))
    assert refused.code == 1 and "check learnbot/stabilization is missing on" in refused.err


def test_merge_refuses_a_check_run_on_an_older_base_until_checked_again(local: World) -> None:
    local.run()
    pulls = local.open_pulls()
    local.merge(pulls[WIRE]["number"])
    other = next(p for b, p in sorted(pulls.items()) if b != WIRE)
    refused = local.learnbot("merge", str(other["number"]))
    assert refused.code == 1
    assert (
        "ran on an older base" in refused.err and "the learned state changed since" in refused.err
    )
    assert f"learnbot check --pr {other['number']}" in refused.err
    assert (
        local.learnbot("check", "--pr", str(other["number"]), "--now", "2026-01-20T00:00:00Z").code
        == 0
    )
    assert local.learnbot("merge", str(other["number"])).code == 0
    local.learnbot("promote")
    assert [e["type"] for e in local.ledger()] == ["promotion", "promotion"]
    assert all("forced" not in e for e in local.ledger())


def test_a_ledger_commit_alone_does_not_make_a_check_stale(local: World) -> None:
    local.run()
    pulls = local.open_pulls()
    local.close_pull(pulls[WIRE]["number"])
    local.learnbot("promote")  # a ledger commit: the policies and cases did not change
    (rejection,) = local.ledger()
    assert rejection["type"] == "rejection"
    other = next(p for b, p in sorted(pulls.items()) if b != WIRE)
    assert local.learnbot("merge", str(other["number"])).code == 0
