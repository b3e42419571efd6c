"""learnbot: a GitOps learning loop."""

from __future__ import annotations

# The one version: package, `learnbot --version`, the action's tag (`v` + version) and the top
# of CHANGELOG.md. Where it is published is pyproject.toml's Source URL (bot.edges.release).
__version__ = "0.1.0"
