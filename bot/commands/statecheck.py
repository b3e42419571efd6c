"""The check of a pull request that is not learnbot's but touches learned state or `ledgers/`.

People may change learned state by hand (promote records it as a manual change when it is
merged); only learnbot writes the ledger, on the default branch, by appending (#18). So the
check lists what such a branch changes, and fails it when it touches `ledgers/`, saying whether
the ledger would stay a pure append or naming the first line it rewrites.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.review import Review
from bot.core import ledger, scope
from bot.core.protection import LEARNED_DIRS
from bot.edges import render, store
from bot.edges.gitrepo import Clone

LEARNED = (scope.POLICY_DIR, f"{store.CASE_DIR}/")
_NOTHING = scope.Derived((), (), {}, ())


def touched(clone: Clone, *, base: str, head: str) -> tuple[list[str], list[str]]:
    """(learned-state files, ledger files) the branch changes since its merge base."""
    merge_base = clone.merge_base(base, head)
    paths = sorted({p for _, old, new in clone.changed_files(merge_base, head) for p in (old, new)})
    learned = [p for p in paths if p.startswith(LEARNED)]
    ledgers = [p for p in paths if p.startswith(scope.LEDGER_DIR)]
    return learned, ledgers


def review_state(
    clone: Clone, *, base: str, head: str, learned: Sequence[str], ledgers: Sequence[str]
) -> Review:
    """Pass a person's change of learned state; fail any change to the ledger, saying how.

    A branch changing neither passes too: the check is posted all the same, so a required
    check never waits forever on a pull request that touches only code or docs.
    """
    if not learned and not ledgers:
        summary = (
            "### Nothing to check\n\nThis pull request changes no learned state "
            f"({', '.join(LEARNED_DIRS)}) and no ledger.\n"
        )
        return Review(True, "No learned state or ledger changed", summary, _NOTHING)
    merge_base = clone.merge_base(base, head)
    problems = [_ledger_problem(clone, path, merge_base, head) for path in ledgers]
    items = [
        f"- {render.code(p)}: learned state, recorded as a manual change when merged"
        for p in learned
    ]
    items += [
        f"- {render.code(p)}: {render.escape(problem)}"
        for p, problem in zip(ledgers, problems, strict=True)
    ]
    listed = "\n".join(items)
    if problems:
        summary = (
            f"### Ledger changed by a pull request\n\n{listed}\n\nOnly learnbot writes "
            f"{scope.LEDGER_DIR}, on the default branch: drop these changes.\n"
        )
        return Review(
            False,
            f"Ledger changed: {ledgers[0]}: {problems[0]}"[:250],
            summary,
            _NOTHING,
            problems=tuple(problems),
        )
    summary = f"### Learned state changed by hand\n\n{listed}\n\nThe ledger is untouched.\n"
    return Review(
        True,
        f"{len(learned)} learned-state file(s) changed by hand; ledger untouched",
        summary,
        _NOTHING,
    )


def _ledger_problem(clone: Clone, path: str, merge_base: str, head: str) -> str:
    before = clone.read_at(merge_base, path) or b""
    after = clone.read_at(head, path) or b""
    if after.startswith(before):
        added = after.count(b"\n") - before.count(b"\n")
        return f"a pure append of {added} line(s), but not by learnbot's ledger commit"
    changed = ledger.verify(after, committed=before).problem
    line = changed.line if changed is not None else 1
    return f"rewrites history from line {line}: the ledger may only be appended to"
