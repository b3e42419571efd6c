"""Merge promotes, revert rolls back, closing rejects, other changes are recorded (both forges)."""

from __future__ import annotations

import re

import pytest

from bot.core import ledger
from tests.harness import World
from tests.repos import git


def versions(world: World, policy: str) -> int:
    return int(
        re.search(r"^version: (\d+)$", world.file_on_main(f"policies/{policy}.yaml"), re.M).group(1)
    )  # type: ignore[union-attr]


def verified(world: World) -> None:
    data = world.file_on_main("ledgers/learning.jsonl").encode() + b"\n"
    assert ledger.verify(data).ok, ledger.verify(data).problem


def test_full_loop_run_check_merge_promote_revert_rollback(world: World) -> None:
    assert world.run().code == 0
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    assert world.check("learnbot/it_wire_fraud").code == 0
    merge = world.merge(wire["number"])
    assert world.learnbot("promote").code == 0
    (promotion,) = world.ledger()
    assert promotion["type"] == "promotion" and promotion["commit"] == merge
    assert promotion["pr"] == wire["number"] and promotion["approvers"] == ["alice"]
    assert promotion["subject"] == "it_wire_fraud" and promotion["failure_status"] == "resolved"
    assert promotion["versions"] == {"inbox_triage": {"from": 5, "to": 6}}
    assert promotion["gate"]["allowed"] is True and promotion["pass_rate"] > 0.667
    assert promotion["proposal_id"] in wire["body"] and promotion["report_sha256"] in wire["body"]
    verified(world)
    assert world.learnbot("promote").code == 0
    assert len(world.ledger()) == 1  # nothing twice

    revert = world.revert(merge)
    assert world.learnbot("promote").code == 0
    _, rollback = world.ledger()
    assert (
        rollback["type"] == "rollback"
        and rollback["commit"] == revert
        and rollback["reverted"] == merge
    )
    assert (
        rollback["failure_status"] == "reopened"
        and rollback["proposal_id"] == promotion["proposal_id"]
    )
    assert rollback["versions"] == {"inbox_triage": {"from": 5, "to": 7}}
    assert versions(world, "inbox_triage") == 7  # versions never go backwards: 5, 6, (revert), 7
    verified(world)

    result = world.run()
    assert (
        "it_wire_fraud: no proposal: every candidate that passes the gate was rolled back"
        in result.err
    )
    assert "learnbot/it_wire_fraud" not in world.open_pulls()
    (board,) = world.dashboards()
    assert "rollback" in board["body"] and "known\\-bad" in board["body"]
    assert (
        "xychart-beta" in board["body"]
    )  # the pass-rate trend: one point per ledger entry and now
    axis = next(line for line in board["body"].splitlines() if "x-axis" in line)
    assert re.search(r'"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?"', axis), axis  # dates, not run numbers


def test_closed_unmerged_pull_request_is_a_rejection_recorded_once(world: World) -> None:
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    world.close_pull(wire["number"])
    world.learnbot("promote")
    world.learnbot("promote")
    (rejection,) = world.ledger()
    assert rejection["type"] == "rejection" and rejection["pr"] == wire["number"]
    assert rejection["subject"] == "it_wire_fraud" and rejection["proposal_id"] in wire["body"]


def test_other_policy_changes_are_recorded_and_missing_bumps_flagged(world: World) -> None:
    world.change_main(
        "policies/momentum.yaml",
        lambda t: t.replace("value: 48", "value: 60"),
        "faster decay, no bump",
    )
    world.change_main(
        "cases/te_fading_buzz.yaml",
        lambda t: t.replace("Mentioned twice", "Mentioned just twice"),
        "reword a case",
        date="2026-01-22T00:00:00Z",
    )
    world.learnbot("promote")
    first, second = world.ledger()
    assert (first["type"], first["unbumped"], first["files"]) == (
        "manual_change",
        ["momentum"],
        ["policies/momentum.yaml"],
    )
    assert (second["type"], second["unbumped"], second["files"]) == (
        "manual_change",
        [],
        ["cases/te_fading_buzz.yaml"],
    )
    world.run()
    (board,) = world.dashboards()
    assert (
        "Policy changes without a version bump" in board["body"]
        and "policies/momentum\\.yaml" in board["body"]
    )


def test_promote_skips_its_own_commits_and_unrelated_ones(world: World) -> None:
    (world.repo / "NOTES.md").write_text("notes\n")
    world.change_main("NOTES.md", lambda t: "notes, edited\n", "notes")
    assert world.learnbot("promote").err.strip().endswith("nothing new to record")
    world.change_main(
        "policies/momentum.yaml", lambda t: t.replace("version: 2", "version: 3"), "bump"
    )
    world.learnbot("promote")
    world.learnbot("promote")
    assert [e["type"] for e in world.ledger()] == ["manual_change"]
    log = git(world.repo, "log", "--format=%s", "refs/remotes/origin/main")
    assert log.count("learnbot: record") == 1


def test_squash_merge_and_the_revert_button(world: World) -> None:
    if world.fake is None:
        pytest.skip("squash merges and revert pull requests are GitHub's")
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    squash = world.merge(wire["number"], method="squash")
    world.learnbot("promote")
    (promotion,) = world.ledger()
    assert promotion["commit"] == squash and promotion["pr"] == wire["number"]
    # the Revert button: a branch with the revert commit, a pull request, merged
    git(world.repo, "fetch", "--quiet", "origin")
    git(world.repo, "checkout", "--quiet", "-B", "revert-pr", "origin/main")
    git(world.repo, "revert", "--no-edit", squash)
    git(world.repo, "push", "--quiet", "origin", "revert-pr")
    git(world.repo, "checkout", "--quiet", "main")
    repo = world.fake.client().get_repo("octo-org/learning")  # type: ignore[union-attr]
    pull = repo.create_pull(
        base="main", head="revert-pr", title=f'Revert "{wire["title"]}"', body=""
    )
    pull.merge(merge_method="merge")
    world.learnbot("promote")
    _, rollback = world.ledger()
    assert rollback["type"] == "rollback" and rollback["reverted"] == squash
    assert versions(world, "inbox_triage") == 7


def test_a_direct_push_borrowing_a_proposals_trailers_is_a_manual_change(world: World) -> None:
    """Finding 4 of #18: a push to the default branch with a proposal's trailers and a subject
    ending "(#N)" is not pull request N's merge: no promotion, none of N's approvers."""
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    if world.fake is not None:
        world.fake.add_review(wire["number"], "alice", "APPROVED")
    branch = "refs/remotes/origin/learnbot/it_wire_fraud"
    block = git(world.repo, "log", "-1", "--format=%B", branch).strip().split("\n\n")[-1]
    assert "Learnbot-Proposal: " in block
    git(world.repo, "checkout", "--quiet", "main")
    git(world.repo, "checkout", branch, "--", "policies/inbox_triage.yaml")
    git(world.repo, "commit", "--quiet", "-m", f"Tune inbox triage (#{wire['number']})\n\n{block}")
    git(world.repo, "push", "--quiet", "origin", "main")
    result = world.learnbot("promote")
    assert result.code == 0, result.err
    assert "is no pull request's merge for that proposal: recorded as a manual change" in result.err
    (entry,) = world.ledger()
    assert entry["type"] == "manual_change" and entry["files"] == ["policies/inbox_triage.yaml"]
    assert "alice" not in str(entry) and entry.get("pr") is None
