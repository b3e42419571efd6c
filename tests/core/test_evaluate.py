"""Edges of every trigger kind, ABSTAIN rules, score and confidence."""

from __future__ import annotations

import math

import pytest

from bot.core.evaluate import ABSTAIN, HIGH, HIT, LOW, MED, MISS, UNKNOWN, evaluate
from tests.builders import DAY, END, case, event, parameter, params, policy, snapshot


@pytest.mark.parametrize(
    ("mentions", "op", "status"),
    [
        (3, ">=", HIT),
        (2, ">=", MISS),
        (3, ">", MISS),
        (4, ">", HIT),
        (3, "<=", HIT),
        (4, "<", MISS),
    ],
)
def test_count_exactly_at_threshold(mentions: int, op: str, status: str) -> None:
    snap = snapshot([event(i + 1, term="x") for i in range(mentions)])
    trigger = {
        "kind": "count",
        "op": op,
        "match": {"kind": "mention", "term": "x"},
        "threshold": "p.min_count",
    }
    result = evaluate(case(triggers=[trigger]), params(), snap)
    assert result.status == status
    assert result.triggers[0].value == mentions and result.triggers[0].threshold == 3


def test_window_start_is_inclusive_and_end_exclusive() -> None:
    start_age = 7 * 24  # exactly window_days before the end
    snap = snapshot(
        [
            event(start_age, term="x"),  # at start: counted
            event(start_age + 1 / 3600, term="x"),  # one second before start: not counted
            event(0, term="x"),  # at end: not counted
            event(1 / 3600, term="x"),  # one second before end: counted
        ]
    )
    result = evaluate(case(), params(), snap)
    assert result.triggers[0].value == 2
    assert result.window == (END - 7 * DAY, END)


def test_empty_window_and_no_events() -> None:
    outside = snapshot([event(10 * 24, term="x")])
    assert evaluate(case(), params(), outside).triggers[0].value == 0
    quiet = evaluate(case(min_signals=1), params(), outside)
    # measured: zero events in a window the snapshot covers; but nothing to be sure of
    assert (quiet.status, quiet.confidence, quiet.failed) == (ABSTAIN, LOW, False)


@pytest.mark.parametrize(
    ("events", "missing"),
    [
        ([], "no events in the snapshot cases/data/t.jsonl"),
        (
            [event(-24, term="x")],  # one day after the window's end
            "the snapshot cases/data/t.jsonl starts at 2026-01-02T00:00:00Z, after the window "
            "2025-12-25T00:00:00Z to 2026-01-01T00:00:00Z",
        ),
    ],
)
def test_a_snapshot_that_does_not_cover_the_window_is_unknown_not_a_failure(
    events: list[dict[str, object]], missing: str
) -> None:
    result = evaluate(case(min_signals=5), params(), snapshot(events))
    assert (result.status, result.confidence, result.failed, result.passed) == (
        UNKNOWN,
        LOW,
        False,
        False,
    )
    assert result.missing == missing and result.as_dict()["missing"] == missing


def test_unknown_term_matches_nothing() -> None:
    snap = snapshot([event(1, term="x"), event(2, term="y")])
    trigger = {"kind": "count", "match": {"term": "never seen"}, "threshold": "p.min_count"}
    assert evaluate(case(triggers=[trigger]), params(), snap).triggers[0].matched == 0


def test_count_matches_kind_term_and_source_together() -> None:
    snap = snapshot(
        [
            event(1, term="x", source="a"),
            event(2, term="x", source="b"),
            event(3, kind="other", term="x", source="a"),
            event(4, term="y", source="a"),
        ]
    )
    trigger = {
        "kind": "count",
        "match": {"kind": "mention", "term": "x", "source": "a"},
        "threshold": "p.min_count",
    }
    assert evaluate(case(triggers=[trigger]), params(), snap).triggers[0].value == 1


