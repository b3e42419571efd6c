"""reconcile: desired proposals vs existing pull requests -> one action per branch."""

from __future__ import annotations

from bot.core import reconcile
from bot.core.reconcile import Desired, Existing


def _want(subject: str, proposal: str = "p1", keys: tuple[str, ...] = ("k",)) -> Desired:
    return Desired(f"learnbot/{subject}", subject, proposal, f"f_{subject}", f"c_{proposal}", keys)


def _pr(number: int, subject: str, proposal: str = "p1", **extra: object) -> Existing:
    fields: dict[str, object] = {
        "number": number,
        "branch": f"learnbot/{subject}",
        "state": "open",
        "proposal_id": proposal,
        "failure_id": f"f_{subject}",
        "content": f"c_{proposal}",
        "keys": ("k",),
    }
    return Existing(**{**fields, **extra})  # type: ignore[arg-type]


def _plan(
    desired: list[Desired],
    existing: list[Existing],
    closing: dict[str, str] | None = None,
    max_open: int = 10,
    max_new: int = 5,
) -> list[tuple[str, str, int | None]]:
    actions = reconcile.reconcile(
        desired, existing, closing=closing or {}, max_open=max_open, max_new=max_new
    )
    return [(a.kind, a.subject, a.number) for a in actions]


def test_reconcile_same_proposal_same_content_is_kept() -> None:
    assert _plan([_want("a")], [_pr(1, "a")]) == [("keep", "a", 1)]


def test_reconcile_new_evidence_updates_unless_a_person_edited() -> None:
    assert _plan([_want("a", "p2")], [_pr(1, "a")]) == [("update", "a", 1)]
    edited = _pr(1, "a", edited_by_person=True)
    assert _plan([_want("a", "p2")], [edited]) == [("edited", "a", 1)]


def test_reconcile_undesired_pull_requests_close_or_are_kept() -> None:
    closing = {"learnbot/a": "superseded: fixed"}
    actions = reconcile.reconcile(
        [], [_pr(1, "a"), _pr(2, "b")], closing=closing, max_open=10, max_new=5
    )
    assert [(a.kind, a.number, a.reason) for a in actions] == [
        ("close", 1, "superseded: fixed"),
        ("keep", 2, "kept: its subject was not evaluated this run"),
    ]


def test_reconcile_a_rejected_proposal_or_failure_is_not_reopened() -> None:
    rejected = _pr(4, "a", state="closed", rejected=True)
    assert _plan([_want("a")], [rejected]) == [("rejected", "a", 4)]
    other_proposal = _pr(4, "a", "p9", state="closed", rejected=True)
    assert _plan([_want("a", "p2")], [other_proposal]) == [("rejected", "a", 4)]
    superseded = _pr(4, "a", state="closed")
    assert _plan([_want("a")], [superseded]) == [("open", "a", None)]


def test_reconcile_one_writer_per_key() -> None:
    kept = ("keep", "learnbot/a", 1)  # not desired this run: its subject is its branch
    assert _plan([_want("b")], [_pr(1, "a")]) == [kept, ("blocked", "b", None)]
    actions = reconcile.reconcile([_want("a"), _want("b")], [], closing={}, max_open=10, max_new=5)
    assert [(a.kind, a.reason) for a in actions] == [
        ("open", "new proposal"),
        ("blocked", "waiting for a proposal opened this run (one writer per parameter: k)"),
    ]
    closing_pr = _pr(1, "a", keys=("k",))
    assert _plan([_want("b")], [closing_pr], {"learnbot/a": "fixed"}) == [
        ("close", "learnbot/a", 1),
        ("open", "b", None),
    ]


def test_reconcile_limits_hold_the_rest_back() -> None:
    wanted = [_want(s, keys=(s,)) for s in ("a", "b", "c")]
    assert [k for k, _, _ in _plan(wanted, [], max_new=2)] == ["open", "open", "held"]
    assert [k for k, _, _ in _plan(wanted, [_pr(9, "z", keys=("z",))], max_open=2)] == [
        "keep",
        "open",
        "held",
        "held",
    ]
