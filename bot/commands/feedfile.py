"""Reading an export for `learnbot labels import`: JSONL or CSV rows, checked field by field.

CSV columns that are not one of the known fields become payload features (numbers parsed);
a `payload` column may also hold a JSON object. Every problem names the file, line and field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.model import Problem, parse_time

KNOWN = (
    "agent",
    "key",
    "id",
    "action",
    "decision",
    "label",
    "notes",
    "at",
    "origin",
    "thumbs",
    "thumbs_up",
    "thumbs_down",
    "payload",
)
REQUIRED = {
    "approvals": ("agent", "key", "id", "action", "decision"),
    "feedback": ("agent", "key"),
    "gold": ("agent", "key", "label"),
}
_AGENT = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def read(path: Path, source: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The rows of an export, and every problem in them (file, line, field)."""
    name = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, 1, "", f"cannot read the export: {exc}")]
    rows = _csv(name, text) if path.suffix.lower() == ".csv" else _jsonl(name, text)
    found: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for line, row in rows:
        if isinstance(row, Problem):
            problems.append(row)
            continue
        bad = _check(name, line, row, source)
        problems += bad
        if not bad:
            found.append(row)
    return found, problems


def _jsonl(name: str, text: str) -> list[tuple[int, dict[str, Any] | Problem]]:
    rows: list[tuple[int, dict[str, Any] | Problem]] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            rows.append((line, Problem(name, line, "", f"invalid JSON: {exc.args[0]}")))
            continue
        if not isinstance(value, dict):
            rows.append((line, Problem(name, line, "/", "a row must be a JSON object")))
            continue
        rows.append((line, value))
    return rows


def _csv(name: str, text: str) -> list[tuple[int, dict[str, Any] | Problem]]:
    rows: list[tuple[int, dict[str, Any] | Problem]] = []
    reader = csv.DictReader(io.StringIO(text))
    for record in reader:
        line = reader.line_num
        row: dict[str, Any] = {}
        payload: dict[str, Any] = {}
        for column, cell in record.items():
            if column is None or cell is None or cell == "":
                continue
            field = column.strip().removeprefix("payload.")
            if column == "payload":
                try:
                    payload.update(json.loads(cell))
                except (ValueError, TypeError):
                    rows.append((line, Problem(name, line, "/payload", "not a JSON object")))
                    break
            elif field in KNOWN and not column.startswith("payload."):
                row[field] = _cell(cell) if field in ("thumbs_up", "thumbs_down") else cell
            else:
                payload[field] = _cell(cell)
        else:
            row["payload"] = payload
            rows.append((line, row))
    return rows


def _cell(cell: str) -> Any:
    text = cell.strip()
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _check(name: str, line: int, row: Mapping[str, Any], source: str) -> list[Problem]:
    found = [
        Problem(name, line, f"/{field}", f"missing {field!r} (a {source} row needs it)")
        for field in REQUIRED[source]
        if row.get(field) in (None, "")
    ]
    agent = row.get("agent")
    if isinstance(agent, str) and agent and not _AGENT.match(agent):
        found.append(Problem(name, line, "/agent", f"{agent!r} is not a valid agent name"))
    if row.get("at"):
        try:
            parse_time(str(row["at"]))
        except ValueError as exc:
            found.append(Problem(name, line, "/at", str(exc)))
    if not isinstance(row.get("payload", {}), dict):
        found.append(Problem(name, line, "/payload", "must be an object"))
    if source == "feedback" and not (
        row.get("thumbs") in ("up", "down") or "thumbs_up" in row or "thumbs_down" in row
    ):
        found.append(
            Problem(name, line, "/thumbs", "needs thumbs: up|down, or thumbs_up / thumbs_down")
        )
    return found
