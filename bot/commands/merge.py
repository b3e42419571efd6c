"""`learnbot merge N`: merge a local pull request into the default branch (a real git merge)."""

from __future__ import annotations

import sys

from bot.commands import guard
from bot.commands.forges import local_forge
from bot.commands.output import print_json, status
from bot.config import Settings
from bot.edges import store
from bot.edges.files import WorktreeFiles
from bot.edges.forge import OPEN
from bot.errors import EXIT_OK, ForgeError, MergeRefused


def merge(settings: Settings, *, number: int, approved_by: str | None, force: bool = False) -> int:
    """A real git merge of a local pull request into the default branch, pushed to origin.

    Like a protected branch: refused unless the required check passed on the learned state
    being merged into; `force` merges anyway and the merge commit says what was skipped.
    """
    clone, forge = local_forge(settings)
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
    message = forge.merge_message(pull)
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
