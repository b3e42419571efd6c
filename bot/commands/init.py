"""`learnbot init`: the files a repository needs to start learning, written once.

A starter (or one family of the bundled example) that validates and backtests, the config
with only the learners it uses, the four workflows on the published action at this
version's tag, and a pre-commit entry. Never overwrites a file without `--force`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from bot import __version__
from bot.commands import precommit
from bot.commands.output import print_json
from bot.config import Settings
from bot.core.learners import configs
from bot.edges import release, store
from bot.edges.files import WorktreeFiles
from bot.edges.gitrepo import Clone, GitRepo
from bot.errors import EXIT_OK, ConfigError, GitError

PACKAGE = Path(__file__).resolve().parent.parent
STARTER = PACKAGE / "starter"
WORKFLOWS = (
    "learnbot-learn.yml",
    "learnbot-check.yml",
    "learnbot-promote.yml",
    "learnbot-comment.yml",
)
LEARNER_LINES = {
    "backtest": "  backtest: {enabled: true}      # one proposal per failing case",
}


@dataclass(frozen=True)
class Written:
    """What init did with one file."""

    path: str
    outcome: str  # created | unchanged | kept | overwritten | extended


def init(settings: Settings, *, example: str | None, force: bool, action: str | None) -> int:
    """Write the starter files, set origin's HEAD when it can, print the next steps."""
    root = _root(settings.repo)
    config = store.load_config(WorktreeFiles(root), settings.config_path)
    repository = action or release.action_repository()
    files = starter_files(
        example,
        action=f"{repository}@{release.action_tag()}",
        prefix=config.pull_requests.branch_prefix,
        config_path=settings.config_path,
    )
    written = [write(root, path, data, force=force) for path, data in sorted(files.items())]
    hooks = precommit.add_entry(root, repository, __version__)
    written.append(Written(precommit.PATH, hooks))
    head = _origin_head(root)
    if settings.as_json:
        print_json({"files": [w.__dict__ for w in written], "origin_head": head})
    else:
        for item in written:
            sys.stdout.write(f"{item.outcome:<11}  {item.path}\n")
        sys.stdout.write(next_steps(written, head, repository, starter=example is None))
    return EXIT_OK


def _root(path: Path) -> Path:
    try:
        return GitRepo(path).root
    except GitError:
        if path.is_dir():
            return path
        raise


def starter_files(
    example: str | None, *, action: str, prefix: str, config_path: str
) -> dict[str, bytes]:
    """Every file init writes, by repository path (the pre-commit entry aside)."""
    state, learners = _example(example) if example else (_tree(STARTER, ("policies", "cases")), ())
    lines = [LEARNER_LINES["backtest"], *learners]
    config = (STARTER / "learnbot.yml").read_text().replace("@LEARNERS@", "\n".join(lines))
    files = {**state, config_path: config.encode()}
    for name in WORKFLOWS:
        text = (STARTER / "workflows" / name).read_text()
        text = text.replace("@ACTION@", action).replace("@PREFIX@", prefix)
        files[f".github/workflows/{name}"] = text.encode()
    return files


def _tree(root: Path, folders: tuple[str, ...]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py":
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def example_root() -> Path:
    """The example state bundled with learnbot (or this repository's, in a source checkout)."""
    for candidate in (PACKAGE / "example", PACKAGE.parent):
        if (candidate / "policies").is_dir() and (candidate / "cases").is_dir():
            return candidate
    raise ConfigError("the example state is not installed with learnbot")


def families() -> tuple[str, ...]:
    """The example's case families: the names `init --example` accepts."""
    root = example_root()
    state = store.load(WorktreeFiles(root), config_path=_example_config(root))
    return tuple(sorted({c.family for c in state.cases.values() if c.family}))


def _example(name: str) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """One family of the example: its cases, the policies and snapshots they read, its learners."""
    root = example_root()
    files = WorktreeFiles(root)
    state = store.load(files, config_path=_example_config(root))
    cases = [c for c in state.cases.values() if c.family == name]
    if not cases:
        raise ConfigError(
            f"--example {name!r}: no such example",
            hint=f"choose one of {', '.join(families())}",
        )
    policies = {p for c in cases for p in c.policies()}
    paths = {c.path for c in cases} | {c.snapshot_path for c in cases}
    paths |= {state.policies[p].path for p in policies if p in state.policies}
    learners: tuple[str, ...] = ()
    weights = configs.WEIGHTS.of(state.config)
    if weights.policy in policies:
        paths.add(weights.outcomes)
        learners = (_weights_lines(weights.policy, weights.outcomes),)
    return {p: files.read(p) or b"" for p in sorted(paths)}, learners


def _example_config(root: Path) -> str:
    return ".github/learnbot.yml" if (root / ".github/learnbot.yml").is_file() else "learnbot.yml"


def _weights_lines(policy: str, outcomes: str) -> str:
    return (
        f"  weights:                       # domain weights from closed positions\n"
        f"    policy: {policy}\n"
        f"    outcomes: {outcomes}"
    )


def write(root: Path, path: str, data: bytes, *, force: bool) -> Written:
    """Write one file unless it already says something else (then only with `force`)."""
    target = root / path
    if target.is_file():
        if target.read_bytes() == data:
            return Written(path, "unchanged")
        if not force:
            return Written(path, "kept")
        outcome = "overwritten"
    else:
        outcome = "created"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return Written(path, outcome)


def _origin_head(root: Path) -> str | None:
    """Point refs/remotes/origin/HEAD at origin's default branch, when origin has one."""
    try:
        origin = Clone(root)
        origin.fetch()
        branch = origin.default_branch()
        origin.run("remote", "set-head", "origin", branch)
    except GitError:
        return None
    return branch


def next_steps(written: list[Written], head: str | None, repository: str, *, starter: bool) -> str:
    """What to do after init: commit, push, the App token, branch protection."""
    kept = [w.path for w in written if w.outcome == "kept"]
    lines = ["", "Next steps:"]
    if precommit.PATH in kept:
        kept.remove(precommit.PATH)
        lines.append(f"  - add learnbot's hooks to {precommit.PATH} by hand:")
        hooks = precommit.entry(repository, __version__)
        lines += [f"    {line}" for line in hooks.splitlines()]
    if kept:
        lines.append(f"  - {len(kept)} file(s) kept as they were; `learnbot init --force` rewrites")
    lines += [
        "  - learnbot validate && learnbot backtest"
        + ("   (search_outage fails on purpose: run proposes its fix)" if starter else ""),
        "  - git add -A && git commit -m 'Start learning with learnbot' && git push",
        "  - learnbot run --forge local   (or let the learnbot-learn workflow run on GitHub)",
        "  - GitHub: create an App (contents, pull requests, issues, checks: write; metadata:"
        " read), install it, set variable LEARNBOT_APP_ID and secret LEARNBOT_APP_PRIVATE_KEY",
        "  - branch protection: require the learnbot check, let the App push ledger commits",
    ]
    if head is None:
        lines.append("  - origin's default branch is unknown until you push one")
    return "\n".join(lines) + "\n"
