"""`learnbot check`: review a pull request's head and report the result on its commit."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from bot.commands import statecheck
from bot.commands.labelcheck import review_labels
from bot.commands.output import print_json, status
from bot.commands.review import as_check, review
from bot.commands.workspace import Workspace, open_workspace
from bot.config import Settings
from bot.edges import actions
from bot.errors import EXIT_OK, EXIT_PROBLEMS, ConfigError


def run_check(
    settings: Settings, environ: Mapping[str, str], *, number: int | None, branch: str | None
) -> int:
    """Check a pull request head (from the event, --pr or --branch) and report it on the commit."""
    with open_workspace(settings, environ) as workspace:
        return _check(settings, workspace, number, branch)


def _check(settings: Settings, workspace: Workspace, number: int | None, branch: str | None) -> int:
    head, branch = _target(workspace, number, branch)
    prefix = workspace.config.pull_requests.branch_prefix
    if not branch.startswith(prefix):
        learned, ledgers = statecheck.touched(workspace.clone, base=workspace.base, head=head)
        if not learned and not ledgers:
            status(f"{branch} changes no learned state and no ledger: nothing to check")
        outcome = statecheck.review_state(
            workspace.clone, base=workspace.base, head=head, learned=learned, ledgers=ledgers
        )
    elif branch.startswith(f"{prefix}labels/"):
        outcome = review_labels(workspace, head=head, settings=settings)
    else:
        outcome = review(
            workspace.clone,
            workspace.evaluated,
            base=workspace.base,
            head=head,
            branch=branch,
            settings=settings,
            history=workspace.history,
        )
    workspace.forge.post_check(
        head, as_check(workspace, outcome), mode=workspace.config.checks.mode
    )
    if settings.as_json:
        print_json(
            {
                "branch": branch,
                "head": head,
                "passed": outcome.success,
                "title": outcome.title,
                "changes": [c.describe() for c in outcome.derived.changes],
                "summary": outcome.summary,
            }
        )
    else:
        sys.stdout.write(f"{branch} at {head[:12]}: {outcome.title}\n")
    actions.write_summary(settings.summary_path, outcome.summary)
    actions.set_outputs(settings.output_path, {"passed": str(outcome.success).lower()})
    status(
        f"API requests: {workspace.forge.usage.reads} reads, {workspace.forge.usage.writes} writes"
    )
    return EXIT_OK if outcome.success else EXIT_PROBLEMS


def _target(workspace: Workspace, number: int | None, branch: str | None) -> tuple[str, str]:
    pull = workspace.event.get("pull_request")
    if number is None and branch is None and pull:
        return str(pull["head"]["sha"]), str(pull["head"]["ref"])
    if branch is not None:
        sha = workspace.clone.remote_sha(branch)
        if sha is None:
            raise ConfigError(f"--branch {branch}: no such branch on origin")
        return sha, branch
    if number is None:
        raise ConfigError(
            "check needs a pull request: --pr N, --branch NAME, or a pull_request event"
        )
    found = workspace.forge.pull(number)
    return found.head_sha, found.branch
