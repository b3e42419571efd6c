"""`learnbot demo`: the whole loop on a throwaway copy of the example state, with the local forge.

run -> proposals -> check -> merge -> promote -> a rollout's next stage -> a review queue
label -> revert -> rollback -> run again, then `ledger verify` and the ledger table, at the
clock the example data ends. Nothing outside a temporary directory is touched.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bot.commands import demoshow, queue
from bot.commands.output import status
from bot.config import Settings
from bot.core.learners import configs
from bot.edges import labels, store, yamldoc
from bot.edges.files import WorktreeFiles
from bot.edges.forge import PullRequest, read_metadata
from bot.edges.gitrepo import Clone
from bot.edges.local_forge import LocalForge
from bot.errors import EXIT_PROBLEMS, ConfigError
from bot.model import parse_time

STATE = ("policies", "cases", "ledgers")
CONFIG = ".github/learnbot.yml"
STEPS = 11
# The example's outcomes, labels and judge evaluations end here: at this clock every learner's
# window holds data (the weights' 30 days of positions, the review queue's 7 days of verdicts).
EXAMPLE_TIME = "2026-01-20T00:00:00Z"
# a throwaway copy may open every proposal at once, so the demo shows each learner's
REVIEWER = "demo-reviewer"
LIMITS = {"/pull_requests/max_open": "50", "/pull_requests/max_new_per_run": "50"}

# (argv, settings, environ) -> exit code: each step runs a command as a person would type it
Dispatch = Callable[[Sequence[str], Settings, Mapping[str, str]], int]


def example_source(repo: Path) -> Path:
    """The state to copy: this repository's own, or the example bundled with learnbot."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (repo, package / "example", package.parent):
        if all((candidate / name).is_dir() for name in ("policies", "cases")):
            return candidate
    raise ConfigError(
        "no learned state to demonstrate on", hint="run learnbot demo in a learnbot repository"
    )


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
    )
    return done.stdout.strip()


