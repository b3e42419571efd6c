"""Events grouped once per snapshot, so that a case reads only the events its match can select.

A `Layout` holds snapshot positions grouped by slot (a (kind, term) pair, a term, or one
selection of a batch), in time order within a slot, with a sorted key `slot * span + time`:
the windows of every case are found with one `searchsorted` over all slots at once, straight
from their start and end times.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.model.snapshot import UNKNOWN, Snapshot

Ints = npt.NDArray[np.int64]


class Selection(NamedTuple):
    """The window-independent part of a match: which events it can ever select."""

    kind: str | None
    terms: tuple[str, ...] | None  # the term and its active aliases; None: any term
    source: str | None
    text: str | None
    exclude_synthetic: bool


@dataclass(frozen=True)
class Layout:
    """Snapshot positions grouped by slot, in time order within each slot."""

    order: Ints
    keys: Ints  # slot * span + (ts - origin), ascending
    origin: int
    span: int  # more than any ts - origin
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def spans(self, slots: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints]:
        """Where each slot's events with start <= ts < end sit in `order` (half-open)."""
        base = slots * self.span - self.origin
        top = self.origin + self.span
        first = base + np.clip(start, self.origin, top)
        stop = base + np.clip(end, self.origin, top)
        # searched in ascending order, neighbouring searches share cache lines: twice as fast
        rank = np.argsort(first)
        a, b = np.empty_like(first), np.empty_like(stop)
        a[rank] = np.searchsorted(self.keys, first[rank])
        b[rank] = np.searchsorted(self.keys, stop[rank])
        return a, b

    def whole(self, slot: int) -> Ints:
        """Every position in a slot."""
        a, b = np.searchsorted(self.keys, [slot * self.span, (slot + 1) * self.span])
        return self.order[a:b]

    def derive(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """A column derived from the layout, built once (the layout lives with its snapshot)."""
        found = self.derived.get(key)
        if found is None:
            found = self.derived[key] = build()
        return found


def _layout(snapshot: Snapshot, slots: Ints, order: Ints) -> Layout:
    """Positions `order` in slots `slots` (ascending slots, positions ascending within)."""
    origin = int(snapshot.ts[0]) if len(snapshot) else 0
    span = int(snapshot.ts[-1]) - origin + 1 if len(snapshot) else 1
    return Layout(order, slots * span + (snapshot.ts[order] - origin), origin, span)


def plain_layout(snapshot: Snapshot, selection: Selection) -> tuple[Layout, int]:
    """The cached layout holding a plain selection, and the selection's slot in it."""
    assert selection.terms is not None
    by_kind = selection.kind is not None
    layout = grouped(snapshot, by_kind, selection.exclude_synthetic)
    term = snapshot.terms.get(selection.terms[0], UNKNOWN)
    kind = snapshot.kinds.get(selection.kind, UNKNOWN) if selection.kind is not None else 0
    if UNKNOWN in (term, kind):
        return layout, -1  # a value no event has: no key is negative, so nothing is found
    return layout, kind * (len(snapshot.terms) + 1) + term + 1 if by_kind else term + 1


def batch_layout(snapshot: Snapshot, selections: list[Selection]) -> Layout:
    """A layout with one slot per selection, in the order given."""
    found = [candidates(snapshot, s) for s in selections]
    lengths = np.array([f.size for f in found], dtype=np.int64)
    order = np.concatenate([np.zeros(0, dtype=np.int64), *found])
    return _layout(snapshot, np.repeat(np.arange(len(found), dtype=np.int64), lengths), order)


def candidates(snapshot: Snapshot, selection: Selection) -> Ints:
    """Ascending positions of the events a selection can select (cached per snapshot)."""
    memo = snapshot.memo.setdefault("candidates", {})
    found: Ints | None = memo.get(selection)
    if found is None:
        found = _filtered(snapshot, selection, _base(snapshot, selection))
        memo[selection] = found
    return found


def _base(snapshot: Snapshot, selection: Selection) -> Ints:
    if selection.terms is None:
        keep = np.ones(len(snapshot), dtype=np.bool_)
        if selection.kind is not None:
            keep &= snapshot.kind == snapshot.kinds.get(selection.kind, UNKNOWN)
        if selection.exclude_synthetic:
            keep &= ~snapshot.synthetic
        return np.flatnonzero(keep).astype(np.int64)
    parts = []
    for term in selection.terms:
        one = Selection(selection.kind, (term,), None, None, selection.exclude_synthetic)
        layout, slot = plain_layout(snapshot, one)
        parts.append(layout.whole(slot))
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))


def _filtered(snapshot: Snapshot, selection: Selection, found: Ints) -> Ints:
    if selection.source is not None:
        code = snapshot.sources.get(selection.source, UNKNOWN)
        found = found[snapshot.source[found] == code]
    if selection.text is not None:
        found = found[snapshot.contains(selection.text)[found]]
    return found


def grouped(snapshot: Snapshot, by_kind: bool, exclude_synthetic: bool) -> Layout:
    """Events grouped by (kind, term) or by term, synthetic ones left out or not; built once."""
    name = ("kind-term" if by_kind else "term", exclude_synthetic)
    layouts = snapshot.memo.setdefault("layouts", {})
    layout: Layout | None = layouts.get(name)
    if layout is None:
        codes = snapshot.term.astype(np.int64) + 1
        if by_kind:
            codes += snapshot.kind.astype(np.int64) * (len(snapshot.terms) + 1)
        positions = np.arange(len(snapshot), dtype=np.int64)
        if exclude_synthetic:
            positions = positions[~snapshot.synthetic]
        stride = len(snapshot) + 1
        keys = np.sort(codes[positions] * stride + positions)
        layout = _layout(snapshot, keys // stride, keys % stride)
        layouts[name] = layout
    return layout