def aggregate_case(fn: str, op: str = ">=") -> object:
    return case(
        triggers=[
            {
                "kind": "aggregate",
                "fn": fn,
                "field": "risk",
                "op": op,
                "match": {"kind": "email"},
                "threshold": "p.limit",
            }
        ]
    )


EMAILS = [
    event(5, "email", values={"risk": 0.2}),
    event(4, "email", values={"risk": None}),
    event(3, "email", values={"risk": 0.9}),
    event(2, "email", values={"other": 1.0}),
    event(1, "email", values={"risk": 0.4}),
]


@pytest.mark.parametrize(
    ("fn", "value"),
    [
        ("sum", 1.5),
        ("mean", 0.5),
        ("max", 0.9),
        ("min", 0.2),
        ("last", 0.4),
    ],
)
def test_aggregate_functions_skip_missing_and_null_values(fn: str, value: float) -> None:
    result = evaluate(aggregate_case(fn), params(), snapshot(EMAILS))
    assert result.triggers[0].value == pytest.approx(value)
    assert result.triggers[0].matched == 5


def test_aggregate_exactly_at_threshold_after_float_noise() -> None:
    snap = snapshot(
        [event(2, "email", values={"risk": 0.1}), event(1, "email", values={"risk": 0.2})]
    )
    pol = policy(
        parameters={
            "limit": parameter(0.15, 0, 1, 0.05),
            "min_count": parameter(1),
            "window_days": parameter(7, 1, 28),
        }
    )
    result = evaluate(aggregate_case("mean"), params(pol), snap)  # 0.15000000000000002 vs 0.15
    assert result.triggers[0].met and result.status == HIT


def test_aggregate_skips_null_values() -> None:
    import hashlib

    from bot.core.snapshot import parse

    data = (
        b'{"ts":"2025-12-31T23:00:00Z","kind":"email","values":{"risk":null}}\n'
        + b'{"ts":"2025-12-31T22:00:00Z","kind":"email","values":{"risk":0.3}}\n'
    )
    snap, problems = parse(data, path="x.jsonl", sha256=hashlib.sha256(data).hexdigest())
    assert problems == []
    result = evaluate(aggregate_case("last"), params(), snap)
    assert result.triggers[0].value == pytest.approx(0.3)  # the null at 23:00 is skipped


def test_aggregate_with_no_values_measures_nothing_and_never_meets() -> None:
    snap = snapshot([event(1, "email", values={"other": 1.0}), event(2, "email")])
    for op in (">=", "<="):
        result = evaluate(aggregate_case("max", op), params(), snap)
        assert result.triggers[0].value is None and not result.triggers[0].met
        assert result.confidence == LOW  # nothing was measured: nothing to be sure of


def weights_policy() -> object:
    return policy(
        "w",
        kind="weights",
        parameters={"a": parameter(0.6, 0, 1, 0.1), "b": parameter(0.4, 0, 1, 0.1)},
    )


def weighted_case(fn: str = "last") -> object:
    return case(
        triggers=[
            {
                "kind": "weighted_score",
                "fn": fn,
                "match": {"kind": "signal"},
                "weights": {"a": "w.a", "b": "w.b"},
                "threshold": "p.limit",
            }
        ]
    )


def test_weighted_score_last_signal() -> None:
    snap = snapshot(
        [
            event(3, "signal", values={"a": 0.0, "b": 0.0}),
            event(1, "signal", values={"a": 0.5, "b": 0.5}),
        ]
    )
    result = evaluate(weighted_case(), params(policy(), weights_policy()), snap)
    assert (
        result.triggers[0].value == pytest.approx(0.5) and result.triggers[0].met
    )  # exactly at 0.5


def test_weighted_score_ignores_signals_missing_a_domain() -> None:
    snap = snapshot(
        [event(3, "signal", values={"a": 1.0, "b": 1.0}), event(1, "signal", values={"a": 0.9})]
    )
    result = evaluate(weighted_case(), params(policy(), weights_policy()), snap)
    assert result.triggers[0].value == pytest.approx(1.0)


