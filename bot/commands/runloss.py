"""Each run's composite run loss, and the runs that lack a term (used by crl and validate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core import crl
from bot.model import Problem, RunMetrics


def losses(
    runs: Sequence[RunMetrics], weights: Mapping[str, float], path: str
) -> tuple[list[tuple[RunMetrics, crl.Loss]], list[Problem]]:
    """Each run's loss; a run missing a needed term is a problem naming it, never a zero."""
    found: list[tuple[RunMetrics, crl.Loss]] = []
    problems: list[Problem] = []
    for run in runs:
        try:
            found.append((run, crl.compute(run.terms, weights)))
        except crl.MissingTerm as exc:
            problems.extend(
                Problem(
                    path,
                    run.line,
                    f"/metrics/{term}",
                    f"run {run.run_id}: missing term {term!r} (weight {weights[term]:g}); "
                    "a missing term is never read as 0",
                )
                for term in exc.terms
            )
    return found, problems
