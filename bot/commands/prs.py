"""`learnbot prs`: learnbot's pull requests with their state and gate result; `prs show N`."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from bot.commands import pullshow
from bot.commands.forges import open_forge
from bot.commands.output import print_json, table
from bot.config import Settings
from bot.edges import actions, store
from bot.edges.files import WorktreeFiles
from bot.edges.forge import Forge
from bot.edges.gitrepo import Clone
from bot.errors import EXIT_OK


def list_pulls(settings: Settings, environ: Mapping[str, str], *, state: str | None) -> int:
    """Learnbot's pull requests with their state and gate result."""
    clone = Clone(settings.repo)
    forge = open_forge(settings, clone, environ, actions.read_event(settings.event_path))
    try:
        config = store.load_config(WorktreeFiles(settings.repo), settings.config_path)
        listed = forge.pull_requests(prefix=config.pull_requests.branch_prefix)
        pulls = [p for p in listed if state in (None, p.state)]
        gates = {p.number: _gate(forge, p.head_sha) for p in pulls}
    finally:
        forge.close()
    if settings.as_json:
        print_json(
            [
                {
                    **{k: v for k, v in p.__dict__.items() if k != "body"},
                    "gate": gates[p.number],
                    "metadata": p.metadata,
                }
                for p in pulls
            ]
        )
    else:
        rows = [(f"#{p.number}", p.state, gates[p.number], p.branch, p.title) for p in pulls]
        sys.stdout.write(table(("pr", "state", "gate", "branch", "title"), rows) + "\n")
    return EXIT_OK


def _gate(forge: Forge, sha: str) -> str:
    runs = forge.check_results(sha)
    if not runs:
        return "pending"
    return "passed" if all(r.success for r in runs) else "failed"


def show(settings: Settings, environ: Mapping[str, str], *, number: int) -> int:
    """`learnbot prs show N`: one pull request, its body, check and gate table."""
    return pullshow.show_pull(settings, environ, number=number)
