"""Revert pull requests learnbot opens itself, whoever asks for one.

Post-merge verification asks for one when a promotion is recorded `verified: false`; the
watch after a promotion asks for one when the metrics or the backtest got worse after the
merge. Either way the pull request is the same kind of thing: branch
`learnbot-revert/<commit>`, label `learnbot-revert`, a body linking the ledger entry of the
promotion it undoes and the reasons, then the asker's evidence. At most one per reverted
commit, in any state: a closed revert is a person's decision to keep the merge. Merging
it is recorded by `promote` as a rollback like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.commands.output import status
from bot.commands.workspace import Workspace
from bot.edges import render
from bot.edges.forge import fit_title, metadata_marker
from bot.errors import GitError
from bot.model.entries import Promotion, seq

PREFIX = "learnbot-revert/"
LABEL = "learnbot-revert"


@dataclass(frozen=True)
class Request:
    """A revert to open: the promotion's ledger entry, why, and the evidence to show.

    `template` extends `revert.md.j2` (its `intro` and `evidence` blocks) and renders with
    `context`. `files` are the files the revert restores; None reverts the merge as
    `git revert` does, on the default branch's head.
    """

    entry: Promotion
    title: str
    reasons: tuple[str, ...]
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, bytes | None] | None = None

    @property
    def commit(self) -> str:
        return self.entry.commit


def branch(commit: str) -> str:
    """The branch of the revert of `commit`."""
    return PREFIX + commit[:12]


def requested(workspace: Workspace) -> set[str]:
    """The commits (12 digits) that already have a revert pull request, in any state."""
    found = workspace.forge.pull_requests(prefix=PREFIX)
    return {p.branch.removeprefix(PREFIX) for p in found}


def open_reverts(
    workspace: Workspace, requests: Sequence[Request], *, onto: str
) -> tuple[dict[str, int], list[str]]:
    """Open each request that has no revert yet: (commit -> number opened, notes on failures)."""
    if not requests:
        return {}, []
    done = requested(workspace)
    opened: dict[str, int] = {}
    notes: list[str] = []
    for request in requests:
        if request.commit[:12] in done or request.commit in opened:
            continue
        try:
            opened[request.commit] = open_revert(workspace, request, onto=onto)
        except GitError as exc:
            notes.append(f"could not open the revert of {request.commit[:12]}: {exc}")
    return opened, notes


def open_revert(workspace: Workspace, request: Request, *, onto: str) -> int:
    """Push the revert commit on its branch and open the pull request; its number."""
    clone, entry = workspace.clone, request.entry
    message = (
        f"{request.title}\n\nThis reverts commit {request.commit}.\n\n"
        f"Ledger entry {seq(entry)} records the promotion: {'; '.join(request.reasons)}."
    )
    identity, at = workspace.identity, workspace.evaluated.at
    if request.files is None:
        sha = clone.revert(request.commit, onto=onto, message=message, author=identity, at=at)
    else:
        sha = clone.commit(base=onto, files=request.files, message=message, author=identity, at=at)
    name = branch(request.commit)
    clone.push(sha, name, lease=clone.remote_sha(name), force=True)
    pull = workspace.forge.open_pull(
        branch=name,
        base=workspace.default,
        title=fit_title(request.title),
        body=body(workspace, request),
        labels=[LABEL],
        reviewers=workspace.config.pull_requests.reviewers,
    )
    what = f"#{entry.pr}" if entry.pr else request.commit[:12]
    status(f"opened revert pull request #{pull.number} for {what}")
    return pull.number


def body(workspace: Workspace, request: Request) -> str:
    """The pull request body: the ledger entry, the reasons, the evidence, the hidden marker."""
    entry = request.entry
    marker = metadata_marker({"revert": entry.commit, "ledger_seq": seq(entry)})
    context = {
        **request.context,
        "commit": request.commit,
        "pr": entry.pr,
        "seq": seq(entry),
        "at": entry.at,
        "sha256": entry.seal.sha256 if entry.seal else "",
        "ledger": workspace.config.ledger,
        "default_branch": workspace.default,
        "reasons": list(request.reasons),
        "marker": render.Raw(marker),
    }
    dirs = render.template_dirs(workspace.settings.repo)
    return render.render(request.template, context, dirs=dirs)
