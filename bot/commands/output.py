"""How commands print: data to stdout (a table or JSON), status to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from bot.config import Settings
from bot.core import canonical
from bot.edges import actions
from bot.model import Problem


def to_json(value: Any) -> str:
    """Stable, readable JSON: sorted keys, rounded floats, two-space indent."""
    return json.dumps(canonical.normalize(value), indent=2, sort_keys=True, ensure_ascii=False)


def print_json(value: Any) -> None:
    sys.stdout.write(to_json(value) + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def status(message: str) -> None:
    """Progress and status go to stderr so stdout stays data."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def report_problems(settings: Settings, problems: Sequence[Problem]) -> None:
    """Invalid input to stderr, and as annotations when running in Actions."""
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if settings.in_actions:
        actions.annotate(problems, sys.stdout)
