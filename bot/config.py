"""Settings for one command, from flags + an environment mapping, resolved once.

Precedence: flag > environment > `.github/learnbot.yml` > default. The core never sees the
environment; it receives values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.paths import path_problem
from bot.errors import ConfigError

GITHUB_API = "https://api.github.com"
CONFIG_PATH = ".github/learnbot.yml"


@dataclass(frozen=True)
class Settings:
    """What one invocation runs against."""

    repo: Path
    forge: str = "local"
    as_json: bool = False
    now: int | None = None
    forge_repository: str | None = None  # owner/name on the forge
    api_url: str = GITHUB_API
    token_env: str = "GITHUB_TOKEN"  # noqa: S105 - the name of a variable, not a secret
    event_name: str | None = None
    event_path: Path | None = None
    in_actions: bool = False
    output_path: Path | None = None
    summary_path: Path | None = None
    verbose: bool = False
    config_path: str = CONFIG_PATH
    cache_dir: Path | None = None  # parsed snapshots, learned failures; None: no disk cache

    def token(self, environ: Mapping[str, str]) -> str:
        """The forge token, read only when a forge needs it."""
        token = environ.get(self.token_env, "")
        if not token:
            raise ConfigError(
                f"${self.token_env} is empty: the github forge needs a token",
                hint="set GITHUB_TOKEN (or --token-env NAME), or use --forge local",
            )
        return token


def resolve(
    *,
    repo: str | None = None,
    forge: str | None = None,
    as_json: bool = False,
    now: int | None = None,
    forge_repository: str | None = None,
    api_url: str | None = None,
    token_env: str | None = None,
    verbose: bool = False,
    config_path: str | None = None,
    no_cache: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from flags (None = not given) and the environment; the CLI checks the forge's
    name against the forge registry (`bot.commands.forges.FORGES`)."""
    env = os.environ if environ is None else environ
    in_actions = env.get("GITHUB_ACTIONS") == "true"
    chosen_forge = forge or env.get("LEARNBOT_FORGE") or ("github" if in_actions else "local")
    root = repo or env.get("GITHUB_WORKSPACE") or "."
    chosen_config = config_path or env.get("LEARNBOT_CONFIG") or CONFIG_PATH
    if problem := path_problem(chosen_config):
        raise ConfigError(f"--config: {problem}", hint="the config is read at a git revision too")
    return Settings(
        repo=Path(root).resolve(),
        forge=chosen_forge,
        as_json=as_json,
        now=now,
        forge_repository=forge_repository or env.get("GITHUB_REPOSITORY") or None,
        api_url=api_url or env.get("GITHUB_API_URL") or GITHUB_API,
        token_env=token_env or "GITHUB_TOKEN",
        event_name=env.get("GITHUB_EVENT_NAME") or None,
        event_path=Path(env["GITHUB_EVENT_PATH"]) if env.get("GITHUB_EVENT_PATH") else None,
        in_actions=in_actions,
        output_path=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
        summary_path=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
        verbose=verbose,
        config_path=chosen_config,
        cache_dir=None if no_cache or env.get("LEARNBOT_NO_CACHE") == "1" else cache_directory(env),
    )


def cache_directory(environ: Mapping[str, str]) -> Path | None:
    """`$XDG_CACHE_HOME/learnbot`, else `$HOME/.cache/learnbot`; None without either."""
    base = environ.get("XDG_CACHE_HOME") or (
        str(Path(environ["HOME"]) / ".cache") if environ.get("HOME") else ""
    )
    return Path(base) / "learnbot" if base else None
