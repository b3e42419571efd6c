"""Post-merge verification rules as values."""

from __future__ import annotations

from typing import Any

from bot.core.verification import Merged, regressions, verify


def _report(
    regressed: list[str], after: dict[str, str], source: str | None = "c1"
) -> dict[str, Any]:
    return {
        "source_case": source,
        "delta": {"regressed_cases": regressed, "fixed_cases": []},
        "case_details": [{"case_id": k, "proposal_status": v} for k, v in after.items()],
    }


def test_verification_a_clean_merge_that_fixes_its_case_is_verified() -> None:
    merged = Merged(None, (), (), _report([], {"c1": "HIT", "c2": "HIT"}))
    assert verify(merged) == () and regressions(merged.report) == ()


def test_verification_every_reason_is_named() -> None:
    merged = Merged(
        "a" * 40,
        ("check learnbot/stabilization is missing on bbbbbbbbbbbb",),
        (),
        _report(["c2", "c3"], {"c1": "MISS", "c2": "MISS", "c3": "ABSTAIN"}),
    )
    reasons = verify(merged)
    assert reasons[0].startswith("stale base: the branch was cut from aaaaaaaaaaaa")
    assert reasons[1:] == (
        "check learnbot/stabilization is missing on bbbbbbbbbbbb",
        "regressions found after merge: c2, c3",
        "the merged result does not fix c1, the case it was proposed for",
    )
    assert regressions(merged.report) == ("c2", "c3")


def test_verification_out_of_scope_merges_are_not_replayed() -> None:
    merged = Merged(None, (), ("a.b: changed but not declared by the proposal",), None)
    assert verify(merged) == ("out of scope: a.b: changed but not declared by the proposal",)
    assert regressions(None) == ()


def test_verification_a_merge_that_could_not_be_replayed_is_not_verified() -> None:
    assert verify(Merged(None, (), (), None)) == ("the merged change could not be replayed",)


def test_verification_learners_without_a_source_case_need_no_fix() -> None:
    assert verify(Merged(None, (), (), _report([], {"c2": "HIT"}, source=None))) == ()