def test_weighted_score_mean() -> None:
    snap = snapshot(
        [
            event(2, "signal", values={"a": 1.0, "b": 0.0}),
            event(1, "signal", values={"a": 0.0, "b": 1.0}),
        ]
    )
    result = evaluate(weighted_case("mean"), params(policy(), weights_policy()), snap)
    assert result.triggers[0].value == pytest.approx(0.5)


def test_falsifier_blocks_a_firing_case() -> None:
    snap = snapshot([event(i + 1, term="x") for i in range(3)] + [event(1, term="debunk")])
    falsifier = {
        "kind": "count",
        "match": {"term": "debunk"},
        "threshold": "p.min_count",
        "op": "<=",
    }
    result = evaluate(case(falsifiers=[falsifier]), params(), snap)
    assert result.triggers[0].met and result.falsifiers[0].met and not result.fired
    assert result.status == MISS and result.score == 0.5


def test_expect_quiet_scores_by_silence() -> None:
    snap = snapshot([event(i + 1, term="x") for i in range(3)])
    fired = evaluate(case(expect="quiet"), params(), snap)
    assert (fired.status, fired.score) == (MISS, 0.0)
    quiet = evaluate(case(expect="quiet"), params(), snapshot([event(1, term="x")]))
    assert (quiet.status, quiet.score) == (HIT, 1.0)


def test_abstain_by_signal_count_at_the_edge() -> None:
    events = [event(i + 1, term="x") for i in range(3)]
    assert evaluate(case(min_signals=3), params(), snapshot(events)).status == HIT
    result = evaluate(case(min_signals=4), params(), snapshot(events))
    assert result.status == ABSTAIN and result.score == 0.0
    assert result.abstain_reasons == ("signals: 3 < min_signals 4",)


def test_abstain_by_integrity_at_the_edge() -> None:
    events = [event(i + 1, term="x", synthetic=i < 2) for i in range(4)]  # share 0.5
    at_limit = case(integrity={"max_synthetic_share": 0.5})
    assert evaluate(at_limit, params(), snapshot(events)).status == HIT
    result = evaluate(case(integrity={"max_synthetic_share": 0.49}), params(), snapshot(events))
    assert result.status == ABSTAIN and "integrity" in result.abstain_reasons[0]
    assert result.confidence == HIGH and result.failed  # 4 mentions vs 3: margin 0.33


def test_exclude_synthetic_operator_filters_before_counting() -> None:
    events = [event(i + 1, term="x", synthetic=i < 2) for i in range(4)]
    filtered = policy(operators={"f": {"kind": "exclude_synthetic", "active": True}})
    result = evaluate(
        case(integrity={"max_synthetic_share": 0.3}), params(filtered), snapshot(events)
    )
    assert result.status == MISS and result.triggers[0].value == 2
    assert result.signals == 2 and result.excluded_synthetic == 2
    assert result.integrity["synthetic_share"] == 0.0


def test_alias_operator_counts_spellings() -> None:
    events = [
        event(1, term="x"),
        event(2, term="ex"),
        event(3, term="ecks"),
        event(4, term="other"),
    ]
    aliases = policy(
        operators={
            "a": {
                "kind": "alias_terms",
                "active": True,
                "config": {"aliases": {"x": ["ex", "ecks", "never"]}},
            }
        }
    )
    assert evaluate(case(), params(aliases), snapshot(events)).triggers[0].value == 3
    assert evaluate(case(), params(), snapshot(events)).triggers[0].value == 1


def test_distinct_sources_metric() -> None:
    events = [
        event(1, term="x", source="a"),
        event(2, term="x", source="a"),
        event(3, term="x", source="b"),
        event(4, term="x"),
    ]
    distinct = policy(metrics={"d": {"kind": "distinct_sources", "active": True}})
    assert evaluate(case(), params(distinct), snapshot(events)).triggers[0].value == 2


