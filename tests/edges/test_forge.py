"""The forge-neutral helpers: titles GitHub accepts."""

from __future__ import annotations

import pytest

from bot.edges.forge import TITLE_LIMIT, fit_title


@pytest.mark.parametrize("length", [0, 1, TITLE_LIMIT - 1, TITLE_LIMIT])
def test_fit_title_keeps_titles_within_the_limit(length: int) -> None:
    assert fit_title("x" * length) == "x" * length


@pytest.mark.parametrize("length", [TITLE_LIMIT + 1, 2 * TITLE_LIMIT])
def test_fit_title_cuts_longer_titles_with_an_ellipsis(length: int) -> None:
    cut = fit_title("x" * length)
    assert len(cut) == TITLE_LIMIT and cut == "x" * (TITLE_LIMIT - 1) + "\u2026"


def test_fit_title_does_not_leave_a_space_before_the_ellipsis() -> None:
    assert fit_title("ab " * 100).endswith("ab\u2026")
