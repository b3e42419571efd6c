"""GitHub's limits: learnbot cuts long titles itself, the full list stays in the body."""

from __future__ import annotations

from tests.commands.test_run_scenarios import plain, unlimited
from tests.harness import World

KARMA = "learnbot/karma/producer_karma"


def test_a_long_proposal_title_is_cut_with_an_ellipsis(world: World) -> None:
    unlimited(world)
    assert world.run().code == 0
    pull = world.open_pulls()[KARMA]
    title, body = pull["title"], plain(pull["body"])
    assert len(title) == 256 and title.endswith("\u2026")  # the fake answers 422 above 256
    assert title.startswith(
        "learnbot(producer_karma): karma update for karma/producer_karma (producer_karma."
    )
    for producer in ("macro_watch", "onchain_flow"):
        assert f"producer_karma.{producer}" in body
