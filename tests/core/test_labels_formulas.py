"""Hand vectors for every formula of the label learners: decay, agreement, calibration, clamp,
entropy, variance, Luhn, Jaccard, and the curator and feed rules built on them."""

from __future__ import annotations

import math

import pytest

from bot.core import curator, feeds, pii
from bot.core.learners import judges, sampler
from bot.model import parse_time
from bot.model.labels import Evaluation, Example, Verdict

NOW = parse_time("2026-01-20T00:00:00Z")
DAY = 86400


@pytest.mark.parametrize(
    ("age", "expected"), [(0, 1.0), (7, 0.5), (14, 0.25), (3.5, 2**-0.5), (-1, 1.0)]
)
def test_decay_halves_every_seven_days(age: float, expected: float) -> None:
    assert judges.decay(age) == pytest.approx(expected)


def test_agreement_is_the_decay_weighted_share() -> None:
    assert judges.agreement([True, False, True], [1.0, 0.5, 0.25]) == pytest.approx(1.25 / 1.75)
    assert judges.agreement([], []) == 0.0


def test_calibration_error_is_mean_absolute_gap() -> None:
    error = judges.calibration_error([0.9, 0.8, 0.6], [True, False, True])
    assert error == pytest.approx((0.1 + 0.8 + 0.4) / 3)
    assert judges.calibration_error([], []) == 0.0


@pytest.mark.parametrize(
    ("agreed", "calibration", "expected"),
    [(0.9, 0.2, 0.8), (1.0, 0.0, 1.0), (0.1, 0.5, 0.1), (0.05, 0.0, 0.1), (0.7, 0.3, 0.55)],
)
def test_reliability_clamps_agreement_minus_half_calibration(
    agreed: float, calibration: float, expected: float
) -> None:
    assert judges.reliability(agreed, calibration, floor=0.1, ceiling=1.0) == pytest.approx(
        expected
    )
    assert judges.clamp(1.2, 0.1, 1.0) == 1.0 and judges.clamp(-0.3, 0.1, 1.0) == 0.1


def _example(label: str, at: int, **verdicts: tuple[str, float]) -> Example:
    return Example(
        agent="triage",
        key=f"k{at}",
        payload={"x": at},
        label=label,
        source="gold",
        source_id=f"g{at}",
        confidence=100,
        at=at,
        judges={j: Verdict(v, c, at) for j, (v, c) in verdicts.items()},
    )


def test_judge_stats_hand_computed() -> None:
    rows = [
        _example("spam", NOW, a=("spam", 0.9), b=("ham", 0.9)),
        _example("ham", NOW - 7 * DAY, a=("spam", 0.8), b=("ham", 0.6)),
        _example("spam", NOW - 14 * DAY, a=("spam", 1.0)),
        _example("spam", NOW - 40 * DAY, a=("ham", 1.0)),  # outside the 30-day window
    ]
    rules = judges.JudgeRules(min_examples=3)
    a, b = judges.stats(rows, now=NOW, rules=rules)
    assert (a.judge, a.examples) == ("a", 3)
    assert a.agreement == pytest.approx((1 + 0.25) / (1 + 0.5 + 0.25))
    assert a.calibration == pytest.approx((0.1 + 0.8 + 0.0) / 3)
    assert a.weight == pytest.approx(a.agreement - 0.5 * a.calibration)
    assert (b.examples, b.weight) == (2, None)  # too few examples: it keeps its weight
    new = judges.plan({"a": 0.8, "b": 0.6}, [a, b], {"a": (0.1, 1.0, 0.01), "b": (0.1, 1.0, 0.01)})
    assert new == {"a": round(a.weight or 0, 2), "b": 0.6}


@pytest.mark.parametrize(
    ("shares", "judges_", "expected"),
    [
        ([0.5, 0.5], 2, 1.0),
        (
            [2 / 3, 1 / 3],
            3,
            (-(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)) / math.log2(3),
        ),
        ([1.0], 3, 0.0),
        ([1.0], 1, 0.0),
        ([0.25, 0.25, 0.25, 0.25], 4, 1.0),
    ],
)
def test_entropy_is_normalised(shares: list[float], judges_: int, expected: float) -> None:
    assert sampler.entropy(shares, judges_) == pytest.approx(expected)


def test_weighted_variance_hand_vectors() -> None:
    assert sampler.weighted_variance([0.2, 0.8], [1, 1]) == pytest.approx(0.09)
    assert sampler.weighted_variance([0.2, 0.8], [3, 1]) == pytest.approx(0.0675)
    assert sampler.weighted_variance([0.5], [1]) == 0.0


