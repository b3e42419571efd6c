"""learnbot: a GitOps learning loop."""

from __future__ import annotations

__version__ = "0.1.0"

# Where the action, the reusable workflows and the pre-commit hooks are published; `init`
# refers to them at the tag `v{__version__}`.
ACTION_REPOSITORY = "learnbot/learnbot"
