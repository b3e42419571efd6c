"""The configuration reference, generated from the config's JSON Schema (#16).

Every key with its type, default and description, one table per top-level section. The
checked-in `docs/configuration.md` is this text; a test fails when they differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from bot.edges import schemas

REFERENCE_PATH = "docs/configuration.md"
HEADER = (
    "# Configuration reference\n\n"
    "<!-- Generated from bot/schemas/config.schema.json and the learners' settings by "
    "`learnbot schema reference --out docs/configuration.md`; do not edit by hand. -->\n\n"
)


def config_reference() -> str:
    """The Markdown reference of `.github/learnbot.yml`."""
    root = schemas.schema("config")
    parts = [HEADER, f"{root['description']}\n"]
    for name, node in root["properties"].items():
        parts.append(f"\n## `{name}`\n\n{_cell(node.get('description', ''))}\n")
        rows = list(_rows(name, node))
        if rows:
            parts.append("\n| key | type | default | description |\n|---|---|---|---|\n")
            parts.extend(f"| `{k}` | {t} | {d} | {text} |\n" for k, t, d, text in rows)
    return "".join(parts)


def _rows(path: str, node: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """The node itself when it holds a value, then every key below it."""
    children = node.get("properties", {})
    entries = node.get("additionalProperties")
    if not children and not isinstance(entries, dict):
        yield path, _type(node), _default(node), _cell(node.get("description", ""))
        return
    for name, child in children.items():
        key = f"{path}.{name}"
        if _is_section(child):
            yield key, "object", _default(child), _cell(child.get("description", ""))
        yield from _rows(key, child) if _is_section(child) else [_row(key, child)]
    if isinstance(entries, dict):
        key = f"{path}.<name>"
        yield key, _type(entries), _default(entries), _cell(entries.get("description", ""))
        if _is_section(entries):
            yield from _rows(key, entries)


def _is_section(node: Mapping[str, Any]) -> bool:
    return bool(node.get("properties")) or isinstance(node.get("additionalProperties"), dict)


def _row(key: str, node: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return key, _type(node), _default(node), _cell(node.get("description", ""))


def _type(node: Mapping[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds and isinstance(node.get("items"), dict):
        kinds = [k if k != "array" else f"array of {_type(node['items'])}" for k in kinds]
    return " or ".join(kinds)


def _default(node: Mapping[str, Any]) -> str:
    if "default" not in node:
        return "required" if node.get("type") != "object" else ""
    return f"`{json.dumps(node['default'], ensure_ascii=False)}`".replace("|", "\\|")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