def test_score_picks_the_largest_method() -> None:
    split = {"a": Verdict("spam", 0.9), "b": Verdict("ham", 0.9)}
    assert sampler.score(split, {}) == (1.0, "disagreement")
    unsure = {"a": Verdict("spam", 0.3), "b": Verdict("spam", 0.4)}
    assert sampler.score(unsure, {}) == (pytest.approx(0.65), "low_confidence")
    spread = {"a": Verdict("spam", 0.95), "b": Verdict("spam", 0.25)}
    assert sampler.score(spread, {}) == (pytest.approx(0.49), "variance")
    # weights move the verdict shares: a trusted judge outweighs two weak ones
    weighted = {"a": Verdict("x", 0.9), "b": Verdict("y", 0.9), "c": Verdict("y", 0.9)}
    value, method = sampler.score(weighted, {"a": 0.8, "b": 0.1, "c": 0.1})
    shares = [0.8, 0.2]
    assert method == "disagreement"
    assert value == pytest.approx(round(-sum(p * math.log2(p) for p in shares) / math.log2(3), 6))


def test_sample_keeps_recent_unlabelled_top_n() -> None:
    def evaluation(key: str, days: float, a: str, b: str) -> Evaluation:
        at = NOW - int(days * DAY)
        verdicts = {"a": Verdict(a, 0.9), "b": Verdict(b, 0.9)}
        return Evaluation("triage", key, {"s": key}, verdicts, at)

    items = [
        evaluation("t1", 1, "x", "y"),
        evaluation("t2", 2, "x", "y"),
        evaluation("t3", 8, "x", "y"),  # too old
        evaluation("t4", 1, "x", "x"),  # nobody is unsure
        evaluation("t5", 1, "x", "y"),  # already labeled
    ]
    found = sampler.sample(items, {}, labeled={"t5"}, now=NOW, days=7, top=1)
    assert [(s.key, s.method) for s in found] == [("t1", "disagreement")]
    assert [s.key for s in sampler.sample(items, {}, labeled=(), now=NOW, top=10)] == [
        "t1",
        "t2",
        "t5",
    ]


def test_sample_judges_an_item_by_its_latest_evaluation() -> None:
    def evaluation(days: float, a: str, b: str) -> Evaluation:
        verdicts = {"a": Verdict(a, 0.9), "b": Verdict(b, 0.9)}
        return Evaluation("triage", "t", {}, verdicts, NOW - int(days * DAY))

    split, agreed = evaluation(1, "x", "y"), evaluation(3, "x", "x")
    for items in ([split, agreed], [agreed, split]):  # whatever the order they come in
        (found,) = sampler.sample(items, {}, labeled=(), now=NOW)
        assert (found.key, found.method) == ("t", "disagreement")
    settled = evaluation(0.5, "y", "y")
    assert sampler.sample([split, settled], {}, labeled=(), now=NOW) == []
    assert sampler.sample([settled, split], {}, labeled=(), now=NOW) == []


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("79927398713", True),
        ("4111 1111 1111 1111", True),
        ("4539-5787-6362-1486", True),
        ("4111111111111112", False),
        ("1234567812345678", False),
        ("0", False),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert pii.luhn(number) is valid


def test_redaction_masks_pii_and_keeps_the_rest() -> None:
    text = (
        "mail bob.smith@example.com or call (415) 555-0132; card 4111 1111 1111 1111, "
        "order 1234567812345678, ssn 123-45-6789, not ssn 000-12-3456, +1 650-253-0000"
    )
    counts: pii.Counter[str] = pii.Counter()
    redacted = pii.redact_text(text, counts)
    assert redacted == (
        "mail [email] or call [phone]; card [card], order 1234567812345678, ssn [ssn], "
        "not ssn 000-12-3456, [phone]"
    )
    assert dict(counts) == {"email": 1, "phone": 2, "card": 1, "ssn": 1}
    assert pii.redact_text(redacted) == redacted
    assert pii.redact({"a": ["x@y.io", 3], "b": {"c": "ok"}}) == {
        "a": ["[email]", 3],
        "b": {"c": "ok"},
    }


def test_jaccard_hand_vectors() -> None:
    assert curator.jaccard(frozenset("abc"), frozenset("bcd")) == 0.5
    assert curator.jaccard(frozenset(), frozenset()) == 1.0
    assert curator.jaccard(frozenset("ab"), frozenset("cd")) == 0.0
    a = curator.tokens({"risk": 70, "subject": "Pay Now", "n": {"x": 1}})
    assert a == frozenset({"/risk=70", "/subject~pay", "/subject~now", "/n/x=1"})
    listed = curator.tokens({"tags": ["Urgent", 3, {"k": None}], "pair": (True, "a b")})
    assert listed == frozenset(
        {"/tags/0~urgent", "/tags/1=3", "/tags/2/k=null", "/pair/0=true", "/pair/1~a", "/pair/1~b"}
    )


