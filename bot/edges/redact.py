"""Secrets never reach output: credentials in URLs and registered tokens are scrubbed."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, MutableMapping

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


def is_secret_name(name: str) -> bool:
    """An environment variable that holds a credential (GITHUB_TOKEN, GH_TOKEN, INPUT_TOKEN...)."""
    upper = name.upper()
    return any(word in upper for word in ("TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"))


@contextlib.contextmanager
def secrets_removed(environ: MutableMapping[str, str], *names: str) -> Iterator[None]:
    """The process environment without credentials while learnbot runs: evaluator code (the
    team's, imported and called in this process) never finds the token there (#18). The forge
    was given its copy before; everything is put back afterwards."""
    removed = {k: environ.pop(k) for k in list(environ) if is_secret_name(k) or k in names}
    try:
        yield
    finally:
        environ.update(removed)
