"""Skill cards: strengths, weaknesses, failure modes and trends from plain results."""

from __future__ import annotations

import pytest

from bot.core import cards
from bot.core.cards import CaseFacts
from bot.core.evaluate import Result
from bot.core.experiments import Experiment
from bot.core.learners.forecasts import Performance


def result(case_id: str, status: str, expect: str = "fire") -> Result:
    return Result(case_id, status, 1.0 if status == "HIT" else 0.0, "HIGH", expect=expect)


NOW = [
    result("a", "HIT"),
    result("b", "MISS"),
    result("c", "MISS", "quiet"),
    result("d", "ABSTAIN"),
    result("e", "ERROR"),
    result("f", "HIT", "quiet"),
]


def test_every_kind_of_failure_is_a_named_weakness() -> None:
    facts = CaseFacts(NOW, None, None, {"b": "threshold_too_strict", "c": "threshold_too_strict"})
    card = cards.case_card(cards.FAMILY, "fam", facts, None, ())
    assert card.weaknesses == (
        "misses: 1 case(s) expected to fire stayed quiet (b)",
        "frequent false alarms: 1 quiet case(s) fired (c)",
        "frequent abstains: 1 case(s) could not decide (d)",
        "errors: 1 case(s) could not be evaluated (e)",
        "low pass rate: 33%",
    )
    assert card.strengths == ()
    assert card.failure_modes == (("threshold_too_strict", 2),)
    assert card.summary == "2 of 6 cases pass (pass rate 0.333)"
    assert card.trends[0].as_dict() == {
        "objective": "pass_rate",
        "now": pytest.approx(0.333333),
        "delta_7d": None,
        "delta_30d": None,
    }


def test_strengths_and_pass_rate_trend_over_7_and_30_days() -> None:
    now = [result("a", "HIT"), result("b", "HIT"), result("q", "HIT", "quiet")]
    week = {"a": result("a", "HIT"), "b": result("b", "MISS"), "q": result("q", "HIT", "quiet")}
    month = {"a": result("a", "MISS"), "b": result("b", "MISS")}  # q did not exist yet
    card = cards.case_card(cards.POLICY, "p", CaseFacts(now, week, month, {}), None, ())
    assert card.strengths == (
        "high pass rate: 100% of its cases pass",
        "no false alarms: its 1 quiet case(s) stay quiet",
    )
    assert card.weaknesses == ()
    trend = card.trends[0]
    assert (trend.delta_7d, trend.delta_30d) == (pytest.approx(1 / 3, abs=1e-6), 1.0)


def test_flapping_from_status_changes_and_from_rollbacks() -> None:
    now = [result("a", "HIT"), result("b", "HIT")]
    week = {"a": result("a", "MISS"), "b": result("b", "HIT")}
    month = {"a": result("a", "HIT"), "b": result("b", "HIT")}
    facts = CaseFacts(now, week, month, {}, frozenset({"b"}))
    card = cards.case_card(cards.FAMILY, "f", facts, None, ())
    assert card.weaknesses == (
        "flapping: a changed status 2 times in 30 days, b was promoted and rolled back",
    )


def test_recent_experiments_newest_first_at_most_five() -> None:
    found = [Experiment(n, "a", "backtest", "t", f"p{n}", "merged", "r") for n in range(1, 8)]
    card = cards.case_card(cards.FAMILY, "f", CaseFacts(NOW[:1], None, None, {}), None, found)
    assert [e.pr for e in card.experiments] == [7, 6, 5, 4, 3]
    assert card.as_dict()["recent_experiments"][0]["pr"] == 7


def test_crl_trend_hand_vector() -> None:
    day = 86400
    now = 100 * day
    points = [
        (now - 1 * day, 0.2),
        (now - 3 * day, 0.4),  # last 7 days: mean 0.3
        (now - 10 * day, 0.5),  # 7 days before: mean 0.5
        (now - 40 * day, 0.6),  # 30 days before the last 30: mean 0.6
    ]
    trend = cards.crl_trend(points, now)
    assert trend is not None
    assert trend.now == pytest.approx(0.3)
    assert trend.delta_7d == pytest.approx(-0.2)
    assert trend.delta_30d == pytest.approx((0.2 + 0.4 + 0.5) / 3 - 0.6, abs=1e-6)
    assert cards.crl_trend([], now) is None
    stale = cards.crl_trend([(now - 20 * day, 0.3)], now)
    assert stale is not None and stale.now is None and stale.delta_7d is None


def test_producer_card_from_forecast_performance() -> None:
    weak = cards.producer_card(Performance("p", 40, 0.45, 0.3, 0.0), None, ())
    assert weak.weaknesses == (
        "low win rate: 45% of 40 forecasts",
        "poorly calibrated: Brier score 0.300 > 0.25",
    )
    strong = cards.producer_card(Performance("q", 40, 0.7, 0.2, 0.0), None, ())
    assert strong.strengths == ("high win rate: 70%",) and strong.weaknesses == ()
    assert strong.key == "producer-q"
