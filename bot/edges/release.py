"""Where this version of learnbot is published, read from one place: the project's Source URL.

In a source checkout that is `pyproject.toml`'s `[project.urls]`; installed, the same URL is in
the package metadata. The action, the reusable workflows and the pre-commit hooks live at that
repository, tagged `v` + the package version (#16).
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from bot import __version__
from bot.errors import ConfigError

PYPROJECT = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
GITHUB = "https://github.com/"


def action_repository() -> str:
    """OWNER/NAME of the repository the Source URL names."""
    url = _source_url()
    if not url.startswith(GITHUB):
        raise ConfigError(
            f"learnbot's Source URL {url!r} is not a GitHub repository",
            hint="pass --action OWNER/NAME",
        )
    return url.removeprefix(GITHUB).removesuffix(".git").strip("/")


def action_tag() -> str:
    """The tag of this version: `v` + the package version."""
    return f"v{__version__}"


def _source_url() -> str:
    if PYPROJECT.is_file():
        project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "learnbot":
            return str(project.get("urls", {}).get("Source", ""))
    try:
        entries: list[str] = metadata.metadata("learnbot").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if label.strip() == "Source":
            return url.strip()
    raise ConfigError(
        "cannot tell where learnbot is published (no Source URL)", hint="pass --action OWNER/NAME"
    )