def _prepare(source: Path, folder: Path) -> Path:
    origin, work = folder / "origin.git", folder / "work"
    _git(folder, "init", "--quiet", "--bare", "--initial-branch", "main", str(origin))
    _git(folder, "init", "--quiet", "--initial-branch", "main", str(work))
    for name in STATE:
        if (source / name).is_dir():
            shutil.copytree(
                source / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
    config = source / CONFIG if (source / CONFIG).exists() else source / "learnbot.yml"
    if config.exists():
        (work / ".github").mkdir()
        (work / CONFIG).write_text(_lifted(config.read_text(encoding="utf-8")), encoding="utf-8")
    _git(work, "config", "user.name", "learnbot demo")
    _git(work, "config", "user.email", "demo@learnbot.invalid")
    _git(work, "add", "-A")
    _git(work, "commit", "--quiet", "-m", "Example learned state")
    _git(work, "remote", "add", "origin", str(origin))
    _git(work, "push", "--quiet", "origin", "main")
    _git(work, "remote", "set-head", "origin", "main")
    return work


def _lifted(text: str) -> str:
    """The config with the pull request limits it sets lifted."""
    document = yamldoc.parse(text, path=CONFIG)
    return yamldoc.replace_scalars(
        document, {k: v for k, v in LIMITS.items() if k in document.spans}
    )


def demo(settings: Settings, environ: Mapping[str, str], *, keep: bool, dispatch: Dispatch) -> int:
    """Walk the loop; exit 0 with a verified ledger."""
    source = example_source(settings.repo)
    folder = Path(tempfile.mkdtemp(prefix="learnbot-demo-"))
    try:
        work = _prepare(source, folder)
        status(f"demo repository: {work} (origin: {folder / 'origin.git'}), state from {source}")
        local_settings = dataclasses.replace(
            settings, repo=work, forge="local", as_json=False, now=parse_time(EXAMPLE_TIME)
        )
        return _walk(Steps(dispatch, local_settings, environ), work, folder if keep else None)
    finally:
        if keep:
            status(f"kept {folder}: try `learnbot prs --repo {work}`, then `learnbot prs show N`")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            status("the demo repository is deleted; `learnbot demo --keep` keeps it to explore")


@dataclasses.dataclass(frozen=True)
class Steps:
    """Runs the commands of the walk-through on the demo repository."""

    dispatch: Dispatch
    settings: Settings
    environ: Mapping[str, str]

    def __call__(self, *argv: str) -> int:
        return self.dispatch(argv, self.settings, self.environ)


def _step(number: int, title: str) -> None:
    sys.stdout.write(f"\n[{number}/{STEPS}] {title}\n")
    sys.stdout.flush()


def _rollout_step(steps: Steps, opened: Sequence[PullRequest]) -> None:
    """Merge a rollout's next stage (judged on the online metrics) and record it."""
    if not opened:
        _step(6, "a rollout step: none is due (no candidate's metrics dictate one)")
        return
    pull = opened[0]
    _step(6, f"learnbot merge {pull.number}: {pull.title}")
    _bring_up_to_date(steps.settings.repo, pull.branch)
    steps("check", "--branch", pull.branch)
    steps("merge", str(pull.number), "--approved-by", "demo reviewer")
    steps("promote")


def _bring_up_to_date(work: Path, branch: str) -> None:
    """Merge the default branch into a proposal branch, as GitHub's "Update branch" does: the
    earlier merge moved the learned state, and branch protection wants branches up to date."""
    _git(work, "fetch", "--quiet", "origin")
    _git(work, "checkout", "--quiet", "-B", branch, f"origin/{branch}")
    _git(work, "merge", "--quiet", "--no-edit", "origin/main")
    _git(work, "push", "--quiet", "origin", f"{branch}:{branch}")
    _git(work, "checkout", "--quiet", "main")
    sys.stdout.write(f"{branch}: brought up to date with main (Update branch)\n")


def _label_step(steps: Steps, forge: LocalForge) -> None:
    """A person with write permission labels a review queue's most uncertain item."""
    settings = steps.settings
    config = store.load_config(WorktreeFiles(settings.repo), settings.config_path)
    files, directory = WorktreeFiles(settings.repo), configs.LABELS.of(config).path
    for path in files.listdir(directory, labels.EVALUATIONS):
        agent = path.rsplit("/", 1)[1].removesuffix(labels.EVALUATIONS)
        issue = forge.find_issue(label=queue.issue_label(config, agent))
        keys = read_metadata(issue.body).get("keys") if issue else None
        known = sorted({e.label for e in labels.examples(files, directory, agent)[0]})
        if issue is None or not keys or not known:
            continue
        _step(7, f"learnbot comment --issue {issue.number}: a reviewer labels a review queue item")
        forge.grant(REVIEWER, "write")
        body = f"/learnbot label {keys[0]} {known[0]} checked by hand"
        sys.stdout.write(f"{REVIEWER}: {body}\n")
        steps("comment", body, "--issue", str(issue.number), "--author", REVIEWER)
        return
    _step(7, "a review queue label: no queue has an item (no recent judge evaluations)")


def _walk(steps: Steps, work: Path, kept: Path | None = None) -> int:
    settings = steps.settings
    clone = Clone(work)
    forge = LocalForge(clone)
    _step(1, "learnbot run: backtest every case, open one pull request per failure")
    steps("run")
    config = store.load_config(WorktreeFiles(work), settings.config_path)
    listed = forge.pull_requests(prefix=config.pull_requests.branch_prefix)
    opened = [p for p in listed if p.state == "open"]
    if not opened:
        sys.stdout.write("no failure has a proposal that passes the gate: nothing to merge\n")
        return EXIT_PROBLEMS
    demoshow.show_learners(settings, opened)
    _step(2, "learnbot prs: the proposals, each with its stabilization check")
    steps("prs", "--state", "open")
    rollouts = f"{config.pull_requests.branch_prefix}rollout/"
    chosen = next((p for p in opened if not p.branch.startswith(rollouts)), opened[0])
    demoshow.show_artifacts(forge, chosen, config.dashboard.label, kept)
    _step(3, f"learnbot check --branch {chosen.branch}: replay the diff, verify its scope, gate it")
    steps("check", "--branch", chosen.branch)
    _step(4, f"learnbot merge {chosen.number}: a reviewer approves, a real git merge promotes it")
    steps("merge", str(chosen.number), "--approved-by", "demo reviewer")
    _step(5, "learnbot promote: record the promotion in the hash-chained ledger")
    steps("promote")
    merge = forge.pull(chosen.number).merge_commit or ""
    _rollout_step(steps, [p for p in opened if p.branch.startswith(rollouts)])
    _label_step(steps, forge)
    _step(8, f"git revert -m 1 {merge[:12]}: roll the promotion back, as the Revert button would")
    _git(work, "revert", "--no-edit", "-m", "1", merge)
    _git(work, "push", "--quiet", "origin", "main")
    sys.stdout.write(_git(work, "log", "--oneline", "-1") + "\n")
    _step(9, "learnbot promote: record the rollback, bump the version past the reverted one")
    steps("promote")
    _step(10, "learnbot run: the failure is open again; the rolled-back proposal is not reopened")
    steps("run")
    sys.stdout.flush()
    _step(11, "learnbot ledger verify and ledger show")
    verified = steps("ledger", "verify")
    steps("ledger", "show")
    return verified
