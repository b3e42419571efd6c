"""Every kind of ledger entry, with and without each optional field, as typed values."""

from __future__ import annotations

from bot.model.entries import (
    Entry,
    LabelsImport,
    ManualChange,
    Promotion,
    Rejection,
    Rollback,
    Tamper,
    Versions,
)

AT = "2026-01-20T00:00:00Z"
VALUES = {"p.limit": {"from": 0.5, "to": 0.4}, "q.terms": {"from": ["a"], "to": ["a", "b"]}}
MOVED = Versions({"p": (1, 2), "q": (3, 5)}, ("q",))
GATE = {"allowed": True, "criteria": [{"name": "pass_rate", "value": 0.9, "limit": 0.8}]}

# the key order of each kind's `to_dict`, every optional key present (seal keys last)
ORDER = {
    "promotion": (
        "forced",
        "verified",
        "reasons",
        "regressions",
        "type",
        "at",
        "commit",
        "parent",
        "head",
        "pr",
        "proposal_id",
        "failure_id",
        "failure_status",
        "subject",
        "learner",
        "proposal_type",
        "report_sha256",
        "approvers",
        "merged_by",
        "changes",
        "values",
        "gate",
        "pass_rate",
        "versions",
        "forwarded",
    ),
    "rollback": (
        "type",
        "at",
        "commit",
        "reverted",
        "pr",
        "proposal_id",
        "failure_id",
        "failure_status",
        "subject",
        "learner",
        "proposal_type",
        "reverted_by",
        "values",
        "pass_rate",
        "note",
        "versions",
        "forwarded",
    ),
    "manual_change": (
        "type",
        "at",
        "commit",
        "author",
        "subject",
        "files",
        "values",
        "unbumped",
        "pass_rate",
        "versions",
        "forwarded",
    ),
    "labels": (
        "type",
        "at",
        "commit",
        "parent",
        "pr",
        "labels",
        "merged_by",
        "files",
        "examples",
        "pass_rate",
        "versions",
        "forwarded",
    ),
    "rejection": (
        "type",
        "at",
        "pr",
        "head",
        "proposal_id",
        "failure_id",
        "subject",
        "learner",
        "proposal_type",
        "note",
    ),
    "tamper": ("type", "at", "commit", "file", "line", "reason", "note"),
}
SEALED = ("seq", "prev", "sha256")


def _promotions() -> list[Entry]:
    full = Promotion(
        at=AT,
        commit="m" * 40,
        parent="b" * 40,
        head="h" * 40,
        pr=3,
        proposal_id="proposal_1",
        failure_id="failure_1",
        subject="policy p, rule limit",
        learner="backtest",
        proposal_type="threshold",
        report_sha256="r" * 64,
        approvers=("bob", "carol"),
        merged_by="alice",
        changes=("p.limit",),
        values=VALUES,
        gate=GATE,
        pass_rate=0.875,
        reasons=("not verified after the merge",),
        regressions=("case-1", "case-2"),
        forced=("the check failed",),
        versions=MOVED,
    )
    bare = Promotion(
        at=AT,
        commit="n" * 40,
        parent=None,
        head=None,
        pr=None,
        proposal_id="proposal_2",
        failure_id="failure_2",
        subject="",
        learner="weights",
        proposal_type="weight",
        report_sha256="s" * 64,
        approvers=(),
        merged_by="alice",
        changes=(),
        values={},
        gate={},
        pass_rate=0.0,
    )
    unforwarded = Promotion(
        **{**_fields(bare), "commit": "o" * 40, "versions": Versions({"p": (2, 3)})}
    )
    return [full, bare, unforwarded]


def _fields(entry: Promotion) -> dict[str, object]:
    return {
        name: getattr(entry, name)
        for name in (
            "at",
            "commit",
            "parent",
            "head",
            "pr",
            "proposal_id",
            "failure_id",
            "subject",
            "learner",
            "proposal_type",
            "report_sha256",
            "approvers",
            "merged_by",
            "changes",
            "values",
            "gate",
            "pass_rate",
        )
    }


def _rollbacks() -> list[Entry]:
    full = Rollback(
        at=AT,
        commit="v" * 40,
        reverted="m" * 40,
        pr=3,
        proposal_id="proposal_1",
        failure_id="failure_1",
        subject="policy p, rule limit",
        learner="backtest",
        proposal_type="threshold",
        reverted_by="dave",
        values=VALUES,
        pass_rate=0.5,
        versions=MOVED,
    )
    bare = Rollback(
        at=AT,
        commit="w" * 40,
        reverted="x" * 40,
        pr=None,
        proposal_id=None,
        failure_id=None,
        subject=None,
        learner=None,
        proposal_type=None,
        reverted_by="dave",
        values={},
        pass_rate=1.0,
    )
    return [full, bare]


def _manual() -> list[Entry]:
    full = ManualChange(
        at=AT,
        commit="e" * 40,
        author="erin",
        subject="a hand edit",
        files=("policies/p.yaml", "cases/c.yaml"),
        values=VALUES,
        unbumped=("p",),
        pass_rate=0.25,
        versions=MOVED,
    )
    bare = ManualChange(
        at=AT,
        commit="f" * 40,
        author="erin",
        subject="",
        files=(),
        values={},
        unbumped=(),
        pass_rate=0.0,
    )
    return [full, bare]


def _labels() -> list[Entry]:
    full = LabelsImport(
        at=AT,
        commit="l" * 40,
        parent="b" * 40,
        pr=4,
        labels="import-1",
        merged_by="frank",
        files=("cases/labels/a.jsonl",),
        examples=7,
        pass_rate=0.75,
        versions=MOVED,
    )
    bare = LabelsImport(
        at=AT,
        commit="k" * 40,
        parent=None,
        pr=None,
        labels="",
        merged_by="frank",
        files=(),
        examples=0,
        pass_rate=0.0,
    )
    return [full, bare]


def _rejections() -> list[Entry]:
    full = Rejection(
        at=AT,
        pr=5,
        head="j" * 40,
        proposal_id="proposal_3",
        failure_id="failure_3",
        subject="d",
        learner="karma",
        proposal_type="karma",
    )
    bare = Rejection(
        at=AT,
        pr=6,
        head="i" * 40,
        proposal_id=None,
        failure_id=None,
        subject=None,
        learner=None,
        proposal_type=None,
    )
    return [full, bare]


def every_kind() -> list[Entry]:
    """Each kind's entries: every optional field set, then none (unsealed)."""
    tamper = Tamper(AT, "t" * 40, "ledgers/learning.jsonl", 2, "rewrites history")
    return [*_promotions(), *_rollbacks(), *_manual(), *_labels(), *_rejections(), tamper]
