"""Secrets never reach output: credentials in URLs and registered tokens are scrubbed."""

from __future__ import annotations

import re

_CREDENTIALS = re.compile(r"(https?://)[^/@\s]+@")
_SECRETS: set[str] = set()


def register_secret(secret: str) -> None:
    """Never print this value (a token)."""
    if secret:
        _SECRETS.add(secret)


def scrub(text: str) -> str:
    """`text` without credentials in URLs or registered secrets."""
    text = _CREDENTIALS.sub(r"\1***@", text)
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text
