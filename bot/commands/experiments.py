"""`learnbot experiments`: the experiment history, from the ledger on the default branch and the
forge's pull requests (no other store), and the success rates the dashboard shows."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.commands.forges import open_forge
from bot.commands.output import print_json, table
from bot.config import Settings
from bot.core import experiments, jsonline, ledger
from bot.core.experiments import Experiment
from bot.core.pipeline import Outcome
from bot.edges import actions, render, store
from bot.edges.files import WorktreeFiles
from bot.edges.forge import PullRequest
from bot.edges.gitrepo import Clone
from bot.errors import EXIT_OK, GitError, LedgerError
from bot.model import Config

REFUSED = re.compile(r"<!-- learnbot:experiments (\{.*?\}) -->", re.DOTALL)


def as_pulls(found: Sequence[PullRequest]) -> list[experiments.Pull]:
    """Learnbot's own pull requests (those with metadata) as the registry sees them."""
    return [experiments.Pull(p.number, p.branch, p.state, p.metadata) for p in found if p.metadata]


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
    found = experiments.collect(entries, as_pulls(pulls), kept_refused(board))
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


def _entries(clone: Clone, head: str, path: str) -> list[dict[str, Any]]:
    data = clone.read_at(head, path) or b""
    verified = ledger.verify(data)
    if verified.problem is not None:
        raise LedgerError(f"{path}:{verified.problem.line}: {verified.problem.reason}")
    return list(ledger.entries(data))


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


def dashboard_section(
    entries: Sequence[Mapping[str, Any]], pulls: Sequence[PullRequest], templates: Sequence[Path]
) -> str:
    """The dashboard's experiments section: success rate per learner and per proposal type.

    Only decided experiments count: what this run opens or closes as superseded never changes it,
    so a run with nothing new leaves the dashboard as it was.
    """
    found = experiments.collect(entries, as_pulls(pulls))
    rates = [
        {"by": by, **rate.as_dict()}
        for by in ("learner", "type")
        for rate in experiments.rates(found, by)
        if rate.decided
    ]
    context = {"rates": rates}
    return render.render("experiments.md.j2", context, dirs=templates)


def refused_now(outcomes: Sequence[Outcome], at: str) -> list[dict[str, Any]]:
    """This run's candidates that the gate refused, as the registry keeps them."""
    return [
        experiments.refused_record(
            evaluation.as_dict(),
            proposal_id=evaluation.proposal_id,
            subject=outcome.subject,
            learner=outcome.learner,
            proposal_type=evaluation.candidate.proposal_type,
            evidence=evaluation.evidence,
            at=at,
        )
        for outcome in outcomes
        for evaluation in outcome.refused
    ]


def kept_refused(body: str | None) -> list[dict[str, Any]]:
    """The refused candidates a dashboard body keeps (none when it keeps none, or is edited)."""
    found = REFUSED.search(body or "")
    if not found:
        return []
    try:
        value = jsonline.loads(found.group(1).encode("utf-8"))
    except jsonline.LineError:
        return []
    records = value.get("refused") if isinstance(value, dict) else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def with_refused(
    config: Config, body: str, previous: str | None, fresh: Sequence[Mapping[str, Any]]
) -> str:
    """The dashboard body carrying the refused candidates (kept before, plus this run's) in
    hidden metadata; the oldest are let go when the body would pass its limit."""
    if not config.experiments.gate_rejected:
        return body
    records = experiments.remember(kept_refused(previous), fresh, config.experiments.keep)
    while True:
        text = json.dumps({"refused": records}, sort_keys=True, separators=(",", ":"))
        marker = f"<!-- learnbot:experiments {text.replace('--', '- -')} -->"
        if len(body) + len(marker) + 1 <= config.dashboard.body_limit or not records:
            return f"{body.rstrip()}\n{marker}\n" if records else body
        records = records[1:]
