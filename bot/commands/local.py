"""Local forge commands: `learnbot prs`, `learnbot merge N`, `learnbot close N`."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from bot.commands import guard
from bot.commands.forges import open_forge
from bot.commands.output import print_json, status, table
from bot.config import Settings
from bot.edges import actions, store
from bot.edges.files import WorktreeFiles
from bot.edges.forge import OPEN, Forge
from bot.edges.gitrepo import Clone
from bot.edges.local_forge import LocalForge
from bot.errors import EXIT_OK, ConfigError, ForgeError, MergeRefused


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


def _local(settings: Settings) -> tuple[Clone, LocalForge]:
    if settings.forge != "local":
        raise ConfigError(
            "merge, close and collaborator act on the local forge; on GitHub use its pages"
        )
    clone = Clone(settings.repo)
    clone.fetch()
    return clone, LocalForge(clone)


def merge(settings: Settings, *, number: int, approved_by: str | None, force: bool = False) -> int:
    """A real git merge of a local pull request into the default branch, pushed to origin.

    Like a protected branch: refused unless the required check passed on the learned state
    being merged into; `force` merges anyway and the merge commit says what was skipped.
    """
    clone, forge = _local(settings)
    pull = forge.pull(number)
    if pull.state != OPEN:
        raise ForgeError(f"#{number} is {pull.state}, not open")
    default = forge.default_branch()
    base, head = clone.remote_sha(default), clone.remote_sha(pull.branch)
    if base is None or head is None:
        raise ForgeError(f"#{number}: {default} or {pull.branch} is missing on origin")
    config = store.load_config(WorktreeFiles(settings.repo), settings.config_path)
    # a revert learnbot opened restores a state the ledger recorded: nothing to replay
    problems = (
        ()
        if pull.metadata.get("revert")
        else guard.merge_problems(clone, forge, head=head, base=base, check_name=config.checks.name)
    )
    if problems and not force:
        raise MergeRefused(
            f"#{number} not merged: {'; '.join(problems)}",
            hint=f"run `learnbot check --pr {number}` on the current {default}, "
            "or pass --force (the ledger records a forced merge)",
        )
    if approved_by:
        forge.approve(number, reviewer=approved_by)
    forced = "".join(f"\n{guard.FORCED_TRAILER}: {p}" for p in problems)
    message = f"Merge pull request #{number} from {pull.branch}\n\n{pull.title}"
    merged = clone.merge(base, head, message=message + (f"\n{forced}" if forced else ""))
    clone.push(merged, default)
    forge.mark_merged(number, merge_commit=merged, merged_by=clone.info(merged).author)
    moved = clone.sync_worktree(default)
    if settings.as_json:
        print_json({"number": number, "merged_into": default, "commit": merged, "forced": problems})
    else:
        sys.stdout.write(f"merged #{number} into {default} as {merged[:12]}\n")
    for problem in problems:
        status(f"forced past: {problem}")
    if moved:
        status(f"fast-forwarded the checked-out {default}")
    status("run `learnbot promote` to record the promotion in the ledger")
    return EXIT_OK


def close(settings: Settings, *, number: int, comment: str | None = None) -> int:
    """Close a local pull request without merging (a rejection, recorded by `promote`)."""
    _, forge = _local(settings)
    pull = forge.pull(number)
    if pull.state != OPEN:
        raise ForgeError(f"#{number} is {pull.state}, not open")
    forge.close_pull(number, comment=comment or "Closed without merging.")
    if settings.as_json:
        print_json({"number": number, "state": "closed"})
    else:
        sys.stdout.write(f"closed #{number} without merging\n")
    return EXIT_OK


def grant(settings: Settings, *, login: str, permission: str) -> int:
    """Give a person a permission on the local forge (who may label by comment)."""
    _, forge = _local(settings)
    forge.grant(login, permission)
    if settings.as_json:
        print_json({"login": login, "permission": permission})
    else:
        sys.stdout.write(f"{login}: {permission}\n")
    return EXIT_OK
