"""Tampering with the ledger, found by `promote` on every push (#18).

Every change to `ledgers/` on the default branch must be learnbot's append, its trailer naming
the ledger head after it (`bot.core.anchoring`). Anything else is recorded once as a `tamper`
entry naming the commit and the first line it broke, and fails the job visibly: one line and
one annotation per finding, and a step summary. A ledger whose chain no longer verifies cannot
be extended: the findings are reported all the same, and promote stops.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.commands.output import status
from bot.config import Settings
from bot.core import anchoring
from bot.core.anchoring import Finding
from bot.core.history import History
from bot.edges import actions, ledgerhistory, render
from bot.edges.gitrepo import GitRepo
from bot.model import Problem
from bot.model.entries import Tamper

LEDGER_DIR = "ledgers"


def findings(repo: GitRepo, rev: str, *, author_email: str) -> list[Finding]:
    """Every change to `ledgers/` up to `rev` that was not learnbot's append, oldest first."""
    changes = ledgerhistory.ledger_changes(repo, rev, LEDGER_DIR)
    return anchoring.check(changes, author_email=author_email)


def new_entries(found: Sequence[Finding], history: History, *, at: str) -> list[Tamper]:
    """A `tamper` entry for each finding the ledger does not record yet."""
    recorded = {(e.commit, e.file) for e in history.of_kind(Tamper)}
    fresh = [f for f in found if (f.sha, f.path) not in recorded]
    if len(fresh) < len(found):
        status(f"{len(found) - len(fresh)} change(s) to {LEDGER_DIR}/ already recorded as tamper")
    return [Tamper(at, f.sha, f.path, f.line, f.reason) for f in fresh]


def report(settings: Settings, found: Sequence[Finding], *, recorded: bool) -> None:
    """Fail visibly: one line and one annotation per finding, and a step summary."""
    if not found:
        return
    problems = [
        Problem(f.path, f.line, "", f"{f.sha[:12]}: {f.reason} (not learnbot's append)")
        for f in found
    ]
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if settings.in_actions:
        actions.annotate(problems, sys.stdout)
    what = (
        "recorded as `tamper` entries"
        if recorded
        else "not recorded: the chain is broken, restore it from git history"
    )
    lines = "\n".join(f"- {render.escape(str(f))}" for f in found)
    summary = f"### The ledger was changed outside learnbot\n\n{lines}\n\n{len(found)} {what}.\n"
    actions.write_summary(settings.summary_path, summary)
