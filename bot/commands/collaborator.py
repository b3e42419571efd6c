"""`learnbot collaborator LOGIN`: give a person a permission on the local forge."""

from __future__ import annotations

import sys

from bot.commands.forges import local_forge
from bot.commands.output import print_json
from bot.config import Settings
from bot.errors import EXIT_OK


def grant(settings: Settings, *, login: str, permission: str) -> int:
    """Give a person a permission on the local forge (who may label by comment)."""
    _, forge = local_forge(settings)
    forge.grant(login, permission)
    if settings.as_json:
        print_json({"login": login, "permission": permission})
    else:
        sys.stdout.write(f"{login}: {permission}\n")
    return EXIT_OK