def test_time_decay_metric() -> None:
    events = [event(24, term="x"), event(48, term="x")]
    decay = policy(
        parameters={
            "min_count": parameter(3),
            "window_days": parameter(7, 1, 28),
            "tau": parameter(24, 12, 96, 12),
        },
        metrics={"r": {"kind": "time_decay", "active": True, "config": {"tau": "tau"}}},
    )
    value = evaluate(case(), params(decay), snapshot(events)).triggers[0].value
    assert value == pytest.approx(math.exp(-1) + math.exp(-2))


@pytest.mark.parametrize(("mentions", "confidence"), [(4, HIGH), (3, LOW), (2, HIGH), (5, HIGH)])
def test_confidence_from_decisive_margin(mentions: int, confidence: str) -> None:
    pol = policy(parameters={"min_count": parameter(3), "window_days": parameter(7, 1, 28)})
    result = evaluate(
        case(), params(pol), snapshot([event(i + 1, term="x") for i in range(mentions)])
    )
    assert result.confidence == confidence


def test_confidence_med_band() -> None:
    pol = policy(
        parameters={"min_count": parameter(10, 0, 100), "window_days": parameter(7, 1, 28)}
    )
    result = evaluate(case(), params(pol), snapshot([event(i + 1, term="x") for i in range(11)]))
    assert result.confidence == MED  # margin 0.1


def test_window_length_comes_from_the_policy() -> None:
    events = [event(24 * 8, term="x")] * 3
    short = evaluate(case(), params(), snapshot(events))
    longer = policy(parameters={"min_count": parameter(3), "window_days": parameter(9, 1, 28)})
    assert (short.status, evaluate(case(), params(longer), snapshot(events)).status) == (MISS, HIT)


def test_confidence_without_conditions_is_low_and_results_serialise() -> None:
    from bot.core.evaluate import confidence

    assert confidence((), (), False) == LOW
    result = evaluate(case(), params(), snapshot([event(1, term="x")]))
    data = result.as_dict()
    assert data["case_id"] == "c" and data["status"] == result.status


def test_text_contains_matches_a_phrase_case_insensitively_on_word_boundaries() -> None:
    texts = [
        "Our Digital  Doppelganger is live",  # any case, any run of spaces
        "digital doppelganger.",  # punctuation is a boundary
        "the digital doppelgangers club",  # a longer word: not the phrase
        "predigital doppelganger",  # a longer word: not the phrase
        "doppelganger digital",  # words out of order
    ]
    snap = snapshot([event(i + 1, text=t) for i, t in enumerate(texts)] + [event(9)])
    trigger = {
        "kind": "count",
        "match": {"kind": "mention", "text_contains": "digital doppelganger"},
        "threshold": "p.min_count",
    }
    result = evaluate(case(triggers=[trigger]), params(), snap)
    assert result.triggers[0].value == 2 and result.status == MISS
    both = {**trigger, "match": {"text_contains": "DIGITAL", "term": "x"}}
    tagged = snapshot([event(1, term="x", text="digital"), event(2, term="y", text="digital")])
    assert evaluate(case(triggers=[both]), params(), tagged).triggers[0].value == 1


def test_text_contains_with_aliases_keeps_the_phrase() -> None:
    aliases = policy(
        operators={
            "a": {"kind": "alias_terms", "active": True, "config": {"aliases": {"x": ["ex"]}}}
        }
    )
    snap = snapshot(
        [event(1, term="x", text="wire"), event(2, term="ex"), event(3, term="ex", text="Wire")]
    )
    trigger = {
        "kind": "count",
        "match": {"term": "x", "text_contains": "wire"},
        "threshold": "p.min_count",
    }
    assert evaluate(case(triggers=[trigger]), params(aliases), snap).triggers[0].value == 2
