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

from bot.commands import checks
from bot.commands.review import as_check
from bot.commands.workspace import Workspace
from bot.core import canonical, curator
from bot.edges import labels, render
from bot.edges.files import Files
from bot.edges.forge import OPEN, metadata_marker
from bot.model import Config, Problem
from bot.model.labels import Example

TRAILER = "Learnbot-Labels"
SUBJECT = "labels"


def rules(config: Config) -> curator.Rules:
    found = config.learners.labels
    return curator.Rules(
        near_duplicate=found.near_duplicate,
        recent=found.recent,
        diversity_floor=found.diversity_floor,
        diversity_min_batch=found.diversity_min_batch,
        self_origins=tuple(found.self_origins),
    )


def existing(
    files: Files, config: Config, agents: Iterable[str]
) -> tuple[list[Example], list[Problem]]:
    """The labeled examples already on the base, for the agents in a batch."""
    found: list[Example] = []
    problems: list[Problem] = []
    for agent in sorted(set(agents)):
        examples, bad = labels.examples(files, config.learners.labels.path, agent)
        found += examples
        problems += bad
    return found, problems


def file_changes(files: Files, config: Config, accepted: Sequence[Example]) -> dict[str, bytes]:
    """Each agent's labels file with its new examples appended."""
    directory = config.learners.labels.path
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


def body(workspace: Workspace, batch: Batch, metadata: Mapping[str, Any]) -> str:
    context = {
        "title": batch.title,
        "intro": batch.intro,
        "counts": counts(batch.curated.accepted),
        "redactions": dict(batch.curated.redactions),
        "dropped": [{"name": n, "reason": r} for n, r in batch.curated.dropped],
        "marker": render.Raw(metadata_marker(metadata)),
    }
    text = render.render(
        "labels.md.j2", context, dirs=render.template_dirs(workspace.settings.repo)
    )
    return text[: workspace.config.pull_requests.body_limit]


def post_check(workspace: Workspace, sha: str) -> None:
    """The labels check on a commit learnbot pushed (its own pushes trigger no workflow)."""
    outcome = checks.review_labels(workspace, head=sha, settings=workspace.settings)
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
    metadata = {"labels": batch.ident, "subject": f"{SUBJECT}/{branch_name}"}
    pull = workspace.forge.open_pull(
        branch=branch,
        base=workspace.default,
        title=batch.title,
        body=body(workspace, batch, metadata),
        labels=workspace.config.pull_requests.labels,
        reviewers=workspace.config.pull_requests.reviewers,
    )
    return pull.number, True
