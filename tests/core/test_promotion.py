"""promotion: commits on the default branch and closed pull requests -> ledger entries."""

from __future__ import annotations

from typing import Any

from bot.core.history import History
from bot.core.promotion import Closed, Observed, decide
from bot.model.entries import Versions
from bot.model.trailers import ProposalTrailers
from tests.builders import manual_change, promotion, sealed

AT = "2026-01-20T00:00:00Z"
DECLARED = ProposalTrailers(
    proposal_id="proposal_1",
    failure_id="failure_c_1",
    report_sha256="r",
    learner="backtest",
    proposal_type="threshold_adjustment",
    subject="c",
    changes=("p.limit",),
)


def _merge(sha: str = "m1", **extra: Any) -> Observed:
    fields: dict[str, Any] = {
        "sha": sha,
        "at": AT,
        "author": "alice",
        "subject": "Merge pull request #3",
        "proposal": DECLARED,
        "proposal_head": "h1",
        "pr": 3,
        "approvers": ("bob",),
        "versions_before": {"p": 1},
        "versions_after": {"p": 2},
        "changed": ("policies/p.yaml",),
        "pass_rate": 0.9,
        "gate": {"allowed": True},
        "changes": ("p.limit",),
        "parent": "base",
        "values": {"p.limit": {"from": 0.5, "to": 0.4}},
    }
    return Observed(**{**fields, **extra})


def test_promotion_a_merged_proposal_is_a_promotion() -> None:
    (entry,) = decide([_merge(verification=((), ()))], [], History(), at=AT).payloads()
    assert entry == {
        "verified": True,
        "reasons": [],
        "regressions": [],
        "type": "promotion",
        "at": AT,
        "commit": "m1",
        "parent": "base",
        "head": "h1",
        "pr": 3,
        "proposal_id": "proposal_1",
        "failure_id": "failure_c_1",
        "failure_status": "resolved",
        "subject": "c",
        "learner": "backtest",
        "proposal_type": "threshold_adjustment",
        "report_sha256": "r",
        "approvers": ["bob"],
        "merged_by": "alice",
        "changes": ["p.limit"],
        "values": {"p.limit": {"from": 0.5, "to": 0.4}},
        "versions": {"p": {"from": 1, "to": 2}},
        "gate": {"allowed": True},
        "pass_rate": 0.9,
    }


def test_promotion_a_revert_is_a_rollback_that_bumps_versions_forward() -> None:
    revert = Observed(
        sha="r1",
        at=AT,
        author="carol",
        subject="Revert",
        proposal=None,
        reverts="m1",
        versions_before={"p": 2},
        versions_after={"p": 1},
        changed=("policies/p.yaml",),
    )
    decision = decide([_merge(), revert], [], History(), at=AT)
    _, rollback = decision.payloads()
    assert rollback["type"] == "rollback" and rollback["reverted"] == "m1"
    assert rollback["versions"] == {"p": {"from": 1, "to": 3}}
    assert rollback["proposal_id"] == "proposal_1" and rollback["failure_status"] == "reopened"
    assert decision.bumps == {"p": 3}
    # a second revert of the same promotion goes past the bump already planned
    again = decide(
        [_merge(), revert, Observed("r2", AT, "d", "Revert", None, reverts="m1")],
        [],
        History(),
        at=AT,
    )
    # a second revert that changes nothing moves no version (only changed policies move)
    assert again.payloads()[2]["versions"] == {}


def test_promotion_without_a_verification_is_not_verified() -> None:
    (entry,) = decide([_merge()], [], History(), at=AT).payloads()
    assert entry["verified"] is False and entry["reasons"] == ["not verified after the merge"]


def test_promotion_a_revert_of_something_else_is_a_manual_change_or_nothing() -> None:
    unknown = Observed("r1", AT, "carol", "Revert x", None, reverts="zzz")
    assert decide([unknown], [], History(), at=AT).payloads() == ()
    edited = Observed(
        "e1",
        AT,
        "dave",
        "tune by hand",
        None,
        versions_before={"p": 2, "q": 1},
        versions_after={"p": 2, "q": 2},
        changed=("policies/p.yaml", "policies/q.yaml", "cases/c.yaml"),
        pass_rate=0.5,
    )
    (entry,) = decide([edited], [], History(), at=AT).payloads()
    assert entry["type"] == "manual_change" and entry["unbumped"] == ["p"]
    assert entry["versions"] == {"q": {"from": 1, "to": 2}}
    assert entry["files"] == ["policies/p.yaml", "policies/q.yaml", "cases/c.yaml"]


def test_promotion_rejections_and_nothing_twice() -> None:
    closed = Closed(7, "h7", {"proposal_id": "proposal_7", "failure_id": "f7", "subject": "s"})
    first = decide([_merge()], [closed], History(), at=AT)
    kinds = [(e["type"], e.get("pr")) for e in first.payloads()]
    assert kinds == [("promotion", 3), ("rejection", 7)]
    recorded = History(sealed(*first.entries))
    assert decide([_merge()], [closed], recorded, at=AT).payloads() == ()


def test_promotion_rollback_goes_past_every_version_the_ledger_saw() -> None:
    seen = History.of(
        [
            promotion("m1", versions=Versions({"p": (1, 2)})),
            manual_change("x", versions=Versions({"p": (2, 5)})),
        ]
    )
    revert = Observed("r1", AT, "c", "Revert", None, reverts="m1", versions_after={"p": 1})
    (entry,) = decide([revert], [], seen, at=AT).payloads()
    assert entry["versions"] == {"p": {"from": 1, "to": 6}}


def test_promotion_a_merged_labels_pull_request_is_a_labels_entry() -> None:
    merged = _merge(
        "m9",
        proposal=None,
        labels="import_20260120",
        examples=12,
        changed=("cases/labels/triage.jsonl",),
        author="carol",
        versions_before={},
        versions_after={},
        values={},
    )
    (entry,) = decide([merged], [], History(), at=AT).payloads()
    assert entry == {
        "type": "labels",
        "at": AT,
        "commit": "m9",
        "parent": "base",
        "pr": 3,
        "labels": "import_20260120",
        "merged_by": "carol",
        "files": ["cases/labels/triage.jsonl"],
        "examples": 12,
        "pass_rate": 0.9,
        "versions": {},  # a labels pull request bumps no policy
    }
    recorded = History(sealed(*decide([merged], [], History(), at=AT).entries))
    assert decide([merged], [], recorded, at=AT).payloads() == ()  # recorded once
