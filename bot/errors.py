"""The only exceptions `cli.main` catches: each carries its exit code and a hint."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_INVALID = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


class BotError(Exception):
    """A failure the user can act on; the message leads with its subject."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(BotError):
    """Settings, flags or environment that cannot be used."""


class StateError(BotError):
    """A learned-state file (policy, case, snapshot, outcome) that is invalid."""


class LedgerError(BotError):
    """A ledger that is broken (tampered, torn) or cannot be extended."""

    exit_code = 1


class GitError(BotError):
    """A git operation that failed."""

    exit_code = 1


class UnknownRevision(GitError):
    """A revision the user named that the repository does not have."""

    exit_code = EXIT_INVALID


class ForgeError(BotError):
    """A forge (GitHub or local) call that failed."""

    exit_code = 1


class MergeRefused(ForgeError):
    """A merge the branch protection rules refuse (the check failed, is missing or is stale)."""


class NotFound(ForgeError):
    """A pull request (or another forge object) the user named that does not exist."""

    exit_code = EXIT_INVALID
