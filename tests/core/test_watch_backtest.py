"""The watch on the backtest: today's cases under the values before and after a promotion."""

from __future__ import annotations

from typing import Any

from bot.core import watch, watch_backtest
from bot.core.sandbox import Replay
from bot.model.entries import Promotion
from tests.builders import case, event, params, policy, promotion, snapshot

# three mentions of x in the window: fires at min_count <= 3, quiet above
THREE = snapshot([event(h, term="x") for h in (1, 2, 3)])


def replay(min_count: int, **expectations: str) -> Replay:
    """Cases over the same three mentions, each expecting `fire` or `quiet`."""
    built = policy(
        parameters={
            "min_count": {"value": min_count, "min": 1, "max": 9, "step": 1},
            "window_days": {"value": 7, "min": 1, "max": 28, "step": 1},
        }
    )
    cases = {cid: case(cid, THREE.sha256, expect=e) for cid, e in expectations.items()}
    return Replay(cases, params(built), {THREE.sha256: THREE}, {})


def promoted(old: Any, new: Any, **values: Any) -> Promotion:
    return promotion("c4", values={"p.min_count": {"from": old, "to": new}, **values})


def test_a_case_passing_before_the_merge_and_failing_after_it_is_a_regression() -> None:
    # min_count moved 4 -> 3: `new_quiet` (added since) expects quiet and now fires
    found = watch_backtest.judge(promoted(4, 3), "p", replay(3, fixed="fire", new_quiet="quiet"))
    assert found is not None and found.verdict == watch.REGRESSED
    assert found.backtest == {
        "source": "backtest",
        "cases": 2,
        "regressed": ("new_quiet",),
        "fixed": ("fixed",),
    }
    assert (found.before, found.after) == (1, 1)
    assert "1 of 2 current cases pass with the values before it and fail" in found.reason
    assert "(new_quiet)" in found.reason


def test_cases_that_do_as_well_after_the_merge_hold() -> None:
    found = watch_backtest.judge(promoted(4, 3), "p", replay(3, fixed="fire", other="fire"))
    assert found is not None and found.verdict == watch.HOLDING
    assert found.backtest is not None and found.backtest["regressed"] == ()
    assert found.as_dict()["backtest"]["fixed"] == ("fixed", "other")


def test_a_value_a_later_change_moved_is_not_judged() -> None:
    # the promotion set 3, a later merge set 5: nothing of the promotion is left to judge
    assert watch_backtest.judge(promoted(4, 3), "p", replay(5, a="quiet")) is None
    assert watch_backtest.undo(promoted(4, 3), "p", replay(5, a="quiet")) == ()


def test_only_numeric_parameters_of_the_policy_are_undone() -> None:
    entry = promoted(
        4,
        3,
        **{
            "p.as_of": {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"},
            "other.min_count": {"from": 1, "to": 2},
            "p.missing": {"from": 1, "to": 2},
            "p.window_days": {"from": True, "to": 7},
        },
    )
    (change,) = watch_backtest.undo(entry, "p", replay(3, a="fire"))
    assert (change.key, change.old, change.new) == ("p.min_count", 3, 4)
