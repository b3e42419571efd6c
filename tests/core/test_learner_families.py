"""The trainer on a family's cases: shared thresholds, the fit, what it fixes and breaks."""

from __future__ import annotations

from typing import Any

import numpy as np

from bot.core.learners import Context, families, trainer
from bot.model import Case, Config, format_time
from tests.builders import END, case, event, params, policy, snapshot

# (case, family, count of its term in the window, expect)
ROWS = (
    ("f_low_a", "f", 2, "fire"),  # missed under min_count 3: a threshold of 2 fixes them
    ("f_low_b", "f", 2, "fire"),
    ("f_high", "f", 5, "fire"),
    ("f_quiet", "f", 1, "quiet"),
    ("f_edge", "f", 2, "quiet"),  # broken by a threshold of 2
    ("g_other", "g", 2, "quiet"),  # another family reading the same parameter: broken too
    ("g_fine", "g", 6, "fire"),
)
EVENTS = [event(h + 1, term=name) for name, _, count, _ in ROWS for h in range(count)]
SNAP = snapshot([*EVENTS, event(24 * 20, term="old")])


def _case(name: str, family: str, expect: str, **extra: Any) -> Case:
    trigger = {"kind": "count", "match": {"term": name}, "threshold": "p.min_count"}
    data = {"family": family, "expect": expect, "triggers": [trigger], **extra}
    return case(name, SNAP.sha256, **data)


CASES = {name: _case(name, family, expect) for name, family, _, expect in ROWS}


def _context(cases: dict[str, Case] = CASES) -> Context:
    return Context(
        config=Config(),
        cases=cases,
        params=params(policy()),
        snapshots={SNAP.sha256: SNAP},
        failures=(),
        at=END,
    )


def _fitter(split: float | None) -> trainer.Fitter:
    def fit(x: np.ndarray, y: np.ndarray) -> trainer.Fit:
        return trainer.Fit((split,), (1.0,))

    return fit


def test_families_features_are_the_thresholds_every_case_reads_with_the_same_op() -> None:
    count = {"kind": "count", "match": {"term": "x"}, "threshold": "p.min_count"}
    share = {"kind": "count", "match": {"term": "y"}, "threshold": "p.limit"}
    a = case("a", triggers=[count, share])
    b = case("b", triggers=[{**share, "op": "<="}, count])
    assert families.features([a, b]) == (trainer.Feature("p.min_count", "p.min_count", ">="),)
    assert [f.parameter for f in families.features([a])] == ["p.limit", "p.min_count"]
    assert families.features([]) == ()


def test_families_fit_finds_what_a_family_wide_threshold_fixes_and_breaks() -> None:
    found = families.fit(_context(), "f", _fitter(1.5), {})
    assert isinstance(found, families.FamilyFit)
    (change,) = found.changes
    assert (change.key, change.old, change.new) == ("p.min_count", 3, 2)
    assert found.cases == ("f_edge", "f_high", "f_low_a", "f_low_b", "f_quiet")
    assert found.fixed == ("f_low_a", "f_low_b")
    assert found.broken == ("f_edge", "g_other")  # every reader of the parameter is replayed
    assert found.trained.examples == 5 and found.trained.positives == 3
    assert found.trained.values == {"p.min_count": 2}


def test_families_fit_without_a_split_changes_nothing() -> None:
    found = families.fit(_context(), "f", _fitter(None), {})
    assert isinstance(found, families.FamilyFit)
    assert found.changes == () and found.fixed == () and found.broken == ()


def test_families_fit_says_why_a_family_is_too_small() -> None:
    assert families.fit(_context(), "g", _fitter(1.5), {}) == ("family 'g' has 2 case(s), 4 needed")
    assert families.fit(_context(), "f", _fitter(1.5), {"min_cases": 6}) == (
        "family 'f' has 5 case(s), 6 needed"
    )
    small = families.fit(_context(), "g", _fitter(1.5), {"min_cases": 2})
    assert isinstance(small, families.FamilyFit)
    assert small.trained.folds == 2  # never more folds than cases


def test_families_fit_needs_a_shared_threshold() -> None:
    other = {"kind": "count", "match": {"term": "x"}, "threshold": "p.limit"}
    cases = {**CASES, "f_high": _case("f_high", "f", "fire", triggers=[other])}
    assert families.fit(_context(cases), "f", _fitter(1.5), {}) == (
        "the cases of family 'f' share no trigger threshold"
    )


def test_families_fit_counts_only_cases_that_measured_every_threshold() -> None:
    # a window before the snapshot starts measures nothing
    early = {"end": format_time(END - 40 * 86400), "days": "p.window_days"}
    cases = {**CASES, "f_high": _case("f_high", "f", "fire", window=early)}
    assert families.fit(_context(cases), "f", _fitter(1.5), {"min_cases": 5}) == (
        "family 'f': 4 case(s) measured every threshold, 5 needed"
    )


def test_families_rationale_names_the_trade_off_only_when_something_breaks() -> None:
    found = families.fit(_context(), "f", _fitter(1.5), {})
    assert isinstance(found, families.FamilyFit)
    text = families.rationale("f", found)
    assert text.startswith("Fit family f's thresholds to its 5 cases")
    assert "fixes f_low_a, f_low_b." in text
    assert "Trade-off: it breaks f_edge, g_other (unprotected)" in text
    unchanged = families.fit(_context(), "f", _fitter(None), {})
    assert isinstance(unchanged, families.FamilyFit)
    plain = families.rationale("f", unchanged)
    assert "fixes none." in plain and "Trade-off" not in plain


def test_families_candidate_explains_each_threshold_and_names_its_impact() -> None:
    found = families.fit(_context(), "f", _fitter(1.5), {})
    assert isinstance(found, families.FamilyFit)
    chosen = families.candidate("f", found, _context())
    assert chosen.proposal_type == "family_thresholds"
    assert chosen.changes == found.changes
    assert chosen.impact == tuple(sorted(CASES))
    assert chosen.explanation == (
        {
            "feature": "p.min_count",
            "rule": "measured >= value",
            "old": "3",
            "new": "2",
            "importance": "1.000",
        },
    )
