"""history: what the ledger says happened, asked the questions the commands ask."""

from __future__ import annotations

from bot.core.history import History, key
from bot.model.entries import Promotion, Rollback, Unknown, Versions
from tests.builders import labels_import, manual_change, promotion, rejection, rollback, sealed

ENTRIES = sealed(
    promotion("m1", head="h1", at="t1", pass_rate=0.5),
    rejection(4, at="t2"),
    rollback("r1", proposal_id="proposal_1", at="t3", pass_rate=0.4),
    manual_change("x1", unbumped=("p",), at="t4", pass_rate=0.6),
    manual_change("x2", at="t5", pass_rate=0.7),
    rollback("r2", at="t6", pass_rate=0.8),
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


def test_history_recent_changes_trend_unbumped_and_of_kind() -> None:
    history = History.of([*ENTRIES, labels_import("l1", at="t7", pass_rate=0.9)])
    assert [e.seal and e.seal.seq for e in history.recent_changes(2)] == [6, 3]
    assert history.trend(3) == [("t5", 0.7), ("t6", 0.8), ("t7", 0.9)]
    assert [e.commit for e in history.unbumped()] == ["x1"]
    assert [e.commit for e in history.of_kind(Rollback)] == ["r1", "r2"]


def test_history_reads_each_line_once_as_its_kind() -> None:
    lines = [e.to_dict() for e in ENTRIES]
    history = History.read(lines)
    assert history.entries == ENTRIES
    assert isinstance(history.entries[0], Promotion)
    assert history.entries[0].seal is not None and history.entries[0].seal.seq == 1


def test_history_keeps_a_line_of_no_known_kind_as_it_is_and_counts_it_nowhere() -> None:
    """An entry of another kind or shape keeps its place (the chain and `recorded`), unchanged,
    and answers none of the questions about promotions, rollbacks or trends."""
    odd = [
        {"type": "promotion", "commit": "old", "at": "t0", "pass_rate": 0.1, "seq": 1},
        {"type": "rollback", **rollback("r9").to_dict(), "extra": 1},
        {"type": "audit", "pr": 7, "proposal_id": "proposal_x", "seq": 3},
    ]
    history = History.read(odd)
    assert all(isinstance(e, Unknown) for e in history.entries)
    assert [e.to_dict() for e in history.entries] == odd
    assert history.recorded() == {("promotion", "old"), ("rollback", "r9"), ("audit", "pr#7")}
    assert history.promotion_of("old") is None and history.known_bad() == {}
    assert history.trend(5) == [] and history.recent_changes(5) == []
    assert key(history.entries[2]) == ("audit", "pr#7")


def test_history_a_promotion_changed_in_any_field_is_unknown() -> None:
    line = promotion("m1", versions=Versions({"p": (1, 2)})).to_dict()
    assert isinstance(History.read([line]).entries[0], Promotion)
    for changed in ({"verified": False}, {"failure_status": "open"}, {"approvers": "bob"}):
        assert isinstance(History.read([{**line, **changed}]).entries[0], Unknown)
    missing = {k: v for k, v in line.items() if k != "learner"}
    assert isinstance(History.read([missing]).entries[0], Unknown)
