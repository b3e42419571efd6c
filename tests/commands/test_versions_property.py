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
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.cli import main
from bot.core import ledger
from bot.edges.forge import metadata_marker
from bot.edges.gitrepo import Clone
from bot.edges.local_forge import LocalForge
from tests import small_repo
from tests.repos import git, make_repo

# CI (where $CI is set, as on GitHub Actions and in .ci/run) drives 200 sequences from fixed
# seeds; a local run explores 10 new ones each time. They are split in shards that
# pytest-xdist runs side by side, each from its own seed.
IN_CI = bool(os.environ.get("CI"))
TOTAL = int(os.environ.get("LEARNBOT_SEQUENCES", "200" if IN_CI else "10"))
SHARDS = 2
SEQUENCES = settings(
    max_examples=-(-TOTAL // SHARDS),
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


def _values(clone: Clone, rev: str) -> tuple[dict[str, Any], dict[str, int]]:
    values, versions = {}, {}
    for name in small_repo.POLICIES:
        data = yaml.safe_load(clone.read_at(rev, f"policies/{name}.yaml") or b"")
        versions[name] = data["version"]
        values.update({f"{name}.{k}": p["value"] for k, p in data["parameters"].items()})
    return values, versions


def _ref(bare: Path, branch: str) -> str:
    """A branch of a bare repository, read from its files: no git process per look."""
    loose = bare / "refs" / "heads" / branch
    if loose.exists():
        return loose.read_text().strip()
    packed = (bare / "packed-refs").read_text().splitlines()
    return next(line.split()[0] for line in packed if line.endswith(f" refs/heads/{branch}"))


def _fast_import(repo: Path, ref: str, base: str, message: str, files: dict[str, str]) -> None:
    """One commit on `base` with `files` replaced, written to `ref` by a single git process
    (no checkout, no index): each step of a sequence costs as few processes as it can."""
    stamp = f"{int(time.time())} +0000"
    person = f"{os.environ['GIT_AUTHOR_NAME']} <{os.environ['GIT_AUTHOR_EMAIL']}>"
    chunks = [f"commit {ref}\nauthor {person} {stamp}\ncommitter {person} {stamp}\n".encode()]
    chunks += [_data(message), f"from {base}\n".encode()]
    for path, text in sorted(files.items()):
        chunks += [f"M 100644 inline {path}\n".encode(), _data(text)]
    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"],
        cwd=repo,
        input=b"".join(chunks) + b"\n",
        check=True,
        capture_output=True,
    )


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


class Sequences(RuleBasedStateMachine):
    """One repository per sequence; people act, then learnbot promotes."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="seq-"))
        shutil.copytree(root, self.dir, dirs_exist_ok=True, symlinks=True)
        self.repo = self.dir / "work"
        self.origin = self.dir / "work-origin.git"
        git(self.repo, "remote", "set-url", "origin", str(self.origin))
        self.clone = Clone(self.repo)
        self.records = Path(self.clone.repo.git_dir) / "learnbot" / "forge.json"
        self.initial, _ = _values(self.clone, self._main())
        self.proposals = 0
        self.merges: list[str] = []
        self.promoted = self._state()  # the template was promoted when it was built

    def teardown(self) -> None:
        self.clone.repo.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _open(self) -> list[int]:
        """The open pull requests, read from the local forge's records."""
        if not self.records.exists():
            return []
        pulls = json.loads(self.records.read_text())["pulls"].values()
        return sorted(p["number"] for p in pulls if p["state"] == "open")

    def _main(self) -> str:
        """The default branch on origin (every commit on it was made in this clone)."""
        return _ref(self.origin, "main")

    def _edited(self, base: str, key: str, value: int, *, bump: bool) -> dict[str, str]:
        """The policy file at `base` with a value set (and its version bumped)."""
        name, param = key.split(".")
        path = f"policies/{name}.yaml"
        data = yaml.safe_load(self.clone.read_at(base, path) or b"")
        data["parameters"][param]["value"] = value
        data["version"] += int(bump)
        return {path: yaml.safe_dump(data, sort_keys=False)}

    @initialize()
    def start(self) -> None:
        git(self.repo, "checkout", "--quiet", "main")

    @rule(key=st.sampled_from(small_repo.KEYS), value=st.integers(small_repo.LOW, small_repo.HIGH))
    def propose(self, key: str, value: int) -> None:
        """A proposal branch off the current default branch: one value and a version bump."""
        self.proposals += 1
        subject = f"s{self.proposals}"
        branch = f"learnbot/{subject}"
        base = self._main()
        trailers = {
            "Learnbot-Proposal": f"p{self.proposals}",
            "Learnbot-Failure": f"f{self.proposals}",
            "Learnbot-Learner": "backtest",
            "Learnbot-Type": "threshold_adjustment",
            "Learnbot-Subject": subject,
            "Learnbot-Change": key,
        }
        message = f"{key} to {value}\n\n" + "\n".join(f"{k}: {v}" for k, v in trailers.items())
        files = self._edited(base, key, value, bump=True)
        _fast_import(self.repo, f"refs/heads/{branch}", base, message, files)
        git(self.repo, "push", "--quiet", "--force", "origin", branch)
        metadata = {"proposal_id": f"p{self.proposals}", "subject": subject, "keys": [key]}
        LocalForge(self.clone).open_pull(
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
        base = self._main()
        files = self._edited(base, key, value, bump=bump)
        _fast_import(self.repo, "refs/people/edit", base, f"set {key} to {value} by hand", files)
        git(self.repo, "push", "--quiet", "origin", "refs/people/edit:refs/heads/main")

    def _state(self) -> tuple[str, bytes]:
        """What promote reads that people change: the default branch and the forge's records."""
        return self._main(), self.records.read_bytes() if self.records.exists() else b""

    @invariant()
    def promoted_ledger_is_true(self) -> None:
        if self._state() == self.promoted:
            return  # nothing happened since the last promote (a refused merge or revert)
        code, err = _learnbot(self.repo, "promote")
        assert code == 0 or "is not verified" in err, err  # 1: a forced merge, reverted by a PR
        self.promoted = self._state()
        main_sha = self.promoted[0]
        data = (self.clone.read_at(main_sha, "ledgers/learning.jsonl") or b"").rstrip(b"\n") + b"\n"
        assert ledger.verify(data).ok, ledger.verify(data).problem
        entries = [json.loads(line) for line in data.splitlines() if line]
        replayed = dict(self.initial)
        last: dict[str, int] = {}
        for entry in entries:
            for name, change in entry.get("versions", {}).items():
                assert change["to"] > last.get(name, 0), (name, entry)
                last[name] = change["to"]
            replayed.update({key: v["to"] for key, v in entry.get("values", {}).items()})
        values, versions = _values(self.clone, main_sha)
        assert replayed == values
        assert versions == last


@pytest.mark.parametrize("shard", range(SHARDS))
def test_versions_move_forward_and_the_ledger_replays_to_the_default_branch(
    template: Path, shard: int
) -> None:
    machine: Any = type(
        f"Run{shard}", (Sequences,), {"__init__": lambda self: Sequences.__init__(self, template)}
    )
    if IN_CI:  # each shard its own fixed seed: together they explore TOTAL distinct sequences
        machine = seed(20260 + shard)(machine)
    run = machine.TestCase
    run.settings = SEQUENCES
    run().runTest()
