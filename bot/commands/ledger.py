"""`learnbot ledger verify` and `learnbot ledger show`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.commands.ledger_table import render_table
from bot.commands.output import print_json, status
from bot.config import Settings
from bot.core import anchoring, ledger
from bot.core.history import History
from bot.edges import ledgerfile, ledgerhistory, store
from bot.edges.gitrepo import GitRepo
from bot.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, GitError
from bot.model.entries import Recorded

LEDGER_DIR = "ledgers"


def _targets(settings: Settings, names: Sequence[str]) -> list[Path]:
    if names:
        return [Path(name) if Path(name).is_absolute() else settings.repo / name for name in names]
    return sorted((settings.repo / LEDGER_DIR).glob("*.jsonl"))


def _committed(settings: Settings, path: Path) -> bytes | None:
    """The ledger as committed at HEAD: the working copy may only extend it."""
    try:
        repo = GitRepo(settings.repo)
        relative = path.resolve().relative_to(repo.root.resolve()).as_posix()
    except (GitError, ValueError):
        return None
    return repo.read_at("HEAD", relative)


def verify(settings: Settings, *, files: Sequence[str] = ()) -> int:
    """Verify chains (and that each extends its committed copy); name the first bad line."""
    results = []
    targets = _targets(settings, files)
    missing = [path for path in targets if not path.is_file()]
    for path in missing:
        sys.stderr.write(f"{_name(settings, path)}: no such ledger file\n")
    for path in (p for p in targets if p not in missing):
        data = ledgerfile.read(path)
        outcome = ledger.verify(data, committed=_committed(settings, path))
        results.append((path, outcome))
    if settings.as_json:
        print_json([_as_dict(settings, p, v) for p, v in results])
    else:
        for path, outcome in results:
            sys.stdout.write(_line(settings, path, outcome) + "\n")
    if not targets:
        status("no ledgers found under ledgers/")
    if missing:
        return EXIT_INVALID
    return EXIT_OK if all(v.ok for _, v in results) else EXIT_PROBLEMS


def verify_history(settings: Settings, *, rev: str = "HEAD") -> int:
    """Every change to ledgers/ on the first-parent history of `rev` must be learnbot's append,
    its trailer naming the head after it (#18); name the commit and line of each that is not."""
    repo = GitRepo(settings.repo)
    author = store.load_config(repo.files_at(rev), settings.config_path).git.author_email
    changes = ledgerhistory.ledger_changes(repo, rev, LEDGER_DIR)
    findings = anchoring.check(changes, author_email=author)
    if settings.as_json:
        print_json([f.__dict__ for f in findings])
    for finding in findings:
        sys.stdout.write(f"{finding}\n")
    commits = len({c.sha for c in changes})
    status(f"{commits} commit(s) changed {LEDGER_DIR}/; {len(findings)} not learnbot's append")
    return EXIT_PROBLEMS if findings else EXIT_OK


def _name(settings: Settings, path: Path) -> str:
    try:
        return path.resolve().relative_to(settings.repo.resolve()).as_posix()
    except ValueError:
        return str(path)


def _line(settings: Settings, path: Path, outcome: ledger.Verification) -> str:
    name = _name(settings, path)
    if outcome.problem:
        return f"{name}:{outcome.problem.line}: BROKEN: {outcome.problem.reason}"
    return f"{name}: ok, {outcome.entries} entries, head {outcome.tail.sha256[:16]}"


def _as_dict(settings: Settings, path: Path, outcome: ledger.Verification) -> dict[str, Any]:
    problem = outcome.problem
    return {
        "file": _name(settings, path),
        "ok": outcome.ok,
        "entries": outcome.entries,
        "head": outcome.tail.sha256,
        "line": problem.line if problem else None,
        "reason": problem.reason if problem else None,
    }


def show(settings: Settings, *, file: str | None = None, type_: str | None = None) -> int:
    """Print entries as a table or JSON."""
    paths = _targets(settings, [file] if file else [])
    rows: list[Recorded] = []
    for path in paths:
        data = ledgerfile.read(path)
        outcome = ledger.verify(data)
        if not outcome.ok:
            sys.stderr.write(_line(settings, path, outcome) + "\n")
            return EXIT_PROBLEMS
        rows.extend(
            e for e in History.read(ledger.entries(data)).entries if type_ in (None, e.type_)
        )
    if settings.as_json:
        print_json([e.to_dict() for e in rows])
    else:
        sys.stdout.write(render_table(rows) + "\n")
    return EXIT_OK
