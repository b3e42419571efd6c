"""Everything a forge command starts from: the clone, the forge, the default branch, the history."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.commands.evaluation import Evaluated, evaluate
from bot.commands.forges import open_forge
from bot.config import Settings
from bot.core import ledger
from bot.core.history import History
from bot.edges import actions, yamldoc
from bot.edges.forge import Forge
from bot.edges.gitrepo import Clone, Identity
from bot.errors import GitError, LedgerError
from bot.model import Config


@dataclass
class Workspace:
    """One command's view of the repository, read from origin (never from the work tree)."""

    settings: Settings
    clone: Clone
    forge: Forge
    default: str
    base: str
    evaluated: Evaluated
    history: History
    event: Mapping[str, Any]
    # policy files parsed this run, by (path, sha256): each is parsed once however many
    # proposals change it (#17)
    documents: dict[tuple[str, str], yamldoc.Document] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.evaluated.state.config

    @property
    def identity(self) -> Identity:
        return Identity(self.config.git.author_name, self.config.git.author_email)


@contextlib.contextmanager
def open_workspace(settings: Settings, environ: Mapping[str, str]) -> Iterator[Workspace]:
    """Fetch, find the default branch, evaluate its head; close the forge afterwards."""
    event = actions.read_event(settings.event_path)
    happened = actions.event_time(event)
    if settings.now is None and happened is not None:
        settings = dataclasses.replace(settings, now=happened)
    clone = Clone(settings.repo)
    clone.fetch(token=environ.get(settings.token_env, "") if settings.forge == "github" else "")
    forge = open_forge(settings, clone, environ, event)
    try:
        default = forge.default_branch()
        base = clone.remote_sha(default)
        if base is None:
            raise GitError(f"origin has no branch {default!r}")
        evaluated = evaluate(settings, rev=base)
        history = read_history(clone, base, evaluated)
        yield Workspace(settings, clone, forge, default, base, evaluated, history, event)
    finally:
        forge.close()


def read_history(clone: Clone, sha: str, evaluated: Evaluated) -> History:
    """The ledger at a commit, verified; a broken ledger stops the command."""
    path = evaluated.state.config.ledger
    data = clone.read_at(sha, path) or b""
    result = ledger.verify(data)
    if result.problem is not None:
        raise LedgerError(
            f"{path}:{result.problem.line}: {result.problem.reason}",
            hint="restore the ledger from git history; learnbot never extends a broken chain",
        )
    return History.read(ledger.entries(data))


LEARNED = ("policies", "cases")


def worktree_differs(workspace: Workspace) -> list[str]:
    """Learned-state paths where the working tree is not the default branch's head (#16)."""
    paths = [*LEARNED, workspace.settings.config_path]
    clone = workspace.clone
    changed = clone.run("diff", "--name-only", workspace.base, "--", *paths).split()
    untracked = clone.run("ls-files", "--others", "--exclude-standard", "--", *paths).split()
    return sorted({*changed, *untracked})
