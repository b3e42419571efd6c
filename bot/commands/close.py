"""`learnbot close N`: close a local pull request without merging (a rejection)."""

from __future__ import annotations

import sys

from bot.commands.forges import local_forge
from bot.commands.output import print_json
from bot.config import Settings
from bot.edges.forge import OPEN
from bot.errors import EXIT_OK, ForgeError


def close(settings: Settings, *, number: int, comment: str | None = None) -> int:
    """Close a local pull request without merging (a rejection, recorded by `promote`)."""
    _, forge = local_forge(settings)
    pull = forge.pull(number)
    if pull.state != OPEN:
        raise ForgeError(f"#{number} is {pull.state}, not open")
    forge.close_pull(number, comment=comment or "Closed without merging.")
    if settings.as_json:
        print_json({"number": number, "state": "closed"})
    else:
        sys.stdout.write(f"closed #{number} without merging\n")
    return EXIT_OK
