"""Conditional GET requests: the ETag of every list a run reads, kept in a file between runs.

GitHub answers a request whose `If-None-Match` names the current ETag with 304 Not Modified,
and a 304 does not count against the rate limit: a scheduled run with nothing new spends
no rate-limited request on its reads (#17). The file holds each URL's ETag, its JSON and its
next page; a missing or unreadable file only means full requests.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from bot.edges import ledgerfile

NOT_MODIFIED = 304
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class Requester(Protocol):
    """PyGithub's `Requester.requestJsonAndCheck`, the one call used here."""

    def requestJsonAndCheck(
        self,
        verb: str,
        url: str,
        parameters: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], Any]: ...


class Conditional:
    """GET with `If-None-Match` from a file of ETags; the file is rewritten by `save`."""

    def __init__(self, requester: Requester, path: Path | None) -> None:
        self._requester = requester
        self._path = path
        self._entries: dict[str, dict[str, Any]] = _load(path)
        self._changed = False

    def get(self, url: str, parameters: Mapping[str, Any] | None = None) -> tuple[Any, str | None]:
        """The JSON at `url` and the URL of its next page (None on the last one)."""
        key = f"{url}?{urlencode(sorted((parameters or {}).items()))}" if parameters else url
        known = self._entries.get(key)
        headers = {"If-None-Match": str(known["etag"])} if known else {}
        found, data = self._requester.requestJsonAndCheck(
            "GET", url, parameters=dict(parameters or {}) or None, headers=headers
        )
        if known is not None and data is None:  # 304 Not Modified: no body, no rate limit
            return known["data"], known.get("next")
        link = _NEXT.search(str(found.get("link", "")))
        following = link.group(1) if link else None
        etag = found.get("etag")
        if etag:
            self._entries[key] = {"etag": etag, "data": data, "next": following}
            self._changed = True
        return data, following

    def pages(self, url: str, parameters: Mapping[str, Any]) -> Iterator[Any]:
        """Every item of a paginated list, each page asked conditionally."""
        data, following = self.get(url, parameters)
        yield from data or ()
        while following:
            data, following = self.get(following)
            yield from data or ()

    def save(self) -> None:
        """Write the ETags back (only when a response brought a new one)."""
        if self._path is None or not self._changed:
            return
        text = json.dumps(self._entries, sort_keys=True, separators=(",", ":"))
        with contextlib.suppress(OSError):  # a cache: failing to keep it costs requests only
            self._path.parent.mkdir(parents=True, exist_ok=True)
            ledgerfile.write_atomic(self._path, text.encode("utf-8"))


def _load(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): v
        for k, v in data.items()
        if isinstance(v, dict) and isinstance(v.get("etag"), str) and "data" in v
    }
