"""`learnbot experiments`: the experiment history, from the ledger on the default branch and the
forge's pull requests (no other store), and the success rates the dashboard shows."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from bot.commands import experimentrates
from bot.commands.forges import open_forge
from bot.commands.output import print_json, table
from bot.config import Settings
from bot.core import experiments, ledger
from bot.core.experiments import Experiment
from bot.core.history import History
from bot.edges import actions, store
from bot.edges.files import WorktreeFiles
from bot.edges.gitrepo import Clone
from bot.errors import EXIT_OK, GitError, LedgerError
from bot.model.entries import Recorded


def list_experiments(settings: Settings, environ: Mapping[str, str]) -> int:
    """Every experiment with its outcome, then the success rates per learner and type."""
    clone = Clone(settings.repo)
    clone.fetch()
    config = store.load_config(WorktreeFiles(settings.repo), settings.config_path)
    forge = open_forge(settings, clone, environ, actions.read_event(settings.event_path))
    try:
        default = forge.default_branch()
        pulls = forge.pull_requests(prefix=config.pull_requests.branch_prefix)
        found_board = forge.find_issue(label=config.dashboard.label)
        board = found_board.body if found_board else ""
    finally:
        forge.close()
    head = clone.remote_sha(default)
    if head is None:
        raise GitError(f"origin has no branch {default!r}")
    entries = _entries(clone, head, config.ledger)
    found = experiments.collect(
        entries, experimentrates.as_pulls(pulls), experimentrates.kept_refused(board)
    )
    if settings.as_json:
        print_json(
            {
                "experiments": [e.as_dict() for e in found],
                "by_learner": [r.as_dict() for r in experiments.rates(found, "learner")],
                "by_type": [r.as_dict() for r in experiments.rates(found, "type")],
            }
        )
    else:
        sys.stdout.write(_table(found) + "\n\n" + _rates_table(found) + "\n")
    return EXIT_OK


def _entries(clone: Clone, head: str, path: str) -> tuple[Recorded, ...]:
    data = clone.read_at(head, path) or b""
    verified = ledger.verify(data)
    if verified.problem is not None:
        raise LedgerError(f"{path}:{verified.problem.line}: {verified.problem.reason}")
    return History.read(ledger.entries(data)).entries


def _table(found: Sequence[Experiment]) -> str:
    rows = [
        (
            f"#{e.pr}" if e.pr else "-",
            e.learner,
            e.proposal_type,
            e.subject,
            e.outcome,
            "-" if e.objective_delta is None else f"{e.objective_delta:+.4f}",
            "-" if e.stability is None else f"{e.stability:.3f}",
            e.reason,
        )
        for e in found
    ]
    headers = ("pr", "learner", "type", "subject", "outcome", "delta", "stability", "reason")
    return table(headers, rows)


def _rates_table(found: Sequence[Experiment]) -> str:
    rows = [
        (by, r.group, r.merged, r.decided, r.total, "-" if r.rate is None else f"{r.rate:.0%}")
        for by in ("learner", "type")
        for r in experiments.rates(found, by)
    ]
    return table(("by", "group", "merged", "decided", "experiments", "success"), rows)
