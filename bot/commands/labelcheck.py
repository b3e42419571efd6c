"""`learnbot check` on a labels branch: the added lines are re-validated, nothing is trusted.

A labels branch may only append lines to `cases/labels/<agent>.jsonl`. Every added line must
match the schema and its file's agent, be new (source, source_id), and hold no PII the
curator would have redacted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath

from bot.commands.evaluation import Evaluated
from bot.commands.review import Review
from bot.commands.workspace import Workspace
from bot.config import Settings
from bot.core import pii, scope
from bot.core.learners import configs
from bot.edges import labels, render, schemas
from bot.edges.gitrepo import Clone

TRAILER = "Learnbot-Labels"
REDACTED = ("key", "payload", "notes")  # what the curator redacts


def problems(clone: Clone, evaluated: Evaluated, *, base: str, head: str) -> tuple[int, list[str]]:
    """(examples added, every reason the branch is not a valid labels change)."""
    directory = configs.LABELS.of(evaluated.state.config).path.rstrip("/") + "/"
    merge_base = clone.merge_base(base, head)
    found: list[str] = []
    added = 0
    for status, old, new in clone.changed_files(merge_base, head):
        in_scope = (
            status in ("A", "M")
            and new.startswith(directory)
            and new.endswith(".jsonl")
            and not new.endswith(labels.EVALUATIONS)
            and "/" not in new[len(directory) :]
        )
        if not in_scope:
            found.append(f"{new or old}: a labels branch only appends to {directory}<agent>.jsonl")
            continue
        before = clone.read_at(merge_base, new) or b""
        after = clone.read_at(head, new) or b""
        if not after.startswith(before.rstrip(b"\n")):
            found.append(f"{new}: existing lines were changed; labels are append-only")
            continue
        lines = after[len(before) :].decode("utf-8", errors="replace").splitlines()
        agent = PurePosixPath(new).name.removesuffix(".jsonl")
        known = {
            (e.source, e.source_id)
            for e in labels.examples(clone.files_at(merge_base), directory, agent)[0]
        }
        count, bad = _lines(new, agent, [x for x in lines if x.strip()], known)
        added += count
        found += bad
    if not any(
        TRAILER in clone.info(sha).trailers for sha in clone.first_parents(merge_base, head)
    ):
        found.append(f"no commit on the branch carries a {TRAILER} trailer")
    if not added and not found:
        found.append("the branch adds no labeled example")
    return added, found


def _lines(
    path: str, agent: str, lines: Sequence[str], known: set[tuple[str, str]]
) -> tuple[int, list[str]]:
    found: list[str] = []
    for index, line in enumerate(lines, start=1):
        where = f"{path} (added line {index})"
        try:
            value = json.loads(line)
        except ValueError as exc:
            found.append(f"{where}: invalid JSON: {exc.args[0]}")
            continue
        violations = schemas.check_value(value, "label")
        if violations:
            found += [f"{where} {p}: {m}" for p, m in violations]
            continue
        if value["agent"] != agent:
            found.append(f"{where} /agent: {value['agent']!r} is not {agent!r}")
        ident = (value["source"], value["source_id"])
        if ident in known:
            found.append(f"{where}: {ident[0]} {ident[1]} is already labeled")
        known.add(ident)
        redacted = {k: value.get(k) for k in REDACTED}
        if pii.redact(redacted) != redacted:
            found.append(f"{where}: holds PII the curator redacts")
    return len(lines), found


def review_labels(workspace: Workspace, *, head: str, settings: Settings) -> Review:
    """A labels branch: every added line re-validated (schema, new, no PII left)."""
    added, found = problems(workspace.clone, workspace.evaluated, base=workspace.base, head=head)
    lines = "\n".join(f"- {render.escape(p)}" for p in found[:50])
    if found:
        summary = f"### Labels check failed\n\n{lines}\n"
        return Review(
            False, f"Labels invalid: {found[0]}"[:250], summary, scope.Derived((), (), {}, ())
        )
    summary = (
        f"### Labels check passed\n\n{added} new labeled example(s): schema-valid, new, no PII.\n"
    )
    return Review(
        True, f"Labels valid: {added} new example(s)", summary, scope.Derived((), (), {}, ())
    )
