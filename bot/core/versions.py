"""Versions only move forward: every change of a policy gets a version above all recorded ones.

People can merge anything: two proposals that both bump `version: 2 -> 3`, a revert that
puts an old version back, a manual edit that forgets the bump. When the commit did not move
a changed policy's version past every version the ledger recorded for it (and past the one
it had), the ledger commit bumps it, and the entry says so in `forwarded`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

from bot.model.entries import LabelsImport, ManualChange, Promotion, Recorded, Rollback, Versions


def highest(entries: Iterable[Recorded]) -> dict[str, int]:
    """The highest version each policy reached in the recorded entries."""
    found: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry, (Promotion, Rollback, ManualChange, LabelsImport)):
            for name, (_, to) in entry.versions.moves.items():
                found[name] = max(found.get(name, 0), int(to))
    return found


def touched(
    values: Iterable[str], before: Mapping[str, int], after: Mapping[str, int]
) -> tuple[str, ...]:
    """Policies a commit changed: a value (keys are `policy.name`) or the version itself."""
    names = {key.split(".", 1)[0] for key in values}
    names |= {name for name in after if before.get(name) != after[name]}
    return tuple(sorted(name for name in names if name in after))


def forward(
    names: Iterable[str],
    *,
    before: Mapping[str, int],
    after: Mapping[str, int],
    seen: MutableMapping[str, int],
    bumps: MutableMapping[str, int],
) -> Versions:
    """The entry's versions; bump those the commit left at or below a recorded one.

    `seen` (highest recorded per policy) and `bumps` (versions the ledger commit writes)
    carry over from one entry to the next within a promote.
    """
    moves: dict[str, tuple[int, int]] = {}
    forwarded = []
    for name in sorted(names):
        floor = max(seen.get(name, 0), before.get(name, 0))
        left = after[name]
        if left > floor:
            moves[name] = (before.get(name, 0), left)
            bumps.pop(name, None)  # the tree's own version stands
        else:
            moves[name] = (left, floor + 1)
            bumps[name] = floor + 1
            forwarded.append(name)
        seen[name] = moves[name][1]
    return Versions(moves, tuple(forwarded))
