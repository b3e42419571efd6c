"""Which commits of the default branch are what: learnbot's ledger commits, merged proposals
(trusted only as the forge knows them), reverts and labels imports (#18)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from bot.commands import labelcheck
from bot.commands.review import proposal_trailers
from bot.commands.workspace import Workspace
from bot.core import anchoring, ledger
from bot.edges.gitrepo import CommitInfo
from bot.errors import NotFound
from bot.model import trailers as trailer
from bot.model.trailers import ProposalTrailers

REVERTS = re.compile(r"This reverts commit ([0-9a-f]{7,40})")


def unrecorded(workspace: Workspace) -> list[str]:
    """First-parent commits after learnbot's last ledger commit (or after the root)."""
    clone = workspace.clone
    last = last_ledger_commit(workspace)
    if not last:
        roots = clone.run("rev-list", "--first-parent", "--max-parents=0", workspace.base).split()
        last = roots[0] if roots else ""
    return clone.first_parents(last or None, workspace.base)


def last_ledger_commit(workspace: Workspace) -> str:
    """learnbot's newest ledger commit: its author, and the trailer in the message's trailer
    block. A person's squash carrying a stray `Learnbot-Ledger:` line is not one (#18)."""
    candidates = workspace.clone.run(
        "rev-list", "--first-parent", f"--grep=^{trailer.LEDGER}: ", workspace.base
    ).split()
    return next((s for s in candidates if is_ledger_commit(workspace, workspace.clone.info(s))), "")


def is_ledger_commit(workspace: Workspace, info: CommitInfo) -> bool:
    """learnbot's ledger commit: its author, one trailer in the message's trailer block, and
    that trailer naming the head the ledger ends at in this very commit."""
    if info.author_email.lower() != workspace.identity.email.lower():
        return False
    head = anchoring.trailer_head(info.trailers)
    if head is None:
        return False
    data = workspace.clone.read_at(info.sha, workspace.config.ledger) or b""
    try:
        tail = ledger.read_tail(data[data.rstrip(b"\n").rfind(b"\n") + 1 :])
    except ValueError:
        return False
    return tail.sha256 == head


def merged(
    workspace: Workspace, sha: str, info: Any
) -> tuple[str | None, ProposalTrailers | None, str | None]:
    """(proposal head, its trailers, reverted commit) for a squash, a merge or a revert."""
    clone = workspace.clone
    declared = ProposalTrailers.parse(info.trailers)
    if declared is not None:
        return sha, declared, None
    found = REVERTS.search(info.message)
    if found:
        return None, None, clone.resolve(found.group(1))
    if len(info.parents) != 2:
        return None, None, None
    base = clone.merge_base(info.parents[0], info.parents[1])
    head, declared = proposal_trailers(clone, base, info.parents[1])
    if head is not None:
        return head, declared, None
    for merged in reversed(clone.first_parents(base, info.parents[1])):
        found = REVERTS.search(clone.info(merged).message)
        if found:
            return None, None, clone.resolve(found.group(1))
    return None, None, None


def labels_import(workspace: Workspace, sha: str, info: Any) -> str | None:
    """The import id of a merged (or squashed) labels pull request, if this is one."""
    if labelcheck.TRAILER in info.trailers:
        return str(info.trailers[labelcheck.TRAILER][0])
    if len(info.parents) != 2:
        return None
    base = workspace.clone.merge_base(info.parents[0], info.parents[1])
    for merged in reversed(workspace.clone.first_parents(base, info.parents[1])):
        trailers = workspace.clone.info(merged).trailers
        if labelcheck.TRAILER in trailers:
            return str(trailers[labelcheck.TRAILER][0])
    return None


def merged_pull(
    workspace: Workspace, subject: str, sha: str, trailers: ProposalTrailers | None
) -> int | None:
    """The pull request the forge merged as `sha` (and, for a proposal, from its branch).

    A commit's subject and trailers are anyone's to write: a direct push ending "(#1)" must
    not borrow pull request #1's approvers, so the forge has the last word (#18)."""
    number = workspace.forge.merged_pull_number(subject)
    pull = None
    if number is not None:
        with contextlib.suppress(NotFound):
            pull = workspace.forge.pull(number)
    if pull is None or pull.merge_commit != sha:
        pull = workspace.forge.pull_for_commit(sha)
    if pull is None or pull.merge_commit != sha:
        return None
    prefix = workspace.config.pull_requests.branch_prefix
    if trailers is not None and pull.branch != prefix + trailers.subject:
        return None
    return pull.number