def test_diversity_is_one_minus_the_top_share() -> None:
    assert curator.diversity(["a"] * 9 + ["b"]) == pytest.approx(0.1)
    assert curator.diversity(["a", "b", "c", "a"]) == 0.5
    assert curator.diversity([]) == 0.0


def _incoming(i: int, label: str = "safe", **payload: object) -> curator.Incoming:
    body = payload or {"risk": i, "size": i * 7 % 13, "domain_age": i * 31 % 97}
    return curator.Incoming(
        Example("triage", f"t{i}", body, label, "gold", f"g{i}", 100, NOW, notes="")
    )


def test_curator_drops_with_reasons() -> None:
    existing = [_incoming(1).example]
    batch = [
        _incoming(1),  # same source id
        curator.Incoming(
            Example("triage", "t1", existing[0].payload, "safe", "gold", "other", 100, NOW)
        ),  # same content
        _incoming(2, generated_by="learnbot"),
        curator.Incoming(_incoming(3).example, origin="learnbot[bot]"),
        _incoming(4, note="write to eve@example.org"),
        _incoming(5, **{f"f{n}": n for n in range(20)}),
        _incoming(6, **{f"f{n}": n for n in range(21)}),  # 20 of 21 shared: 0.952
    ]
    found = curator.curate(batch, existing)
    reasons = dict(found.dropped)
    assert reasons["triage/gold/g1"].startswith("duplicate: gold g1")
    assert reasons["triage/gold/other"].startswith("duplicate: the same key")
    assert reasons["triage/gold/g2"].startswith("self-loop: labelled by learnbot")
    assert reasons["triage/gold/g3"].startswith("self-loop: labelled by learnbot[bot]")
    assert reasons["triage/gold/g6"].startswith("near-duplicate: Jaccard 0.952 >= 0.95")
    assert [e.source_id for e in found.accepted] == ["g4", "g5"]
    assert found.accepted[0].payload == {"note": "write to [email]"}
    assert found.redactions == {"email": 1}


def test_curator_refuses_a_batch_below_the_diversity_floor() -> None:
    same = [_incoming(i) for i in range(10, 20)]
    found = curator.curate(same, [])
    assert not found.accepted and len(found.dropped) == 10
    assert "label diversity 0.000 < floor 0.1" in found.dropped[0][1]
    mixed = [_incoming(i, "phish" if i % 3 == 0 else "safe") for i in range(10, 20)]
    assert len(curator.curate(mixed, []).accepted) == 10
    small = [_incoming(i) for i in range(10, 14)]  # under the minimum batch: not judged
    assert len(curator.curate(small, []).accepted) == 4


def test_feeds_labels_and_confidences() -> None:
    approvals = feeds.examples(
        "approvals",
        [
            {
                "agent": "triage",
                "key": "t1",
                "id": "r1",
                "action": "quarantine",
                "decision": "approved",
                "payload": {"risk": 80},
            },
            {
                "agent": "triage",
                "key": "t2",
                "id": "r2",
                "action": "quarantine",
                "decision": "rejected",
                "at": "2026-01-02T00:00:00Z",
            },
        ],
        now=NOW,
    )
    assert [(i.example.label, i.example.confidence, i.example.at) for i in approvals] == [
        ("quarantine_approved", 100, NOW),
        ("quarantine_rejected", 100, parse_time("2026-01-02T00:00:00Z")),
    ]
    rows = [{"agent": "w", "key": "a", "thumbs": "up"}] * 4 + [
        {"agent": "w", "key": "a", "thumbs": "down"},
        {"agent": "w", "key": "b", "thumbs_up": 3, "thumbs_down": 2},
        {"agent": "w", "key": "c", "thumbs_up": 29, "thumbs_down": 71},
        {"agent": "w", "key": "d", "thumbs_up": 0, "thumbs_down": 0},
    ]
    found = {i.example.key: i.example for i in feeds.examples("feedback", rows, now=NOW)}
    assert (found["a"].label, found["a"].confidence) == ("high_quality", 80)
    assert (found["b"].label, found["b"].confidence) == ("medium_quality", 60)
    assert (found["c"].label, found["c"].confidence) == ("low_quality", int(0.29 * 100))
    assert "d" not in found
    (gold,) = feeds.examples("gold", [{"agent": "w", "key": "g", "label": "ok"}], now=NOW)
    assert (gold.example.confidence, gold.example.source, gold.example.source_id) == (
        100,
        "gold",
        "g",
    )
    with pytest.raises(ValueError, match="unknown feed"):
        feeds.examples("rumours", [], now=NOW)
