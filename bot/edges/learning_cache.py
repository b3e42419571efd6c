"""What a learner found for one subject, kept on disk by the digest of everything it read.

Entries live in `$XDG_CACHE_HOME/learnbot/learning-v1/<key>.json`, beside the parsed
snapshots. An entry names its own key and the sha256 of its content: a file that cannot be
read, is not JSON, was written for another key or does not match its digest is ignored (and
written again by the run that needed it), never trusted. Writing is best effort: a cache
that cannot be written is no error. Reading an entry touches it; `prune` lets go of the
entries no run has used for a week, so a cache kept across runs does not grow forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
FOLDER = f"learning-v{FORMAT}"
KEEP_SECONDS = 7 * 86400


def _content_digest(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class LearningCache:
    """Entries by key (a hex sha256) in one directory."""

    root: Path

    def entry(self, key: str) -> Path:
        return self.root / FOLDER / f"{key}.json"

    def read(self, key: str) -> Any | None:
        """The content kept for `key`, or None (absent, unreadable, foreign or altered)."""
        try:
            stored = json.loads(self.entry(key).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return None
        content = stored.get("content")
        if stored.get("key") != key or stored.get("sha256") != _content_digest(content):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.entry(key))  # used: kept by `prune`
        return content

    def write(self, key: str, content: Any) -> None:
        """Keep `content` under `key` (atomically: a reader never sees half an entry)."""
        stored = {
            "format": FORMAT,
            "key": key,
            "sha256": _content_digest(content),
            "content": content,
        }
        data = json.dumps(stored, sort_keys=True, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
        try:
            folder = self.entry(key).parent
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(self.entry(key))
        except OSError:
            return

    def prune(self, *, now: float | None = None) -> int:
        """Remove the entries (and stray temporary files) unused for a week; return how many."""
        cutoff = (time.time() if now is None else now) - KEEP_SECONDS
        removed = 0
        try:
            found = list((self.root / FOLDER).iterdir())
        except OSError:
            return 0
        for path in found:
            try:
                if path.suffix in (".json", ".tmp") and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
