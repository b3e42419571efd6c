"""The forges, one registry line each: GitHub (token + repository) or the local one (git only).

`FORGES` is the one list of forge names (`--forge`, `$LEARNBOT_FORGE`); each opener imports
its forge when called, so `learnbot --help` reads the names without importing git (#17).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.edges.redact import register_secret
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.edges.forge import Forge
    from bot.edges.gitrepo import Clone
    from bot.edges.local_forge import LocalForge

# (settings, clone, environ, event) -> the forge
Opener = Callable[[Settings, "Clone", Mapping[str, str], Mapping[str, Any]], "Forge"]


def open_forge(
    settings: Settings, clone: Clone, environ: Mapping[str, str], event: Mapping[str, Any]
) -> Forge:
    """The forge the settings name, opened for `clone`."""
    return FORGES[settings.forge](settings, clone, environ, event)


def local_forge(settings: Settings) -> tuple[Clone, LocalForge]:
    """The local forge of a fetched clone; the commands that act on it refuse any other forge."""
    from bot.edges.gitrepo import Clone
    from bot.edges.local_forge import LocalForge

    if settings.forge != "local":
        raise ConfigError(
            "merge, close and collaborator act on the local forge; on GitHub use its pages"
        )
    clone = Clone(settings.repo)
    clone.fetch()
    return clone, LocalForge(clone)


def _local(
    settings: Settings, clone: Clone, environ: Mapping[str, str], event: Mapping[str, Any]
) -> Forge:
    from bot.edges.local_forge import LocalForge

    return LocalForge(clone)


def _github(
    settings: Settings, clone: Clone, environ: Mapping[str, str], event: Mapping[str, Any]
) -> Forge:
    from bot.edges.github_forge import GitHubForge  # PyGithub is only imported when used

    if not settings.forge_repository:
        raise ConfigError(
            "the github forge needs a repository",
            hint="set GITHUB_REPOSITORY=owner/name or pass --github-repo owner/name",
        )
    token = settings.token(environ)
    register_secret(token)
    default = (event.get("repository") or {}).get("default_branch")
    return GitHubForge(
        token=token,
        repository=settings.forge_repository,
        api_url=settings.api_url,
        default_branch=default,
        paced=environ.get("LEARNBOT_API_PACING", "on") != "off",
        etags=Path(clone.repo.git_dir) / "learnbot" / "etags.json",
    )


FORGES: dict[str, Opener] = {"local": _local, "github": _github}
