"""Post-merge verification: does what reached the default branch match what was verified?

On every push, `promote` replays each merged proposal's diff on the tree before the merge.
A promotion is `verified` when the branch held the learned state it was merged into, its
required check passed on that state, the diff stays within what it declares, and the replay
fixes the case its report claimed without regressing any. Otherwise the entry says
`verified: false` with the reasons, and learnbot opens the revert pull request itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Merged:
    """What promote found out about one merged proposal."""

    stale_since: str | None  # the branch's merge base, when the learned state moved after it
    check_problems: tuple[str, ...]  # from the branch protection rules, at merge time
    scope_problems: tuple[str, ...]  # the merged diff re-derived: changes it did not declare
    report: Mapping[str, Any] | None  # the merged diff replayed on the tree before the merge


def verify(merged: Merged) -> tuple[str, ...]:
    """Why the promotion is not verified (empty when it is)."""
    reasons: list[str] = []
    if merged.stale_since is not None:
        reasons.append(
            f"stale base: the branch was cut from {merged.stale_since[:12]} and the learned "
            "state changed before it was merged; the combination was never replayed"
        )
    reasons.extend(merged.check_problems)
    reasons.extend(f"out of scope: {problem}" for problem in merged.scope_problems)
    if merged.report is not None:
        reasons.extend(_replay_problems(merged.report))
    elif not merged.scope_problems:
        reasons.append("the merged change could not be replayed")
    return tuple(reasons)


def regressions(report: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Cases that passed before the merge and fail after it."""
    if report is None:
        return ()
    return tuple(report["delta"]["regressed_cases"])


def _replay_problems(report: Mapping[str, Any]) -> Sequence[str]:
    found = []
    broken = regressions(report)
    if broken:
        found.append(f"regressions found after merge: {', '.join(broken)}")
    source = report.get("source_case")
    after = {d["case_id"]: d["proposal_status"] for d in report.get("case_details", ())}
    if source and after.get(source) != "HIT":
        found.append(f"the merged result does not fix {source}, the case it was proposed for")
    return found
