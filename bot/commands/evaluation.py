"""Load a tree (working tree or revision) and backtest it: the first step of most commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.config import Settings
from bot.core import backtest, ledger
from bot.core.analyze import FailureAnalysis, Run, analyze
from bot.core.evaluate import Evaluator, Result
from bot.core.history import History
from bot.core.params import Params
from bot.edges import evaluators, ledgerfile, snapshots, store
from bot.edges.files import Files, WorktreeFiles
from bot.edges.gitrepo import GitRepo
from bot.edges.snapshot_cache import SnapshotCache
from bot.errors import GitError
from bot.model import Case, Problem, format_time
from bot.model.snapshot import Snapshot


@dataclass(frozen=True)
class Evaluated:
    """A tree's state, its snapshots and every case's result."""

    files: Files
    state: store.State
    snapshots: dict[str, Snapshot]
    evaluators: dict[str, Evaluator]
    results: tuple[Result, ...]
    revision: str
    at: int
    problems: tuple[Problem, ...] = field(default=())

    @cached_property
    def params(self) -> Params:
        return Params(self.state.policies)

    @cached_property
    def cases(self) -> dict[str, Case]:
        """The cases that could be evaluated (valid, with a valid snapshot)."""
        return {c.id: c for c in self.state.cases.values() if c.snapshot_sha256 in self.snapshots}

    @property
    def run(self) -> Run:
        stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime(self.at))
        return Run(run_id=f"run_{stamp}", revision=self.revision, at=format_time(self.at))

    def failures(self) -> tuple[FailureAnalysis, ...]:
        """An analysis for every MISS and every ABSTAIN with HIGH confidence."""
        return self._failures

    @cached_property
    def _failures(self) -> tuple[FailureAnalysis, ...]:
        cases = self.cases
        return tuple(
            analyze(
                cases[r.case_id],
                r,
                self.params,
                self.snapshots[cases[r.case_id].snapshot_sha256],
                self.run,
            )
            for r in self.results
            if r.failed
        )


def evaluate(
    settings: Settings, *, rev: str | None = None, files: Files | None = None
) -> Evaluated:
    """Backtest the working tree, or the commit `rev` read from git objects."""
    revision, at, source = _source(settings, rev)
    files = files or source
    state = store.load(files, check_snapshots=False, config_path=settings.config_path)
    pins = [(c.snapshot_path, c.snapshot_sha256) for c in state.cases.values()]
    cache = SnapshotCache(settings.cache_dir) if settings.cache_dir else None
    loaded, snapshot_problems = snapshots.load_all(files, pins, cache)
    runnable = [c for c in state.cases.values() if c.snapshot_sha256 in loaded]
    chosen = evaluators.resolve(
        runnable, state.config, _code(settings, rev, revision, runnable, state)
    )
    seed = state.config.sandbox.seeds[0]  # a stochastic evaluator's backtest: the first seed
    results = backtest.run(runnable, Params(state.policies), loaded, chosen, seed=seed)
    problems = tuple(sorted({*state.problems, *snapshot_problems}))
    return Evaluated(files, state, loaded, chosen, results, revision, at, problems)


def _code(
    settings: Settings, rev: str | None, revision: str, runnable: list[Case], state: store.State
) -> Path:
    """Where evaluator modules are imported from: a commit's own files when a commit is
    evaluated (never the working tree a pull request's checkout put there, #18)."""
    if rev is None or not evaluators.needed(runnable, state.config):
        return settings.repo
    return evaluators.code_tree(GitRepo(settings.repo).repo, revision)


def local_history(
    settings: Settings, evaluated: Evaluated
) -> tuple[History, Callable[[str, str], bytes | None]]:
    """The working tree's ledger (empty if broken) and a reader of past commits (if in git)."""
    data = ledgerfile.read(settings.repo / evaluated.state.config.ledger)
    history = History.read(ledger.entries(data)) if ledger.verify(data).ok else History()
    try:
        return history, GitRepo(settings.repo).read_at
    except GitError:
        return history, lambda commit, path: None


def _source(settings: Settings, rev: str | None) -> tuple[str, int, Files]:
    """(revision label, clock, files): the clock is --now, else the evaluated commit's time."""
    try:
        repo = GitRepo(settings.repo)
    except GitError:
        if rev is not None:
            raise
        return "working tree", settings.now or int(time.time()), WorktreeFiles(settings.repo)
    if rev is None:
        head = repo.repo.head.commit if repo.repo.head.is_valid() else None
        at = settings.now or (head.committed_date if head else int(time.time()))
        return (head.hexsha if head else "working tree"), at, WorktreeFiles(repo.root)
    sha = repo.resolve(rev)
    return sha, settings.now or repo.repo.commit(sha).committed_date, repo.files_at(sha)
