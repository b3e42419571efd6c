"""The review queue (001/002): one issue per agent with its most uncertain unlabelled items.

`learnbot run` samples each agent's recent judge evaluations (bot.core.learners.sampler),
weighting judges by the agent's judges policy, and keeps one issue per agent, found by its
label `<review label>:<agent>`, edited only when its text changes. Items people labelled
(by a `/learnbot label` comment) stay ticked until they leave the queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.commands.evaluation import Evaluated
from bot.commands.workspace import Workspace
from bot.core import pii
from bot.core.learners import configs, sampler
from bot.edges import labels, render
from bot.edges.forge import MARKER, Issue, metadata_marker, read_metadata
from bot.model import Config

KIND = "review_queue"


def issue_label(config: Config, agent: str) -> str:
    return f"{configs.REVIEW.of(config).label}:{agent}"


def weights(evaluated: Evaluated, agent: str) -> dict[str, float]:
    """Each judge's weight: the agent's judges policy, else the configured default."""
    config = configs.JUDGES.of(evaluated.state.config)
    found = dict(config.defaults)
    policy = evaluated.state.policies.get(config.policies.get(agent, ""))
    if policy is not None and policy.kind == "judges":
        found.update(policy.values())
    return found


def known_labels(evaluated: Evaluated, agent: str) -> tuple[str, ...]:
    directory = configs.LABELS.of(evaluated.state.config).path
    return tuple(sorted({e.label for e in labels.examples(evaluated.files, directory, agent)[0]}))


def queue(evaluated: Evaluated, agent: str) -> list[sampler.Scored]:
    config = configs.REVIEW.of(evaluated.state.config)
    directory = configs.LABELS.of(evaluated.state.config).path
    found, _ = labels.evaluations(evaluated.files, directory, agent)
    labeled = {e.key for e in labels.examples(evaluated.files, directory, agent)[0]}
    return sampler.sample(
        found,
        weights(evaluated, agent),
        labeled=labeled,
        now=evaluated.at,
        days=config.days,
        top=config.top,
        low=config.low_confidence,
    )


def render_queue(
    workspace: Workspace, agent: str, items: Sequence[sampler.Scored], ticked: Mapping[str, str]
) -> str:
    """The issue text (same state and clock -> same text)."""
    config = configs.REVIEW.of(workspace.config)
    rows = [
        {
            "key": s.key,
            "method": s.method.replace("_", " "),
            "uncertainty": s.uncertainty,
            "summary": labels.payload_summary(pii.redact(dict(s.evaluation.payload))),
            "labeled": s.key in ticked,
        }
        for s in items
    ]
    metadata = {
        "kind": KIND,
        "agent": agent,
        "keys": [s.key for s in items],
        "labeled": {k: v for k, v in sorted(ticked.items()) if k in {s.key for s in items}},
    }
    context = {
        "agent": agent,
        "items": rows,
        "days": config.days,
        "low": config.low_confidence,
        "known": known_labels(workspace.evaluated, agent),
        "marker": render.Raw(metadata_marker(metadata)),
    }
    return render.render(
        "review.md.j2", context, dirs=render.template_dirs(workspace.settings.repo)
    )


def agents(evaluated: Evaluated) -> tuple[str, ...]:
    """Every agent with a judge evaluations file."""
    directory = configs.LABELS.of(evaluated.state.config).path
    return tuple(
        path.rsplit("/", 1)[1].removesuffix(labels.EVALUATIONS)
        for path in evaluated.files.listdir(directory, labels.EVALUATIONS)
    )


def update(workspace: Workspace) -> list[str]:
    """Create or edit each agent's queue issue (only when its text changed); what happened."""
    config = workspace.config
    if not configs.REVIEW.of(config).enabled:
        return []
    happened = []
    for agent in agents(workspace.evaluated):
        label = issue_label(config, agent)
        found = workspace.forge.find_issue(label=label)
        ticked = ticked_of(found)
        body = render_queue(workspace, agent, queue(workspace.evaluated, agent), ticked)
        if found is None:
            created = workspace.forge.create_issue(
                title=f"learnbot review queue: {agent}",
                body=body,
                labels=[configs.REVIEW.of(config).label, label],
            )
            happened.append(f"review queue {agent}: created #{created.number}")
        elif found.body.strip() != body.strip():
            workspace.forge.update_issue(found.number, body=body)
            happened.append(f"review queue {agent}: #{found.number} updated")
        else:
            happened.append(f"review queue {agent}: #{found.number} unchanged")
    return happened


def tick(body: str, key: str, label: str) -> str:
    """The queue text with one item ticked (the rest, sampled by the last run, unchanged)."""
    code = render.code(key)
    body = body.replace(f"| ☐ | {code} |", f"| ☑ | {code} |", 1)
    metadata = read_metadata(body)
    labeled = {**metadata.get("labeled", {}), key: label}
    marker = metadata_marker({**metadata, "labeled": dict(sorted(labeled.items()))})
    return MARKER.sub(lambda _: marker, body, count=1)


def ticked_of(issue: Issue | None) -> dict[str, str]:
    """key -> label of the items people labelled, from the issue's metadata."""
    metadata: dict[str, Any] = read_metadata(issue.body) if issue else {}
    found = metadata.get("labeled", {})
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
