"""Two-sample significance tests for rollouts (001, 004): Welch's t-test and Mann-Whitney U.

scipy computes the statistics and p-values; this module fixes the conventions: the candidate
is the first sample (a positive statistic means the candidate measured higher), tests are
two-sided, and a degenerate test (both samples constant) gives a definite answer instead of NaN.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Test:
    """A test's outcome: its name, statistic and two-sided p-value."""

    method: str
    statistic: float
    p_value: float


def welch(candidate: Sequence[float], control: Sequence[float]) -> Test:
    """Welch's unequal-variance t-test (the default): do the means differ?"""
    degenerate = _constant("welch", candidate, control)
    if degenerate is not None:
        return degenerate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant data: precision notes
        found = stats.ttest_ind(candidate, control, equal_var=False)
    return Test("welch", float(found.statistic), float(found.pvalue))


def mann_whitney(candidate: Sequence[float], control: Sequence[float]) -> Test:
    """Mann-Whitney U (rank based, for skewed metrics such as latency): U of the candidate."""
    degenerate = _constant("mann_whitney", candidate, control)
    if degenerate is not None:
        return degenerate
    found = stats.mannwhitneyu(candidate, control, alternative="two-sided")
    return Test("mann_whitney", float(found.statistic), float(found.pvalue))


def _constant(method: str, a: Sequence[float], b: Sequence[float]) -> Test | None:
    """Two constant samples have no variance to test: equal is no evidence, different is certain.

    scipy would answer NaN or an infinite statistic, which no report can hold.
    """
    if min(a) != max(a) or min(b) != max(b):
        return None
    return Test(method, 0.0, 1.0 if a[0] == b[0] else 0.0)


TESTS: Mapping[str, Callable[[Sequence[float], Sequence[float]], Test]] = {
    "welch": welch,
    "mann_whitney": mann_whitney,
}
