"""Branch protection as values: what stops a pull request from being merged, and why.

The same rules serve the local forge's `learnbot merge` (which refuses) and post-merge
verification (which records what a merge skipped): the required check must exist on the
head, must have passed, and must have replayed on the learned state being merged into.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEARNED_DIRS = ("policies/", "cases/")


@dataclass(frozen=True)
class CheckSeen:
    """The required check as found on a pull request's head commit."""

    success: bool
    title: str
    base: str = ""  # the default branch commit it replayed on ("" when the forge does not say)


def touches_learned_state(paths: Iterable[str]) -> bool:
    """Whether a diff changes anything a replay reads (policies, cases, snapshots)."""
    return any(path.startswith(LEARNED_DIRS) for path in paths)


def problems(check: CheckSeen | None, *, name: str, head: str, stale: bool) -> tuple[str, ...]:
    """Why the head may not be merged (empty when the check passed on the current state)."""
    short = head[:12]
    if check is None:
        return (f"check {name} is missing on {short}",)
    if not check.success:
        return (f"check {name} failed on {short}: {check.title}",)
    if stale:
        return (
            f"check {name} ran on an older base"
            f"{f' ({check.base[:12]})' if check.base else ''}: the learned state changed since",
        )
    return ()
