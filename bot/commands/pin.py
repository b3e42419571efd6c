"""`learnbot pin`: re-pin changed snapshots after showing what changed (#16)."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from bot.commands.output import print_json, status, table
from bot.config import Settings
from bot.core import backtest
from bot.core.params import Params
from bot.edges import evaluators, snapshots, store, yamldoc
from bot.edges.files import WorktreeFiles
from bot.edges.ledgerfile import write_atomic
from bot.edges.snapshot_history import pinned_version
from bot.errors import EXIT_OK, EXIT_PROBLEMS, StateError
from bot.model import Case
from bot.model.snapshot import Snapshot


@dataclasses.dataclass(frozen=True)
class Repin:
    """One case whose snapshot no longer hashes to its pin: its result before and after."""

    case: Case
    new_sha256: str
    before_events: int | None
    after_events: int
    before: str | None  # the case's status on the pinned snapshot (None: not in git history)
    after: str

    @property
    def blocks(self) -> bool:
        """A protected case whose result changes (or cannot be compared) needs --force."""
        return self.case.protected and self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.id,
            "snapshot": self.case.snapshot_path,
            "protected": self.case.protected,
            "old_sha256": self.case.snapshot_sha256,
            "new_sha256": self.new_sha256,
            "events_before": self.before_events,
            "events_after": self.after_events,
            "result_before": self.before,
            "result_after": self.after,
        }


def pin(settings: Settings, *, case_ids: Sequence[str], force: bool) -> int:
    """Show each changed snapshot's effect; re-pin unless a protected result would change."""
    files = WorktreeFiles(settings.repo)
    state = store.load(files, check_snapshots=False, config_path=settings.config_path)
    unknown = sorted(set(case_ids) - set(state.cases))
    if unknown:
        raise StateError(f"no valid case named {', '.join(unknown)} in {store.CASE_DIR}/")
    chosen = [c for c in state.cases.values() if not case_ids or c.id in case_ids]
    repins = _repins(settings, state, chosen)
    blocked = [r for r in repins if r.blocks]
    done = bool(repins) and (force or not blocked)
    if done:
        _write(settings, repins)
    _report(settings, repins, pinned=done)
    if blocked and not force:
        status(
            f"not pinned: the result of protected case(s) {', '.join(r.case.id for r in blocked)} "
            "would change (or cannot be compared); review the snapshot, then `--force`"
        )
        return EXIT_PROBLEMS
    return EXIT_OK


def _repins(settings: Settings, state: store.State, cases: Sequence[Case]) -> list[Repin]:
    files = WorktreeFiles(settings.repo)
    params = Params(state.policies)
    chosen = evaluators.resolve(cases, state.config, settings.repo)
    seed = state.config.sandbox.seeds[0]
    repins = []
    for case in sorted(cases, key=lambda c: c.id):
        data = files.read(case.snapshot_path)
        if data is None:
            raise StateError(f"{case.path}: snapshot {case.snapshot_path} does not exist")
        actual = hashlib.sha256(data).hexdigest()
        if actual == case.snapshot_sha256:
            continue
        after = _snapshot(data, case.snapshot_path, actual)
        old = pinned_version(settings.repo, case.snapshot_path, case.snapshot_sha256)
        before = _snapshot(old, case.snapshot_path, case.snapshot_sha256) if old else None
        moved = dataclasses.replace(case, snapshot_sha256=actual)
        repins.append(
            Repin(
                case=case,
                new_sha256=actual,
                before_events=len(before) if before else None,
                after_events=len(after),
                before=_status(case, params, before, chosen, seed) if before else None,
                after=_status(moved, params, after, chosen, seed),
            )
        )
    return repins


def _snapshot(data: bytes, path: str, sha256: str) -> Snapshot:
    snapshot, problems = snapshots.read(path, data, sha256)
    if problems or snapshot is None:
        raise StateError(f"{problems[0]} (fix the snapshot before pinning it)")
    return snapshot


def _status(
    case: Case, params: Params, snapshot: Snapshot, chosen: Mapping[str, Any], seed: int
) -> str:
    (result,) = backtest.run([case], params, {case.snapshot_sha256: snapshot}, chosen, seed=seed)
    return result.status


def _write(settings: Settings, repins: Sequence[Repin]) -> None:
    """Only the `sha256:` scalar of each case file changes, atomically."""
    for repin in repins:
        path = settings.repo / repin.case.path
        document = yamldoc.parse(path.read_text(encoding="utf-8"), path=repin.case.path)
        sha = repin.new_sha256  # all digits would read as a number: quote it then
        value = f'"{sha}"' if sha.isdigit() else sha
        text = yamldoc.replace_scalars(document, {"/snapshot/sha256": value})
        write_atomic(path, text.encode("utf-8"))


def _report(settings: Settings, repins: Sequence[Repin], *, pinned: bool) -> None:
    if settings.as_json:
        print_json({"pinned": pinned, "cases": [r.as_dict() for r in repins]})
        return
    if not repins:
        status("every snapshot hashes to its pin: nothing to do")
        return
    rows = [
        (
            r.case.id,
            r.case.snapshot_path,
            f"{_count(r.before_events)} -> {r.after_events}",
            f"{r.before or '?'} -> {r.after}",
            "yes" if r.case.protected else "",
        )
        for r in repins
    ]
    headers = ("case", "snapshot", "events", "result", "protected")
    sys.stdout.write(table(headers, rows) + "\n")
    if pinned:
        status(f"re-pinned {len(repins)} case(s); commit the snapshots and the cases together")


def _count(events: int | None) -> str:
    return "?" if events is None else str(events)
