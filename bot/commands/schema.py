"""`learnbot schema export` and `schema reference`: the state files' JSON Schemas, and the
configuration reference generated from the config's schema."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands.output import print_json, status
from bot.config import Settings
from bot.edges import schemadoc, schemas
from bot.errors import EXIT_OK


def export_schemas(settings: Settings, *, directory: Path) -> int:
    """Write the JSON Schemas for editors."""
    written = schemas.export(directory)
    if settings.as_json:
        print_json([str(path) for path in written])
    for path in written if not settings.as_json else ():
        sys.stdout.write(f"{path}\n")
    return EXIT_OK


def config_reference(settings: Settings, *, out: Path | None) -> int:
    """Print (or write) the configuration reference generated from the config's schema."""
    text = schemadoc.config_reference()
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        status(f"wrote {out}")
    return EXIT_OK
