"""One open proposal per parameter: a second failure fixed by the same key waits (dashboard)."""

from __future__ import annotations

from tests.commands.test_run_scenarios import plain
from tests.harness import World
from tests.repos import commit_all, git

WIRE = "learnbot/it_wire_fraud"


def test_a_second_writer_of_an_open_parameter_waits_for_its_pull_request(world: World) -> None:
    assert world.run().code == 0
    wire = world.open_pulls()[WIRE]
    git(world.repo, "checkout", "--quiet", world.branch)
    git(world.repo, "pull", "--quiet", "--ff-only", "origin", world.branch)
    text = (world.repo / "cases/it_wire_fraud.yaml").read_text()
    twin = text.replace("id: it_wire_fraud", "id: it_wire_fraud_again")
    (world.repo / "cases/it_wire_fraud_again.yaml").write_text(twin)
    commit_all(world.repo, "the same fraud, seen again", date="2026-01-21T00:00:00Z")
    git(world.repo, "push", "--quiet", "origin", world.branch)

    assert world.run().code == 0
    assert "learnbot/it_wire_fraud_again" not in world.open_pulls()
    (board,) = world.dashboards()
    waiting = (
        f"`it_wire_fraud_again`: waiting for #{wire['number']} "
        "(one writer per parameter: inbox_triage.risk_threshold)"
    )
    # data-derived text never links an issue: the reference carries a zero-width space
    assert waiting in plain(board["body"]).replace("#&#8203;", "#")
