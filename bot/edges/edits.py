"""A proposal as file contents: the changed scalars and the version bump, nothing else."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping

from bot.edges import yamldoc
from bot.edges.files import Files
from bot.errors import StateError
from bot.model import Policy
from bot.model.proposal import Proposal


def pointer(target: str) -> str:
    """The JSON pointer of a change target inside a policy file."""
    kind, _, name = target.partition(".")
    if kind == "parameters":
        return f"/parameters/{name}/value"
    if kind in ("operators", "metrics"):
        return f"/{kind}/{name}/active"
    if kind == "candidate" and name:
        return f"/candidate/{name}"
    return f"/{target}"


def branch_files(
    files: Files,
    proposal: Proposal,
    policies: Mapping[str, Policy],
    *,
    parsed: MutableMapping[tuple[str, str], yamldoc.Document] | None = None,
) -> dict[str, bytes | None]:
    """Every file the proposal's commit writes (None deletes), read from `files` (the base).

    `parsed` keeps the policy documents already parsed, by path and content digest.
    """
    written: dict[str, bytes | None] = {}
    for name, (_, new_version) in sorted(proposal.versions.items()):
        path = policies[name].path
        document = _document(files, path, {} if parsed is None else parsed)
        replacements = {"/version": str(new_version)}
        removed = False
        for change in proposal.changes:
            if change.policy != name:
                continue
            if change.target == "candidate" and change.new is None:
                removed = True  # a rollout's last step or rollback: the candidate block goes
            else:
                replacements[pointer(change.target)] = yamldoc.scalar_text(change.new)
        text = _apply(document, replacements)
        if removed:
            text = yamldoc.remove_key(yamldoc.parse(text, path=path), "candidate")
        written[path] = text.encode("utf-8")
    for source, target in proposal.moves:
        written[target] = _read(files, source).encode("utf-8")
        written[source] = None
    return written


def _document(
    files: Files, path: str, parsed: MutableMapping[tuple[str, str], yamldoc.Document]
) -> yamldoc.Document:
    text = _read(files, path)
    key = (path, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key not in parsed:
        parsed[key] = yamldoc.parse(text, path=path)
    return parsed[key]


def _read(files: Files, path: str) -> str:
    data = files.read(path)
    if data is None:
        raise StateError(f"{path}: missing on the base branch")
    return data.decode("utf-8")


def _apply(document: yamldoc.Document, replacements: Mapping[str, str]) -> str:
    """Replace existing scalars; append top-level keys that are not there yet (e.g. as_of)."""
    present = {p: v for p, v in replacements.items() if p in document.spans}
    text = yamldoc.replace_scalars(document, present)
    for path, value in replacements.items():
        if path in present:
            continue
        if path.count("/") != 1:
            raise StateError(
                f"{document.path}: {path} does not exist and cannot be added by a proposal"
            )
        text = text.rstrip("\n") + f"\n{path[1:]}: {value}\n"
    return text
