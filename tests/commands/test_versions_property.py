"""Whatever people merge, revert, close or edit, the ledger stays true (DESIGN invariant 11).

Random sequences of fresh and stale merges, reverts, closes and manual edits go through the
local forge on a small repository; after every step `learnbot promote` runs and:
- the ledger verifies;
- each policy's recorded versions strictly increase;
- replaying the ledger's recorded value changes from the initial state gives exactly the
  policy values on the default branch, and each policy's version there is the last recorded.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.cli import main
from bot.core import ledger
from bot.edges.forge import metadata_marker
from bot.edges.gitrepo import Clone
from bot.edges.local_forge import LocalForge
from tests import small_repo
from tests.repos import git, make_repo

# CI (where $CI is set, as on GitHub Actions and in .ci/run) drives 200 sequences from a fixed
# seed; a local run explores 10 new ones each time (each step is a few git processes)
IN_CI = bool(os.environ.get("CI"))
SEQUENCES = settings(
    max_examples=int(os.environ.get("LEARNBOT_SEQUENCES", "200" if IN_CI else "10")),
    stateful_step_count=6,
    deadline=None,
    derandomize=IN_CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small repository, built and recorded once; each sequence starts from a copy."""
    root = tmp_path_factory.mktemp("template")
    repo = small_repo.build(make_repo(root / "work", example=False))
    _learnbot(repo, "promote")
    return root


