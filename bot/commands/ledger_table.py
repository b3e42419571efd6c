"""The ledger as a readable table (shared by ledger show, promote and demo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.commands.output import table
from bot.model.entries import (
    LabelsImport,
    ManualChange,
    Promotion,
    Recorded,
    Rejection,
    Rollback,
    Tamper,
    Unknown,
    seq,
)

HEADERS = ("seq", "type", "at", "case", "proposal", "pr", "versions", "note")


def render_table(entries: Sequence[Recorded]) -> str:
    """The ledger as a readable table."""
    return table(HEADERS, [_shown(_row(e)) for e in entries])


def _row(entry: Recorded) -> tuple[object, ...]:
    if isinstance(entry, Unknown):
        return _loose(entry.data)
    subject = proposal = pr = versions = note = None
    if isinstance(entry, (Promotion, Rollback, Rejection)):
        subject, proposal, pr = entry.subject, entry.proposal_id, entry.pr
    if isinstance(entry, ManualChange):
        subject = entry.subject
    if isinstance(entry, LabelsImport):
        pr = entry.pr
    if isinstance(entry, (Rollback, Rejection, Tamper)):
        note = entry.note
    if isinstance(entry, (Promotion, Rollback, ManualChange, LabelsImport)):
        versions = _versions(entry.versions.to_dict()["versions"])
    return (seq(entry), entry.type_, entry.at, subject, proposal, pr, versions, note)


def _loose(data: Mapping[str, Any]) -> tuple[object, ...]:
    """A line that is none of the kinds: whatever of the columns it has."""
    return (
        data.get("seq"),
        data.get("type"),
        data.get("at"),
        data.get("subject") or data.get("case_id"),
        data.get("proposal_id"),
        data.get("pr"),
        _versions(data.get("versions")),
        data.get("note"),
    )


def _shown(row: tuple[object, ...]) -> tuple[object, ...]:
    seq_, type_, at, subject, proposal, pr, versions, note = row
    return (
        seq_,
        type_,
        at,
        subject or None,
        str(proposal or "")[:20] or None,
        pr,
        versions,
        shorten(str(note or ""), 60) or None,
    )


def shorten(text: str, width: int) -> str:
    """At most `width` characters, cut at a word boundary with an ellipsis, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def _versions(versions: Any) -> str | None:
    if not versions:
        return None
    return ", ".join(f"{name} {v['from']}->{v['to']}" for name, v in sorted(versions.items()))
