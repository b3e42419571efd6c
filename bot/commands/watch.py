"""The watch after every promotion, at the edges: online metrics after a merge against those
before it, and the revert pull request learnbot opens itself on a significant regression.

The rules are in `bot.core.watch`. The revert is built like `git revert` of the merge (the
files it changed, restored to their first parent), on the default branch's head, and refused
when one of them changed again since: then a person reverts by hand. Merging the revert is
recorded by `promote` as a rollback like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.commands import reverts
from bot.commands.workspace import Workspace
from bot.core import sandbox, watch_backtest
from bot.core import watch as watch_rules
from bot.core.learners import configs, rollout
from bot.edges import outcomes, render
from bot.edges.forge import scoped_title
from bot.model.entries import Promotion

_VERSION_LINE = re.compile(rb"^version:[^\n]*\n", re.MULTILINE)


@dataclass
class Watch:
    """What the watch found this run, and the revert pull requests it opened."""

    watched: list[watch_rules.Watched] = field(default_factory=list)
    opened: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    section: str = ""


def watch(workspace: Workspace) -> Watch:
    """Judge every promotion in its watch period; open a revert for each significant regression."""
    config = configs.ROLLOUT.of(workspace.config)
    found = Watch()
    if not config.enabled or config.watch_days == 0:
        return found
    evaluated = workspace.evaluated
    promoted = watch_rules.under_watch(
        workspace.history.entries, now=evaluated.at, days=config.watch_days
    )
    replay = sandbox.Replay(
        evaluated.cases, evaluated.params, evaluated.snapshots, evaluated.evaluators
    )
    seed = evaluated.state.config.sandbox.seeds[0]
    for entry, policy in promoted:
        samples, _ = outcomes.rollout_samples(evaluated.files, config.path, policy)
        if rollout.CRL in config.metrics:  # the loss of each line, as the rollout learner reads
            weights = evaluated.state.config.objective.weights.as_mapping()
            samples = rollout.with_crl(samples, weights)[0]
        if samples:
            found.watched.append(watch_rules.judge(entry, policy, samples, config))
            continue
        # without online metrics: today's cases under the values before and after the merge
        judged = watch_backtest.judge(entry, policy, replay, seed=seed)
        if judged is not None:
            found.watched.append(judged)
    regressed = [w for w in found.watched if w.verdict == watch_rules.REGRESSED]
    if regressed:
        _revert(workspace, regressed, found)
    if found.watched:
        context = {"watched": [_row(w, found.opened) for w in found.watched]}
        dirs = render.template_dirs(workspace.settings.repo)
        found.section = render.render("watch.md.j2", context, dirs=dirs)
    return found


def _row(watched: watch_rules.Watched, opened: Mapping[str, int]) -> dict[str, Any]:
    return {**watched.as_dict(), "revert": opened.get(watched.entry.commit)}


def _revert(workspace: Workspace, regressed: Sequence[watch_rules.Watched], found: Watch) -> None:
    requests = []
    for watched in regressed:
        files = _reverted_files(workspace, watched.entry)
        if isinstance(files, str):
            commit = watched.entry.commit[:12]
            found.notes.append(f"watch: cannot revert {commit} automatically: {files}")
            continue
        requests.append(_request(workspace, watched, files))
    opened, notes = reverts.open_reverts(workspace, requests, onto=workspace.base)
    found.opened.update(opened)
    found.notes.extend(f"watch: {note}" for note in notes)


def _reverted_files(workspace: Workspace, entry: Promotion) -> dict[str, bytes | None] | str:
    """The merge's files as its first parent had them, or why that would undo later work."""
    clone = workspace.clone
    commit, parent = entry.commit, entry.parent or ""
    if not parent:
        return "the ledger entry names no parent commit"
    files: dict[str, bytes | None] = {}
    for _, old, new in clone.changed_files(parent, commit):
        for path in {old, new}:
            if _unversioned(clone.read_at(workspace.base, path)) != _unversioned(
                clone.read_at(commit, path)
            ):
                return f"{path} changed again since the merge"
            files[path] = clone.read_at(parent, path)
    return files


def _unversioned(text: bytes | None) -> bytes | None:
    """A file without its top-level `version:` line: the ledger commit's own version bump is
    not later work, and promote moves the version forward again when the revert merges."""
    return None if text is None else _VERSION_LINE.sub(b"", text)


def _request(
    workspace: Workspace, watched: watch_rules.Watched, files: Mapping[str, bytes | None]
) -> reverts.Request:
    entry, config = watched.entry, configs.ROLLOUT.of(workspace.config)
    what = f"#{entry.pr}" if entry.pr else entry.commit[:12]
    context = {"watched": watched.as_dict(), "days": config.watch_days}
    if watched.backtest is not None:
        worse, template = "the backtest got worse after the merge", "watch_backtest_revert.md.j2"
    else:
        worse, template = "online metrics worse after the merge", "watch_revert.md.j2"
        context["path"] = outcomes.rollout_path(config.path, watched.policy)
    return reverts.Request(
        entry=entry,
        title=scoped_title([watched.policy], f"revert {what}: {worse}"),
        reasons=(watched.reason,),
        template=template,
        context=context,
        files=files,
    )