def _learnbot(repo: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--repo", str(repo), "--forge", "local"], environ=dict(os.environ))
    return code, err.getvalue()


def _values(repo: Path, rev: str) -> tuple[dict[str, Any], dict[str, int]]:
    values, versions = {}, {}
    for name in small_repo.POLICIES:
        data = yaml.safe_load(git(repo, "show", f"{rev}:policies/{name}.yaml"))
        versions[name] = data["version"]
        values.update({f"{name}.{k}": p["value"] for k, p in data["parameters"].items()})
    return values, versions


class Sequences(RuleBasedStateMachine):
    """One repository per sequence; people act, then learnbot promotes."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="seq-"))
        shutil.copytree(root, self.dir, dirs_exist_ok=True, symlinks=True)
        self.repo = self.dir / "work"
        git(self.repo, "remote", "set-url", "origin", str(self.dir / "work-origin.git"))
        self.forge = LocalForge(Clone(self.repo))
        self.initial, _ = _values(self.repo, "origin/main")
        self.proposals = 0
        self.merges: list[str] = []

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _open(self) -> list[int]:
        return [p.number for p in self.forge.pull_requests(prefix="") if p.state == "open"]

    def _main(self) -> str:
        git(self.repo, "fetch", "--quiet", "origin")
        return git(self.repo, "rev-parse", "origin/main")

    def _edit(self, key: str, value: int, *, bump: bool) -> None:
        """Set a value in the checked-out tree (and bump its policy's version)."""
        name, param = key.split(".")
        path = self.repo / "policies" / f"{name}.yaml"
        data = yaml.safe_load(path.read_text())
        data["parameters"][param]["value"] = value
        data["version"] += int(bump)
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    def _commit(self, message: str) -> None:
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "--quiet", "--allow-empty", "-m", message)

    @initialize()
    def start(self) -> None:
        git(self.repo, "checkout", "--quiet", "main")

    @rule(key=st.sampled_from(small_repo.KEYS), value=st.integers(small_repo.LOW, small_repo.HIGH))
    def propose(self, key: str, value: int) -> None:
        """A proposal branch off the current default branch: one value and a version bump."""
        self.proposals += 1
        subject = f"s{self.proposals}"
        branch = f"learnbot/{subject}"
        git(self.repo, "checkout", "--quiet", "-B", branch, self._main())
        self._edit(key, value, bump=True)
        trailers = {
            "Learnbot-Proposal": f"p{self.proposals}",
            "Learnbot-Failure": f"f{self.proposals}",
            "Learnbot-Learner": "backtest",
            "Learnbot-Type": "threshold_adjustment",
            "Learnbot-Subject": subject,
            "Learnbot-Change": key,
        }
        self._commit(f"{key} to {value}\n\n" + "\n".join(f"{k}: {v}" for k, v in trailers.items()))
        git(self.repo, "push", "--quiet", "--force", "origin", branch)
        git(self.repo, "checkout", "--quiet", "main")
        metadata = {"proposal_id": f"p{self.proposals}", "subject": subject, "keys": [key]}
        self.forge.open_pull(
            branch=branch,
            base="main",
            title=f"{key} to {value}",
            body=metadata_marker(metadata),
            labels=[],
            reviewers=[],
        )

    @precondition(lambda self: self._open())
    @rule(pick=st.integers(0, 20))
    def merge(self, pick: int) -> None:
        """Fresh or stale, whatever the check says: a forced merge (conflicts are refused).

        Open pull requests include the reverts learnbot opened for unverified promotions.
        """
        numbers = self._open()
        code, err = _learnbot(self.repo, "merge", str(numbers[pick % len(numbers)]), "--force")
        assert code == 0 or "conflicts" in err, err
        if code == 0:
            self.merges.append(self._main())

    @precondition(lambda self: self._open())
    @rule(pick=st.integers(0, 20))
    def close(self, pick: int) -> None:
        numbers = self._open()
        assert _learnbot(self.repo, "close", str(numbers[pick % len(numbers)]))[0] == 0

    @precondition(lambda self: self.merges)
    @rule(pick=st.integers(0, 20))
    def revert(self, pick: int) -> None:
        """A person reverts one of the merges (a conflicting revert is abandoned)."""
        git(self.repo, "checkout", "--quiet", "-B", "main", self._main())
        sha = self.merges[pick % len(self.merges)]
        done = subprocess.run(
            ["git", "revert", "--no-edit", "-m", "1", sha],
            cwd=self.repo,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            git(self.repo, "revert", "--abort")
            return
        git(self.repo, "push", "--quiet", "origin", "main")

    @rule(
        key=st.sampled_from(small_repo.KEYS),
        value=st.integers(small_repo.LOW, small_repo.HIGH),
        bump=st.booleans(),
    )
    def edit(self, key: str, value: int, bump: bool) -> None:
        """A person's commit on the default branch, with or without a version bump."""
        git(self.repo, "checkout", "--quiet", "-B", "main", self._main())
        self._edit(key, value, bump=bump)
        self._commit(f"set {key} to {value} by hand")
        git(self.repo, "push", "--quiet", "origin", "main")

    @invariant()
    def promoted_ledger_is_true(self) -> None:
        code, err = _learnbot(self.repo, "promote")
        assert code == 0 or "is not verified" in err, err  # 1: a forced merge, reverted by a PR
        main_sha = self._main()
        data = git(self.repo, "show", f"{main_sha}:ledgers/learning.jsonl").encode() + b"\n"
        assert ledger.verify(data).ok, ledger.verify(data).problem
        entries = [json.loads(line) for line in data.splitlines() if line]
        replayed = dict(self.initial)
        last: dict[str, int] = {}
        for entry in entries:
            for name, change in entry.get("versions", {}).items():
                assert change["to"] > last.get(name, 0), (name, entry)
                last[name] = change["to"]
            replayed.update({key: v["to"] for key, v in entry.get("values", {}).items()})
        values, versions = _values(self.repo, main_sha)
        assert replayed == values
        assert versions == last


def test_versions_move_forward_and_the_ledger_replays_to_the_default_branch(
    template: Path,
) -> None:
    machine = type(
        "Run", (Sequences,), {"__init__": lambda self: Sequences.__init__(self, template)}
    )
    run = machine.TestCase
    run.settings = SEQUENCES
    run().runTest()
