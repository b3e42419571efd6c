"""history: what the ledger says happened, asked the questions the commands ask."""

from __future__ import annotations

from bot.core.history import History

ENTRIES = (
    {"seq": 1, "type": "promotion", "commit": "m1", "head": "h1", "at": "t1", "pass_rate": 0.5},
    {"seq": 2, "type": "rejection", "pr": 4, "at": "t2"},
    {
        "seq": 3,
        "type": "rollback",
        "commit": "r1",
        "proposal_id": "proposal_1",
        "at": "t3",
        "pass_rate": 0.4,
    },
    {
        "seq": 4,
        "type": "manual_change",
        "commit": "x1",
        "unbumped": ["p"],
        "at": "t4",
        "pass_rate": 0.6,
    },
    {"seq": 5, "type": "manual_change", "commit": "x2", "unbumped": [], "at": "t5"},
    {"seq": 6, "type": "rollback", "commit": "r2", "at": "t6"},
)


def test_history_keys_by_commit_or_pull_request() -> None:
    history = History.of(ENTRIES)
    assert ("promotion", "m1") in history.recorded()
    assert ("rejection", "pr#4") in history.recorded()
    assert History().recorded() == frozenset()


def test_history_known_bad_is_every_rolled_back_proposal() -> None:
    assert History.of(ENTRIES).known_bad() == {
        "proposal_1": "known-bad: rolled back in ledger entry 3"
    }


def test_history_promotion_of_a_merge_or_its_head() -> None:
    history = History.of(ENTRIES)
    assert history.promotion_of("m1") == ENTRIES[0]
    assert history.promotion_of("h1") == ENTRIES[0]
    assert history.promotion_of("r1") is None


def test_history_recent_trend_unbumped_and_of_type() -> None:
    history = History.of(ENTRIES)
    assert [e["seq"] for e in history.recent(("promotion", "rollback"), 2)] == [6, 3]
    assert history.trend(2) == [("t3", 0.4), ("t4", 0.6)]
    assert [e["commit"] for e in history.unbumped()] == ["x1"]
    assert [e["seq"] for e in history.of_type("manual_change")] == [4, 5]
