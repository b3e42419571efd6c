"""Versions only move forward, whatever people merge."""

from __future__ import annotations

from typing import Any

from bot.core import versions
from bot.core.history import History
from bot.core.promotion import Observed, decide
from bot.model.entries import Unknown, Versions
from bot.model.trailers import ProposalTrailers
from tests.builders import labels_import, manual_change, promotion, rejection, rollback, sealed

AT = "2026-01-20T00:00:00Z"


def _forward(
    names: list[str], before: dict[str, int], after: dict[str, int], seen: dict[str, int]
) -> tuple[dict[str, Any], dict[str, int]]:
    bumps: dict[str, int] = {}
    found = versions.forward(names, before=before, after=after, seen=seen, bumps=bumps)
    return found.to_dict(), bumps


def test_versions_highest_is_per_policy_over_all_entries() -> None:
    entries = [
        promotion("m1", versions=Versions({"a": (1, 4)})),
        rejection(3),
        manual_change("x", versions=Versions({"a": (4, 3), "b": (0, 2)})),
        rollback("r", versions=Versions({"c": (1, 2)})),
        labels_import("l", versions=Versions({"c": (2, 5)})),
        Unknown({"type": "promotion", "versions": {"a": {"from": 4, "to": 9}}}),
    ]
    assert versions.highest(entries) == {"a": 4, "b": 2, "c": 5}


def test_versions_touched_are_changed_values_and_changed_versions() -> None:
    touched = versions.touched(
        ["a.x", "a.operators.f", "c.y"], {"b": 1, "d": 2}, {"a": 2, "b": 3, "d": 2}
    )
    assert touched == ("a", "b")  # c was deleted: nothing to version


def test_versions_a_bump_past_everything_recorded_stands() -> None:
    entry, bumps = _forward(["a"], {"a": 2}, {"a": 3}, {"a": 2})
    assert entry == {"versions": {"a": {"from": 2, "to": 3}}} and bumps == {}


def test_versions_a_stale_merge_at_a_recorded_version_is_forwarded() -> None:
    seen = {"a": 3}
    entry, bumps = _forward(["a"], {"a": 3}, {"a": 3}, seen)
    assert entry == {"versions": {"a": {"from": 3, "to": 4}}, "forwarded": ["a"]}
    assert bumps == {"a": 4} and seen == {"a": 4}


def test_versions_a_revert_that_lowers_the_version_is_forwarded() -> None:
    entry, bumps = _forward(["a"], {"a": 6}, {"a": 5}, {"a": 6})
    assert entry["versions"] == {"a": {"from": 5, "to": 7}} and bumps == {"a": 7}


def test_versions_the_version_before_counts_when_the_ledger_never_saw_the_policy() -> None:
    entry, _ = _forward(["a"], {"a": 5}, {"a": 4}, {})
    assert entry["versions"] == {"a": {"from": 4, "to": 6}}


def test_versions_a_later_commit_with_its_own_higher_version_drops_the_bump() -> None:
    seen: dict[str, int] = {"a": 3}
    bumps: dict[str, int] = {}
    versions.forward(["a"], before={"a": 3}, after={"a": 3}, seen=seen, bumps=bumps)
    second = versions.forward(["a"], before={"a": 3}, after={"a": 9}, seen=seen, bumps=bumps)
    assert bumps == {} and second.to_dict()["versions"] == {"a": {"from": 3, "to": 9}}


def _merge(sha: str, key: str, old: float, new: float, before: int, after: int) -> Observed:
    trailers = ProposalTrailers("p" + sha, changes=(key,))
    policy = key.split(".", maxsplit=1)[0]
    return Observed(
        sha=sha,
        at=AT,
        author="alice",
        subject="Merge",
        proposal=trailers,
        versions_before={policy: before},
        versions_after={policy: after},
        changed=(f"policies/{policy}.yaml",),
        values={key: {"from": old, "to": new}},
        parent="0" * 40,
    )


def test_decide_two_merges_that_both_bump_to_the_same_version() -> None:
    first = _merge("1" * 40, "a.x", 1, 2, 2, 3)
    stale = _merge("2" * 40, "a.y", 5, 6, 3, 3)  # merged after the first: still at 3
    decision = decide([first, stale], [], History(), at=AT)
    one, two = decision.payloads()
    assert one["versions"] == {"a": {"from": 2, "to": 3}} and "forwarded" not in one
    assert two["versions"] == {"a": {"from": 3, "to": 4}} and two["forwarded"] == ["a"]
    assert two["values"] == {"a.y": {"from": 5, "to": 6}}
    assert decision.bumps == {"a": 4}


def test_decide_a_revert_records_its_values_and_forwards_the_version() -> None:
    history = History(sealed(promotion("1" * 40, versions=Versions({"a": (2, 3)}))))
    revert = Observed(
        sha="3" * 40,
        at=AT,
        author="bob",
        subject="Revert",
        proposal=None,
        reverts="1" * 40,
        versions_before={"a": 3},
        versions_after={"a": 2},
        changed=("policies/a.yaml",),
        values={"a.x": {"from": 2, "to": 1}},
    )
    (rollback,) = decide([revert], [], history, at=AT).payloads()
    assert rollback["type"] == "rollback" and rollback["values"] == {"a.x": {"from": 2, "to": 1}}
    assert rollback["versions"] == {"a": {"from": 2, "to": 4}} and rollback["forwarded"] == ["a"]


def test_decide_a_manual_edit_without_a_bump_is_flagged_and_forwarded() -> None:
    edit = Observed(
        sha="4" * 40,
        at=AT,
        author="carol",
        subject="tune",
        proposal=None,
        versions_before={"a": 2},
        versions_after={"a": 2},
        changed=("policies/a.yaml",),
        values={"a.x": {"from": 1, "to": 7}},
    )
    (manual,) = decide([edit], [], History(), at=AT).payloads()
    assert manual["unbumped"] == ["a"] and manual["values"] == {"a.x": {"from": 1, "to": 7}}
    assert manual["versions"] == {"a": {"from": 2, "to": 3}} and manual["forwarded"] == ["a"]
