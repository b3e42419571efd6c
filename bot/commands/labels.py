"""`learnbot labels import FILE --source approvals|feedback|gold`: exports in, one PR out."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from bot.commands import feedfile, labelpulls
from bot.commands.output import print_json, status, table
from bot.commands.workspace import open_workspace
from bot.config import Settings
from bot.core import curator, feeds
from bot.core.learners import configs
from bot.edges.forge import scoped_title
from bot.errors import EXIT_OK, ConfigError


def run_import(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    path: Path,
    source: str,
    dry_run: bool = False,
) -> int:
    """Curate an export against the default branch's labels; open one pull request with it."""
    rows, problems = feedfile.read(path, source)
    if problems:
        for problem in problems:
            sys.stderr.write(f"{problem}\n")
        raise ConfigError(
            f"{path}: {len(problems)} invalid row(s); nothing was imported",
            hint="fix the rows named above and import the file again",
        )
    with open_workspace(settings, environ) as workspace:
        incoming = feeds.examples(source, rows, now=workspace.evaluated.at)
        agents = [i.example.agent for i in incoming]
        known, bad = labelpulls.existing(workspace.evaluated.files, workspace.config, agents)
        for problem in bad:
            sys.stderr.write(f"{problem}\n")
        curated = curator.curate(incoming, known, configs.LABELS.of(workspace.config))
        if not curated.accepted:
            _print(settings, curated, None)
            status(f"{path.name}: nothing new to import ({len(curated.dropped)} dropped)")
            return EXIT_OK
        batch = labelpulls.Batch(
            name=f"{source}:{path.name}",
            title=scoped_title(
                ["labels"], f"import {len(curated.accepted)} labeled examples from {source}"
            ),
            intro=(
                f"{len(curated.accepted)} of {len(incoming)} {source} example(s) from "
                f"`{path.name}` passed the curator."
            ),
            curated=curated,
        )
        if dry_run:
            _print(settings, curated, None)
            status("dry run: no branch pushed, no pull request opened")
            return EXIT_OK
        number, opened = labelpulls.open_pull(workspace, batch, f"{source}-{batch.ident}")
        _print(settings, curated, number)
        verb = "opened" if opened else "already open as"
        status(f"labels pull request {verb} #{number}")
        usage = workspace.forge.usage
        status(f"API requests: {usage.reads} reads, {usage.writes} writes")
    return EXIT_OK


def _print(settings: Settings, curated: curator.Curated, number: int | None) -> None:
    """What the curator kept and dropped (and the labels pull request, once there is one)."""
    counts = labelpulls.counts(curated.accepted)
    if settings.as_json:
        print_json(
            {
                "accepted": counts,
                "dropped": [{"example": n, "reason": r} for n, r in curated.dropped],
                "redactions": dict(curated.redactions),
                "pull_request": number,
            }
        )
        return
    rows = [(r["agent"], r["label"], r["source"], r["count"]) for r in counts]
    sys.stdout.write(table(("agent", "label", "source", "examples"), rows) + "\n")
    for name, reason in curated.dropped:
        sys.stdout.write(f"dropped {name}: {reason}\n")
    if curated.redactions:
        found = ", ".join(f"{n} {k}" for k, n in curated.redactions.items())
        sys.stdout.write(f"redacted: {found}\n")
