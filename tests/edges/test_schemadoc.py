"""The checked-in configuration reference is the one the schema generates (CI fails otherwise)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.edges import schemadoc, schemas
from tests.repos import ROOT


def keys(node: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, child in node.get("properties", {}).items():
        yield f"{path}.{name}".lstrip("."), child
        yield from keys(child, f"{path}.{name}")
    entries = node.get("additionalProperties")
    if isinstance(entries, dict):
        yield f"{path}.<name>".lstrip("."), entries
        yield from keys(entries, f"{path}.<name>")


def test_the_checked_in_reference_is_current() -> None:
    checked_in = (ROOT / schemadoc.REFERENCE_PATH).read_text(encoding="utf-8")
    assert checked_in == schemadoc.config_reference(), (
        "docs/configuration.md is stale: run "
        "`learnbot schema reference --out docs/configuration.md` and commit it"
    )


def test_every_config_key_is_in_the_reference_with_its_description_and_default() -> None:
    text = schemadoc.config_reference()
    for key, node in keys(schemas.schema("config")):
        assert node.get("description"), f"{key} has no description in the config schema"
        if "." not in key and node.get("type") == "object":
            assert f"\n## `{key}`\n" in text, f"section {key} is missing from the reference"
            continue
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, f"{key} is missing from the reference"
        if "default" in node:
            assert row.split(" | ")[2].startswith("`"), f"{key}: no default shown"


def test_schema_reference_command_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "docs" / "configuration.md"
    assert main(["schema", "reference", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schemadoc.config_reference()
    assert main(["schema", "reference"]) == 0
    assert capsys.readouterr().out == schemadoc.config_reference()
