"""Where state files are read from: the working tree, or (see gitrepo) a git revision."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Protocol

from bot.core.paths import is_inside


class Files(Protocol):
    """Read-only access to a repository's files by repository-relative POSIX path."""

    label: str

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        """Paths of the files directly in `directory` ending in `suffix`, sorted."""


class WorktreeFiles:
    """The files of a working tree on disk, confined to it: absolute paths, `..` and symlinks
    that lead out of the repository read as absent, never as someone else's file (#18)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = "working tree"

    def _inside(self, path: str) -> Path | None:
        if not is_inside(path.rstrip("/")):
            return None
        target = self.root / PurePosixPath(path)
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            return None
        return target if resolved.is_relative_to(self.root.resolve()) else None

    def read(self, path: str) -> bytes | None:
        target = self._inside(path)
        if target is None:
            return None
        try:
            return target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        folder = self._inside(directory)
        if folder is None or not folder.is_dir():
            return ()
        found = (
            f"{directory.rstrip('/')}/{entry.name}"
            for entry in folder.iterdir()
            if entry.is_file() and entry.name.endswith(suffix)
        )
        return tuple(sorted(path for path in found if self._inside(path) is not None))
