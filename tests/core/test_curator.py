"""The curator: Jaccard and diversity hand vectors, and why a labeled example is dropped."""

from __future__ import annotations

import pytest

from bot.core import curator
from bot.model import parse_time
from bot.model.labels import Example

NOW = parse_time("2026-01-20T00:00:00Z")


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
