"""Labeled examples arrive as a pull request (never a direct push): one per import.

The branch holds one commit that appends canonical JSON lines to `cases/labels/<agent>.jsonl`
and carries a `Learnbot-Labels` trailer; the body counts the examples per agent, label and
source and lists what the curator dropped and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.commands.labelcheck import review_labels
from bot.commands.review import as_check
from bot.commands.workspace import Workspace
from bot.core import canonical, curator
from bot.core.learners import configs
from bot.edges import labels, render
from bot.edges.files import Files
from bot.edges.forge import OPEN, PullRequest, metadata_marker, scoped_title
from bot.model import Config, Problem
from bot.model.labels import Example

TRAILER = "Learnbot-Labels"
SUBJECT = "labels"
DROPPED_KEPT = 100  # dropped examples listed in a body (the total is always given)


def existing(
    files: Files, config: Config, agents: Iterable[str]
) -> tuple[list[Example], list[Problem]]:
    """The labeled examples already on the base, for the agents in a batch."""
    found: list[Example] = []
    problems: list[Problem] = []
    for agent in sorted(set(agents)):
        examples, bad = labels.examples(files, configs.LABELS.of(config).path, agent)
        found += examples
        problems += bad
    return found, problems


def file_changes(files: Files, config: Config, accepted: Sequence[Example]) -> dict[str, bytes]:
    """Each agent's labels file with its new examples appended."""
    directory = configs.LABELS.of(config).path
    by_agent: dict[str, list[Example]] = {}
    for example in accepted:
        by_agent.setdefault(example.agent, []).append(example)
    return {
        labels.example_path(directory, agent): labels.appended(
            files.read(labels.example_path(directory, agent)), items
        )
        for agent, items in sorted(by_agent.items())
    }


@dataclass(frozen=True)
class Batch:
    """A curated batch ready to become (or join) a labels pull request."""

    name: str
    title: str
    intro: str
    curated: curator.Curated

    @property
    def ident(self) -> str:
        return canonical.short_digest([self.name, [e.as_dict() for e in self.curated.accepted]])


def counts(examples: Sequence[Example]) -> list[dict[str, Any]]:
    found = Counter((e.agent, e.label, e.source) for e in examples)
    return [
        {"agent": a, "label": label, "source": s, "count": n}
        for (a, label, s), n in sorted(found.items())
    ]


def metadata_of(batch: Batch, subject: str) -> dict[str, Any]:
    """What the body is rendered from, kept in its hidden metadata for later appends."""
    dropped = [[name, reason] for name, reason in batch.curated.dropped]
    return {
        "labels": batch.ident,
        "subject": subject,
        "intro": [batch.intro],
        "redactions": dict(sorted(batch.curated.redactions.items())),
        "dropped": dropped[:DROPPED_KEPT],
        "dropped_total": len(dropped),
    }


def combined(metadata: Mapping[str, Any], batch: Batch) -> dict[str, Any]:
    """The metadata of a pull request after `batch` was appended to it."""
    later = metadata_of(batch, str(metadata.get("subject", "")))
    redactions = Counter(metadata.get("redactions") or {})
    redactions.update(later["redactions"])
    dropped = [*(metadata.get("dropped") or []), *later["dropped"]]
    return {
        **metadata,
        "intro": [*(metadata.get("intro") or []), batch.intro],
        "redactions": dict(sorted(redactions.items())),
        "dropped": dropped[:DROPPED_KEPT],
        "dropped_total": int(metadata.get("dropped_total") or 0) + later["dropped_total"],
    }


def title_of(added: Sequence[Example]) -> str:
    """A title that counts what the pull request adds, by source."""
    sources = Counter(e.source for e in added)
    parts = ", ".join(f"{n} {source}" for source, n in sorted(sources.items()))
    return scoped_title([SUBJECT], f"{len(added)} labeled examples ({parts})")


