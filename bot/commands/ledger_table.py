"""The ledger as a readable table (shared by ledger show, promote and demo)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands.output import table


def render_table(rows: Sequence[dict[str, Any]]) -> str:
    """The ledger as a readable table."""
    return table(
        ("seq", "type", "at", "case", "proposal", "pr", "versions", "note"),
        [
            (
                e["seq"],
                e["type"],
                e.get("at"),
                e.get("subject") or e.get("case_id"),
                (e.get("proposal_id") or "")[:20] or None,
                e.get("pr"),
                _versions(e.get("versions")),
                shorten(e.get("note") or "", 60) or None,
            )
            for e in rows
        ],
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
