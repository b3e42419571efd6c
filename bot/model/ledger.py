"""Ledger values the edges read from git and the core judges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LedgerChange:
    """One commit that changed a ledger file, as `ledger verify --history` reads it."""

    sha: str
    author_email: str
    trailers: Mapping[str, tuple[str, ...]]  # from the message's last paragraph only
    path: str
    before: bytes
    after: bytes
