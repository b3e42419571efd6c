"""Ledger files on disk: locked, O(1) appends that never extend a torn or broken tail."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.core import ledger
from bot.errors import LedgerError

_CHUNK = 65536


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def append(path: Path, payloads: Sequence[Mapping[str, Any]], *, sync: bool = True) -> ledger.Tail:
    """Append sealed entries; cost does not grow with the ledger's length."""
    with _locked(path) as fd:
        tail = _tail(fd, path)
        data, new_tail = ledger.seal(payloads, tail)
        os.write(fd, data)
        if sync:
            os.fsync(fd)
        return new_tail


def _tail(fd: int, path: Path) -> ledger.Tail:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return ledger.Tail()
    last = _last_line(fd, size)
    try:
        return ledger.read_tail(last)
    except ValueError as exc:
        line = _count_lines(path) + (0 if last.endswith(b"\n") else 1)
        raise LedgerError(
            f"{path}:{line}: {exc}; refusing to extend it",
            hint="run `learnbot ledger verify` and restore the file from git",
        ) from exc


def _last_line(fd: int, size: int) -> bytes:
    """The file's last line including its newline (or the torn remainder without one)."""
    position = size - 1 if os.pread(fd, 1, size - 1) == b"\n" else size
    while position > 0:
        start = max(0, position - _CHUNK)
        cut = os.pread(fd, position - start, start).rfind(b"\n")
        if cut >= 0:
            return os.pread(fd, size - (start + cut + 1), start + cut + 1)
        position = start
    return os.pread(fd, size, 0)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(_CHUNK), b""))


def read(path: Path) -> bytes:
    """The ledger's bytes (empty when it does not exist yet)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content all at once: readers see the old or the new bytes, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
