"""`learnbot prs show N`: one pull request for local review: body, check and gate table (#16)."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Mapping
from typing import Any

from bot.commands.forges import open_forge
from bot.commands.output import print_json, table
from bot.config import Settings
from bot.edges import actions
from bot.edges.forge import MARKER, Check, PullRequest
from bot.edges.gitrepo import Clone
from bot.errors import EXIT_OK

GATE_HEADER = "| criterion | value | limit | verdict |"
_ESCAPED = re.compile(r"\\(.)")


def show_pull(settings: Settings, environ: Mapping[str, str], *, number: int) -> int:
    """Print one pull request: what it changes, its check, the gate's criteria, its body."""
    clone = Clone(settings.repo)
    forge = open_forge(settings, clone, environ, actions.read_event(settings.event_path))
    try:
        pull = forge.pull(number)
        checks = forge.check_results(pull.head_sha)
    finally:
        forge.close()
    # the check's summary when the forge returns it, else the body's sandbox report
    sources = [c.summary for c in checks if c.summary] + [pull.body]
    gate = next((rows for rows in map(gate_rows, sources) if rows), [])
    if settings.as_json:
        print_json(_as_dict(pull, checks, gate))
    else:
        sys.stdout.write(_text(pull, checks, gate))
    return EXIT_OK


def gate_rows(markdown: str) -> list[dict[str, str]]:
    """The rows of the gate table in a rendered sandbox report, as plain text."""
    lines = markdown.splitlines()
    if GATE_HEADER not in lines:
        return []
    rows = []
    for line in lines[lines.index(GATE_HEADER) + 2 :]:
        if not line.startswith("|"):
            break
        cells = [_plain(c) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append(dict(zip(("criterion", "value", "limit", "verdict"), cells, strict=False)))
    return rows


def _plain(cell: str) -> str:
    text = cell.strip().strip("`").replace("**", "")
    return html.unescape(_ESCAPED.sub(r"\1", text)).replace("\u200b", "")


def _as_dict(
    pull: PullRequest, checks: tuple[Check, ...], gate: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "number": pull.number,
        "title": pull.title,
        "state": pull.state,
        "branch": pull.branch,
        "base": pull.base,
        "head_sha": pull.head_sha,
        "url": pull.url,
        "labels": list(pull.labels),
        "body": pull.body,
        "metadata": pull.metadata,
        "checks": [
            {"name": c.name, "success": c.success, "title": c.title, "summary": c.summary}
            for c in checks
        ],
        "gate": gate,
    }


def _text(pull: PullRequest, checks: tuple[Check, ...], gate: list[dict[str, str]]) -> str:
    lines = [
        f"#{pull.number} {pull.title}",
        f"state: {pull.state}  branch: {pull.branch} -> {pull.base}  head: {pull.head_sha[:12]}",
    ]
    if pull.url:
        lines.append(pull.url)
    if not checks:
        lines.append("check: none reported on the head commit yet (pending)")
    for check in checks:
        verdict = "passed" if check.success else "failed"
        lines.append(f"check {check.name}: {verdict}: {check.title}")
    if gate:
        rows = [
            tuple(r.get(k, "") for k in ("criterion", "value", "limit", "verdict")) for r in gate
        ]
        lines += ["", table(("criterion", "value", "limit", "verdict"), rows)]
    body = MARKER.sub("", pull.body).rstrip()
    lines += ["", "-" * 72, body, ""]
    return "\n".join(lines)
