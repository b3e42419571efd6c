"""Desired proposals vs open pull requests: one writer per parameter."""

from __future__ import annotations

from bot.core.reconcile import BLOCKED, KEEP, OPEN, UPDATE, Desired, Existing, reconcile


def _want(subject: str, keys: tuple[str, ...], proposal: str = "p") -> Desired:
    return Desired(
        f"learnbot/{subject}", subject, f"{proposal}-{subject}", f"f-{subject}", "c", keys
    )


def _open(number: int, subject: str, keys: tuple[str, ...], proposal: str = "p") -> Existing:
    return Existing(
        number, f"learnbot/{subject}", "open", f"{proposal}-{subject}", f"f-{subject}", "c", keys
    )


def test_reconcile_a_second_writer_of_a_parameter_waits_for_the_open_one() -> None:
    actions = reconcile(
        [_want("a", ("pol.x",)), _want("b", ("pol.x", "pol.y")), _want("c", ("pol.z",))],
        [_open(7, "a", ("pol.x",))],
        closing={},
        max_open=10,
        max_new=10,
    )
    by = {a.subject: a for a in actions}
    assert by["a"].kind == KEEP and by["c"].kind == OPEN
    assert by["b"].kind == BLOCKED
    assert by["b"].reason == "waiting for #7 (one writer per parameter: pol.x)"


def test_reconcile_a_proposal_opened_in_the_same_run_holds_its_keys() -> None:
    actions = reconcile(
        [_want("a", ("pol.x",)), _want("b", ("pol.x",))], [], closing={}, max_open=10, max_new=10
    )
    assert [a.kind for a in actions] == [OPEN, BLOCKED]
    assert actions[1].reason.startswith("waiting for a proposal opened this run")


def test_reconcile_new_evidence_rebuilds_only_the_changed_proposal() -> None:
    actions = reconcile(
        [_want("a", ("pol.x",), proposal="new"), _want("b", ("pol.y",))],
        [_open(1, "a", ("pol.x",)), _open(2, "b", ("pol.y",))],
        closing={},
        max_open=10,
        max_new=0,
    )
    assert [(a.subject, a.kind) for a in actions] == [("a", UPDATE), ("b", KEEP)]
