"""A historical snapshot as columnar numpy arrays, sorted by time: parsed once, replayed often."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.model.state import Match

NO_CODE = -1  # the event has no term / source
UNKNOWN = -2  # a match names a value no event has: it matches nothing


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Events of one snapshot file, one numpy array per field, sorted by `ts`."""

    path: str
    sha256: str
    ts: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int32]
    term: npt.NDArray[np.int32]
    source: npt.NDArray[np.int32]
    synthetic: npt.NDArray[np.bool_]
    values: Mapping[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    kinds: Mapping[str, int] = field(default_factory=dict)
    terms: Mapping[str, int] = field(default_factory=dict)
    sources: Mapping[str, int] = field(default_factory=dict)
    text: tuple[str, ...] = ()  # free text per event ("" for none), in `ts` order
    _phrases: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # derived indexes (partition)

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Index range of events with start <= ts < end (binary search)."""
        lo = int(np.searchsorted(self.ts, start, side="left"))
        hi = int(np.searchsorted(self.ts, end, side="left"))
        return lo, hi

    def mask(self, match: Match, lo: int, hi: int) -> npt.NDArray[np.bool_]:
        """Which events in [lo, hi) a match selects."""
        selected = np.ones(hi - lo, dtype=np.bool_)
        for wanted, column, vocab in (
            (match.kind, self.kind, self.kinds),
            (match.term, self.term, self.terms),
            (match.source, self.source, self.sources),
        ):
            if wanted is not None:
                selected &= column[lo:hi] == vocab.get(wanted, UNKNOWN)
        if match.text_contains is not None:
            selected &= self.contains(match.text_contains)[lo:hi]
        return selected

    def contains(self, phrase: str) -> npt.NDArray[np.bool_]:
        """Events whose text holds `phrase`, case-insensitively, on word boundaries.

        Computed once per phrase and snapshot: replays ask the same question many times.
        """
        found = self._phrases.get(phrase)
        if found is None:
            words = r"\s+".join(re.escape(word) for word in phrase.split())
            pattern = re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)
            texts = self.text or ("",) * len(self)
            found = np.fromiter((bool(pattern.search(t)) for t in texts), np.bool_, len(self))
            self._phrases[phrase] = found
        return found

    def column(self, name: str) -> npt.NDArray[np.float64]:
        """An event value column; NaN where an event lacks it (all NaN if no event has it)."""
        found = self.values.get(name)
        return found if found is not None else np.full(len(self), np.nan)