def body(
    workspace: Workspace, title: str, added: Sequence[Example], metadata: Mapping[str, Any]
) -> str:
    """The pull request's body: what it adds (counted from the branch) and what was dropped."""
    dropped = metadata.get("dropped") or []
    context = {
        "title": title,
        "intro": list(metadata.get("intro") or []),
        "counts": counts(added),
        "redactions": dict(metadata.get("redactions") or {}),
        "dropped": [{"name": n, "reason": r} for n, r in dropped],
        "dropped_total": int(metadata.get("dropped_total") or len(dropped)),
    }
    text = render.render(
        "labels.md.j2", context, dirs=render.template_dirs(workspace.settings.repo)
    )
    marker = metadata_marker(metadata)
    # truncate the details, never the hidden metadata
    return text[: workspace.config.pull_requests.body_limit - len(marker) - 2] + "\n\n" + marker


def added_on(workspace: Workspace, head: str) -> list[Example]:
    """Every example the branch at `head` adds to the default branch's labels."""
    directory = configs.LABELS.of(workspace.config).path
    files = workspace.clone.files_at(head)
    found: list[Example] = []
    for agent in labels.agents(files, directory):
        known = {
            (e.source, e.source_id)
            for e in labels.examples(workspace.evaluated.files, directory, agent)[0]
        }
        found += [
            e
            for e in labels.examples(files, directory, agent)[0]
            if (e.source, e.source_id) not in known
        ]
    return found


def post_check(workspace: Workspace, sha: str) -> None:
    """The labels check on a commit learnbot pushed (its own pushes trigger no workflow)."""
    outcome = review_labels(workspace, head=sha, settings=workspace.settings)
    workspace.forge.post_check(sha, as_check(workspace, outcome), mode=workspace.config.checks.mode)


def open_pull(workspace: Workspace, batch: Batch, branch_name: str) -> tuple[int, bool]:
    """Push the batch's commit and open its pull request: (number, opened now)."""
    prefix = workspace.config.pull_requests.branch_prefix
    branch = f"{prefix}{SUBJECT}/{branch_name}"
    for pull in workspace.forge.pull_requests(prefix=branch):
        if pull.branch == branch and pull.state == OPEN:
            return pull.number, False
    files = file_changes(workspace.evaluated.files, workspace.config, batch.curated.accepted)
    message = (
        f"{batch.title}\n\n{batch.intro}\n\n"
        f"{TRAILER}: {batch.ident}\nLearnbot-Subject: {SUBJECT}/{branch_name}\n"
    )
    sha = workspace.clone.commit(
        base=workspace.base,
        files=files,
        message=message,
        author=workspace.identity,
        at=workspace.evaluated.at,
    )
    current = workspace.clone.remote_sha(branch)
    if current != sha:
        workspace.clone.push(sha, branch, lease=current, force=True)
    post_check(workspace, sha)
    metadata = metadata_of(batch, f"{SUBJECT}/{branch_name}")
    pull = workspace.forge.open_pull(
        branch=branch,
        base=workspace.default,
        title=batch.title,
        body=body(workspace, batch.title, batch.curated.accepted, metadata),
        labels=workspace.config.pull_requests.labels,
        reviewers=workspace.config.pull_requests.reviewers,
    )
    return pull.number, True


def append(workspace: Workspace, pull: PullRequest, head: str, batch: Batch) -> None:
    """Push the batch onto an open labels pull request and re-render its title and body."""
    changes = file_changes(workspace.clone.files_at(head), workspace.config, batch.curated.accepted)
    message = f"{batch.title}\n\n{batch.intro}\n\n{TRAILER}: {batch.ident}\n"
    sha = workspace.clone.commit(
        base=head,
        files=changes,
        message=message,
        author=workspace.identity,
        at=workspace.evaluated.at,
    )
    workspace.clone.push(sha, pull.branch, lease=head, force=True)
    post_check(workspace, sha)
    added = added_on(workspace, sha)
    title = title_of(added)
    metadata = combined(pull.metadata, batch)
    workspace.forge.update_pull(
        pull.number, title=title, body=body(workspace, title, added, metadata)
    )
