"""`learnbot comment`: `/learnbot label <key> <label> [note]` on a review queue issue.

Honoured only from people with write permission; an unknown key or label, or a comment
from anyone else, gets a reply saying why and changes nothing. A recorded label is appended
to the open labels pull request (or opens one) and ticks the item in the queue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.commands import labelpulls, queue
from bot.commands.output import status
from bot.commands.workspace import Workspace, open_workspace
from bot.config import Settings
from bot.core import canonical, curator
from bot.core.learners import configs
from bot.edges import labels, render
from bot.edges.forge import OPEN, WRITERS, Issue, read_metadata, scoped_title
from bot.errors import EXIT_OK, ConfigError
from bot.model import parse_time
from bot.model.labels import Example

COMMAND = re.compile(r"^/learnbot\s+label\s+(\S+)\s+(\S+)(?:\s+(.+))?$")
USAGE = "Usage: `/learnbot label <key> <label> [note]` on a review queue issue."


@dataclass(frozen=True)
class Comment:
    issue: int
    author: str
    body: str
    ident: str
    at: int | None = None


def run_comment(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    issue: int | None,
    author: str | None,
    body: str | None,
) -> int:
    """Handle one comment: from the issue_comment event, or given on the command line."""
    with open_workspace(settings, environ) as workspace:
        comment = _from_event(workspace.event)
        if comment is None:
            if issue is None or author is None or body is None:
                raise ConfigError(
                    "comment needs an issue_comment event, or --issue, --author, BODY"
                )
            workspace.forge.comment(issue, body)  # the person's comment, on the local forge
            ident = canonical.short_digest([issue, author, body])
            comment = Comment(issue, author, body, f"local-{ident}")
        return handle(workspace, comment)


def _from_event(event: Mapping[str, Any]) -> Comment | None:
    found = event.get("comment")
    if not isinstance(found, dict) or "issue" not in event:
        return None
    created = found.get("created_at")
    return Comment(
        issue=int(event["issue"]["number"]),
        author=str((found.get("user") or {}).get("login", "")),
        body=str(found.get("body", "")),
        ident=str(found.get("id", "")),
        at=parse_time(created) if isinstance(created, str) else None,
    )


def handle(workspace: Workspace, comment: Comment) -> int:
    line = comment.body.strip().splitlines()[0] if comment.body.strip() else ""
    if not line.startswith("/learnbot"):
        status("not a /learnbot command: nothing to do")
        return EXIT_OK
    found = _queue_issue(workspace, comment.issue)
    if found is None:
        status(f"#{comment.issue} is not a review queue issue: nothing to do")
        return EXIT_OK
    agent, issue = found
    reason, parsed = _refusal(workspace, comment, agent, issue, line)
    if reason:
        workspace.forge.comment(comment.issue, f"Not recorded: {reason}")
        status(f"refused: {reason}")
        return EXIT_OK
    key, label, note = parsed
    number = _record(workspace, comment, agent, key=key, label=label, note=note)
    if isinstance(number, str):
        workspace.forge.comment(comment.issue, f"Not recorded: {number}")
        status(f"refused: {number}")
        return EXIT_OK
    workspace.forge.update_issue(issue.number, body=queue.tick(issue.body, key, label))
    workspace.forge.comment(comment.issue, f"Recorded {_code(key)} as {_code(label)} in #{number}.")
    status(f"recorded {key} as {label} in #{number}")
    return EXIT_OK


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _queue_issue(workspace: Workspace, number: int) -> tuple[str, Issue] | None:
    for agent in queue.agents(workspace.evaluated):
        found = workspace.forge.find_issue(label=queue.issue_label(workspace.config, agent))
        if found is not None and found.number == number:
            return agent, found
    return None


def _refusal(
    workspace: Workspace, comment: Comment, agent: str, issue: Issue, line: str
) -> tuple[str, tuple[str, str, str]]:
    matched = COMMAND.match(line)
    if matched is None:
        return USAGE, ("", "", "")
    key, label, note = matched.group(1), matched.group(2), matched.group(3) or ""
    permission = workspace.forge.permission(comment.author)
    if permission not in WRITERS:
        who = render.escape(comment.author)
        return (
            f"{who} has {permission} permission on this repository; labelling needs write.",
            ("", "", ""),
        )
    keys = read_metadata(issue.body).get("keys", [])
    if key not in keys:
        return f"{_code(key)} is not an item of this review queue.", ("", "", "")
    known = queue.known_labels(workspace.evaluated, agent)
    if label not in known:
        names = ", ".join(_code(k) for k in known) or "none yet"
        return f"{_code(label)} is not a label of {_code(agent)} (known: {names}).", ("", "", "")
    return "", (key, label, note)


def _record(
    workspace: Workspace, comment: Comment, agent: str, *, key: str, label: str, note: str
) -> int | str:
    """Append the label to the open labels pull request (or open one): its number, or why not."""
    evaluated = workspace.evaluated
    directory = configs.LABELS.of(workspace.config).path
    found = {e.key: e for e in labels.evaluations(evaluated.files, directory, agent)[0]}
    item = found[key]
    example = Example(
        agent=agent,
        key=key,
        payload=dict(item.payload),
        label=label,
        source="review",
        source_id=f"comment-{comment.ident}",
        confidence=100,
        at=comment.at or evaluated.at,
        notes=note,
        judges=dict(item.judges),
    )
    prefix = workspace.config.pull_requests.branch_prefix + f"{labelpulls.SUBJECT}/"
    pulls = [p for p in workspace.forge.pull_requests(prefix=prefix) if p.state == OPEN]
    head = workspace.clone.remote_sha(pulls[0].branch) if pulls else None
    files = evaluated.files if head is None else workspace.clone.files_at(head)
    known, _ = labels.examples(files, directory, agent)
    curated = curator.curate(
        [curator.Incoming(example, comment.author)], known, configs.LABELS.of(workspace.config)
    )
    if not curated.accepted:
        return curated.dropped[0][1]
    batch = labelpulls.Batch(
        name=f"review:{agent}:{key}",
        title=scoped_title(["labels"], f"label {key} as {label} from the review queue"),
        intro=f"Labelled by a comment on the {agent} review queue (#{comment.issue}).",
        curated=curated,
    )
    if head is None:
        number, _ = labelpulls.open_pull(workspace, batch, f"review-{agent}-{batch.ident}")
        return number
    pull = pulls[0]
    labelpulls.append(workspace, pull, head, batch)
    workspace.forge.comment(
        pull.number,
        f"Added {_code(key)} as {_code(label)} from the review queue (#{comment.issue}).",
    )
    return pull.number
