"""Events grouped once per snapshot, so that a case reads only the events its match can select.

A `Layout` holds snapshot positions grouped by slot (a (kind, term) pair, a term, or one
selection of a batch), ascending within a slot, with a sorted key `slot * stride + position`:
the windows of every case are found with one `searchsorted` over all slots at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

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


def is_plain(selection: Selection) -> bool:
    """A selection that is one slot of a cached (kind, term) or term layout."""
    terms = selection.terms
    return terms is not None and len(terms) == 1 and selection.source is selection.text is None


@dataclass(frozen=True)
class Layout:
    """Snapshot positions grouped by slot, ascending within each slot."""

    order: Ints
    keys: Ints  # slot * stride + position, ascending
    stride: int

    def segments(self, slots: Ints, lo: Ints, hi: Ints) -> tuple[Ints, Ints]:
        """Where each slot's events with lo <= position < hi sit in `order` (half-open)."""
        base = slots * self.stride
        return np.searchsorted(self.keys, base + lo), np.searchsorted(self.keys, base + hi)


def plain_layout(snapshot: Snapshot, selection: Selection) -> tuple[Layout, int]:
    """The cached layout holding a plain selection, and the selection's slot in it."""
    assert selection.terms is not None
    by_kind = selection.kind is not None
    layout = _cached(snapshot, by_kind, selection.exclude_synthetic)
    term = snapshot.terms.get(selection.terms[0], UNKNOWN)
    kind = snapshot.kinds.get(selection.kind, UNKNOWN) if selection.kind is not None else 0
    if UNKNOWN in (term, kind):
        return layout, -1  # a value no event has: no key is negative, so nothing is found
    return layout, kind * (len(snapshot.terms) + 1) + term + 1 if by_kind else term + 1


def batch_layout(snapshot: Snapshot, selections: list[Selection]) -> Layout:
    """A layout with one slot per selection, in the order given."""
    found = [candidates(snapshot, s) for s in selections]
    stride = len(snapshot) + 1
    lengths = np.array([f.size for f in found], dtype=np.int64)
    order = np.concatenate([np.zeros(0, dtype=np.int64), *found])
    slots = np.repeat(np.arange(len(found), dtype=np.int64), lengths)
    return Layout(order, slots * stride + order, stride)


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
        lo, hi = layout.segments(np.array([slot]), np.array([0]), np.array([len(snapshot)]))
        parts.append(layout.order[int(lo[0]) : int(hi[0])])
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))


def _filtered(snapshot: Snapshot, selection: Selection, found: Ints) -> Ints:
    if selection.source is not None:
        code = snapshot.sources.get(selection.source, UNKNOWN)
        found = found[snapshot.source[found] == code]
    if selection.text is not None:
        found = found[snapshot.contains(selection.text)[found]]
    return found


def _cached(snapshot: Snapshot, by_kind: bool, exclude_synthetic: bool) -> Layout:
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
        layout = Layout(keys % stride, keys, stride)
        layouts[name] = layout
    return layout
