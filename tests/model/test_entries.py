"""Ledger entries are typed values that re-serialise to the very bytes the ledger holds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.core import canonical, ledger
from bot.core.history import History
from bot.core.promotion import Closed, Observed, decide
from bot.model.entries import (
    KINDS,
    Entry,
    LabelsImport,
    ManualChange,
    Promotion,
    Rejection,
    Rollback,
    Tamper,
    entry_from_dict,
)
from bot.model.trailers import ProposalTrailers
from tests.model.generated_entries import ORDER, SEALED, every_kind
from tests.repos import ROOT

AT = "2026-01-20T00:00:00Z"


GOLDEN = ROOT / "tests" / "fixtures" / "ledgers" / "every_kind.jsonl"


def in_order(entry: Mapping[str, Any]) -> bool:
    """Whether an entry's keys come in its kind's order (seal keys last)."""
    return list(entry) == [k for k in (*ORDER[entry["type"]], *SEALED) if k in entry]


def reserialised(data: bytes) -> bytes:
    """Every line of a ledger read as a typed entry and written back: the same dict, its keys
    in the kind's order, the same canonical line."""
    lines = [json.loads(line) for line in data.splitlines()]
    typed = [entry_from_dict(entry).to_dict() for entry in lines]
    assert typed == lines and all(in_order(entry) for entry in typed)
    return b"".join(canonical.dumps(entry).encode() + b"\n" for entry in typed)


def _commit(sha: str, **extra: object) -> Observed:
    fields: dict[str, object] = {
        "sha": sha,
        "at": AT,
        "author": "alice",
        "subject": f"commit {sha}",
        "proposal": None,
        "versions_before": {"p": 1},
        "versions_after": {"p": 1},
        "changed": ("policies/p.yaml",),
        "pass_rate": 0.875,
        "values": {"p.limit": {"from": 0.5, "to": 0.4}},
        "parent": "base",
    }
    return Observed(**{**fields, **extra})  # type: ignore[arg-type]


def _every_kind() -> bytes:
    merged = _commit(
        "m1",
        proposal=ProposalTrailers("proposal_1", "failure_1", "r", "backtest", "t", "c", ("p.x",)),
        proposal_head="h1",
        pr=3,
        approvers=("bob",),
        versions_after={"p": 2},
        changes=("p.limit",),
        gate={"allowed": True, "criteria": [{"name": "n", "value": 1.5}]},
        forced=("the check failed",),
    )
    first = decide([merged], [], History(), at=AT)
    sealed, tail = ledger.seal(first.payloads(), ledger.Tail())
    history = History.read(ledger.entries(sealed))
    commits = [
        _commit("r1", reverts="m1"),
        _commit("e1", subject="a hand edit"),
        _commit("l1", labels="import-1", pr=4, examples=7, changed=("cases/labels/a.jsonl",)),
    ]
    closed = [Closed(5, "h5", {"proposal_id": "proposal_2", "type": "t", "subject": "d"})]
    second = decide(commits, closed, history, at=AT)
    tampered = Tamper(AT, "t" * 40, "ledgers/learning.jsonl", 2, "rewrites history")
    payloads = (*second.payloads(), tampered.to_dict())
    return sealed + ledger.seal(payloads, tail)[0]


def test_entries_every_kind_is_typed_and_reserialises_to_the_same_bytes() -> None:
    data = _every_kind()
    assert ledger.verify(data).ok
    found = [entry_from_dict(e) for e in ledger.entries(data)]
    kinds = [Promotion, Rollback, ManualChange, LabelsImport, Rejection, Tamper]
    assert [type(e) for e in found] == kinds
    assert {e.type_ for e in found} == set(KINDS)
    assert all(e.seal is not None and e.seal.seq == i for i, e in enumerate(found, start=1))
    assert reserialised(data) == data


def test_entries_keep_what_the_ledger_says_as_values() -> None:
    promotion, rollback, manual, *_ = (entry_from_dict(e) for e in ledger.entries(_every_kind()))
    assert isinstance(promotion, Promotion) and isinstance(rollback, Rollback)
    assert promotion.forced == ("the check failed",) and promotion.reasons
    assert promotion.versions.moves == {"p": (1, 2)}
    assert rollback.reverted == "m1" and rollback.proposal_id == "proposal_1"
    assert isinstance(manual, ManualChange) and manual.versions.forwarded == ("p",)


def test_entries_an_unknown_kind_or_a_missing_field_is_an_error() -> None:
    with pytest.raises(KeyError):
        entry_from_dict({"type": "something_else"})
    with pytest.raises(KeyError):
        entry_from_dict({"type": "rejection", "at": AT})


@pytest.mark.parametrize("path", sorted((ROOT / "ledgers").glob("*.jsonl")), ids=lambda p: p.name)
def test_entries_the_example_ledgers_verify_and_reserialise_identically(path: Path) -> None:
    data = path.read_bytes()
    assert ledger.verify(data).ok
    assert reserialised(data) == data


def test_entries_every_optional_field_seals_to_the_recorded_bytes() -> None:
    generated = every_kind()
    assert {e.type_ for e in generated} == set(KINDS)
    sealed, _ = ledger.seal([e.to_dict() for e in generated], ledger.Tail())
    assert sealed == GOLDEN.read_bytes()
    assert reserialised(sealed) == sealed


@pytest.mark.parametrize("entry", every_kind(), ids=lambda e: e.type_)
def test_entries_round_trip_unsealed_in_the_kinds_key_order(entry: Entry) -> None:
    data = entry.to_dict()
    assert in_order(data) and "seq" not in data
    assert entry_from_dict(data) == entry
    assert list(entry_from_dict(data).to_dict()) == list(data)
