"""Branch protection on any forge: the required check, passed, on the current learned state."""

from __future__ import annotations

from bot.core import protection
from bot.edges.forge import Forge
from bot.edges.gitrepo import Clone

FORCED_TRAILER = "Learnbot-Forced-Merge"


def merge_problems(
    clone: Clone, forge: Forge, *, head: str, base: str, check_name: str
) -> tuple[str, ...]:
    """Why merging `head` into `base` would skip verification (empty when nothing would)."""
    check = check_seen(forge, head, check_name)
    since = (check.base if check is not None else "") or clone.merge_base(base, head)
    return protection.problems(
        check, name=check_name, head=head, stale=learned_state_moved(clone, since, base)
    )


def check_seen(forge: Forge, head: str, name: str) -> protection.CheckSeen | None:
    """The required check as the forge shows it on `head` (None when it is missing)."""
    seen = forge.check_status(head, name)
    return protection.CheckSeen(seen.success, seen.title, seen.base) if seen else None


def learned_state_moved(clone: Clone, since: str, until: str) -> bool:
    """Whether policies or cases differ between two commits."""
    if since == until:
        return False
    changed = clone.changed_files(since, until)
    return protection.touches_learned_state([p for _, old, new in changed for p in (old, new)])
