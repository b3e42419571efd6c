"""Where state files are read from: the working tree, or (see gitrepo) a git revision."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Protocol


class Files(Protocol):
    """Read-only access to a repository's files by repository-relative POSIX path."""

    label: str

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        """Paths of the files directly in `directory` ending in `suffix`, sorted."""


class WorktreeFiles:
    """The files of a working tree on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = "working tree"

    def read(self, path: str) -> bytes | None:
        target = self.root / PurePosixPath(path)
        try:
            return target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def listdir(self, directory: str, suffix: str = "") -> tuple[str, ...]:
        folder = self.root / PurePosixPath(directory)
        if not folder.is_dir():
            return ()
        return tuple(
            sorted(
                f"{directory.rstrip('/')}/{entry.name}"
                for entry in folder.iterdir()
                if entry.is_file() and entry.name.endswith(suffix)
            )
        )
