"""Labels from rejected learnbot pull requests: a person closing a proposal says `rejected`.

After the ledger records a rejection, `learnbot run` turns it into a labeled example of the
`learners.labels.rejections` agent: the key is the proposal's failure, the payload what was
proposed, the label `rejected`, the notes the closing comment. Like every label, it arrives
through the curator as a labels pull request; one already on the default branch or in an
open labels pull request is not proposed again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.commands import labelpulls
from bot.commands.workspace import Workspace
from bot.core import curator
from bot.core.learners import configs
from bot.edges import labels
from bot.edges.forge import OPEN, PullRequest, scoped_title
from bot.model import parse_time
from bot.model.entries import Rejection
from bot.model.labels import Example

OWN_COMMENTS = ("Closed by learnbot", "Added `", "Recorded `", "Not recorded:")


def closing_comment(comments: Sequence[str]) -> str:
    """The person's last comment on a closed pull request ('' when there is none)."""
    for body in reversed(comments):
        if body.strip() and not body.startswith(OWN_COMMENTS):
            return body.strip()
    return ""


def example(entry: Rejection, agent: str, notes: str) -> Example:
    return Example(
        agent=agent,
        key=entry.failure_id or entry.proposal_id or f"pr-{entry.pr}",
        payload={
            "proposal_id": entry.proposal_id,
            "subject": entry.subject,
            "learner": entry.learner,
            "pr": entry.pr,
        },
        label="rejected",
        source="approvals",
        source_id=f"pr-{entry.pr}",
        confidence=100,
        at=parse_time(entry.at),
        notes=notes,
    )


def update(workspace: Workspace, found: Sequence[PullRequest]) -> str:
    """Open a labels pull request for rejections not labelled yet; what happened."""
    config = configs.LABELS.of(workspace.config)
    agent = config.rejections
    if not config.enabled or not agent:
        return ""
    entries = [e for e in workspace.history.of_kind(Rejection) if e.pr is not None]
    known, _ = labels.examples(workspace.evaluated.files, config.path, agent)
    seen = {e.source_id for e in known} | _pending(workspace, found, agent)
    fresh = [e for e in entries if f"pr-{e.pr}" not in seen]
    if not fresh:
        return ""
    incoming = [
        curator.Incoming(example(e, agent, closing_comment(workspace.forge.comments(e.pr))))
        for e in fresh
    ]
    # every rejection carries the same label: the diversity floor is not for them
    rules = dataclasses.replace(configs.LABELS.of(workspace.config), diversity_floor=0.0)
    curated = curator.curate(incoming, known, rules)
    if not curated.accepted:
        return f"rejections: nothing to label ({len(curated.dropped)} dropped)"
    batch = labelpulls.Batch(
        name=f"rejections:{agent}",
        title=scoped_title(["labels"], f"label {len(curated.accepted)} rejected proposal(s)"),
        intro=(
            "People closed these learnbot pull requests without merging: each is a `rejected` "
            "label on its proposal's failure, with the closing comment as notes."
        ),
        curated=curated,
    )
    number, opened = labelpulls.open_pull(workspace, batch, f"rejections-{batch.ident}")
    return f"rejections: labels pull request {'opened' if opened else 'already open as'} #{number}"


def _pending(workspace: Workspace, found: Sequence[PullRequest], agent: str) -> set[str]:
    """Source ids already in an open labels pull request."""
    prefix = workspace.config.pull_requests.branch_prefix + f"{labelpulls.SUBJECT}/"
    pending: set[str] = set()
    for pull in found:
        if pull.state != OPEN or not pull.branch.startswith(prefix):
            continue
        head = workspace.clone.remote_sha(pull.branch)
        if head is None:
            continue
        examples, _ = labels.examples(
            workspace.clone.files_at(head), configs.LABELS.of(workspace.config).path, agent
        )
        pending |= {e.source_id for e in examples}
    return pending
