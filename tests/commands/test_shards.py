"""A run split over shards (#17): `loop --shard I/N --out DIR` on each part, then
`run --from-shards` opens the same pull requests, with the same bodies and commits, as one
unsharded run. Mixed commits and incomplete sets are refused. On a repository built here:
three policies, twelve failing cases each with a threshold of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.model import parse_time
from tests.repos import commit_all, git, make_repo
from tests.scratch import Scratch, at

NOW = "2026-02-01T00:00:00Z"
END = parse_time("2026-01-15T00:00:00Z")
HOUR = 3600
LOCAL = ("--forge", "local", "--now", NOW)
CONFIG = "pull_requests: {max_open: 30, max_new_per_run: 30}\n"


def _state() -> Scratch:
    state = Scratch(config=CONFIG)
    for p in range(3):
        state.policy(
            f"alerts{p}",
            window_days=(3, 1, 14, 1),
            **{f"t{k}": (5, 1, 50, 1) for k in range(4)},
        )
    for i in range(12):
        policy, threshold = f"alerts{i % 3}", f"alerts{i % 3}.t{i // 3}"
        common = {
            "window": {"end": "2026-01-15T00:00:00Z", "days": f"{policy}.window_days"},
            "triggers": [
                {
                    "name": "alerts",
                    "kind": "count",
                    "match": {"kind": "alert"},
                    "threshold": threshold,
                }
            ],
        }
        events = [at(END - h * HOUR, "alert") for h in range(1, 4)]  # three: two short
        state.case(f"missed_{i:02d}", events, **common)
        events = [at(END - h * HOUR, "alert") for h in range(1, 9)]
        state.case(f"caught_{i:02d}", events, **common)
    for p in range(3):
        common = {
            "window": {"end": "2026-01-15T00:00:00Z", "days": f"alerts{p}.window_days"},
            "triggers": [
                {"kind": "count", "match": {"kind": "alert"}, "threshold": f"alerts{p}.t0"}
            ],
        }
        state.case(f"calm_{p}", [at(END - HOUR, "alert")], expect="quiet", protected=True, **common)
    return state


def _repository(path: Path) -> Path:
    repo = make_repo(path, example=False)
    _state().write(repo)
    commit_all(repo, "learned state written from scratch")
    git(repo, "push", "--quiet", "origin", "main")
    return repo


def _pulls(repo: Path) -> list[dict[str, Any]]:
    records = json.loads((repo / ".git/learnbot/forge.json").read_text())
    found = []
    for pull in sorted(records["pulls"].values(), key=lambda p: p["branch"]):
        head = git(repo, "rev-parse", f"refs/remotes/origin/{pull['branch']}")
        found.append({**{k: pull[k] for k in ("branch", "title", "body", "state")}, "head": head})
    return found


def _shard(repo: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    dirs = []
    for i in (1, 2, 3):
        dirs.append(out / f"part{i}")
        code = main(
            ["loop", "--shard", f"{i}/3", "--out", str(dirs[-1]), "--repo", str(repo), *LOCAL],
            environ={},
        )
        assert code == 0, capsys.readouterr().err
    return dirs


def test_three_shards_open_the_same_pull_requests_as_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = _repository(tmp_path / "whole")
    assert main(["run", "--repo", str(whole), "--forge", "local", "--now", NOW], environ={}) == 0
    expected = _pulls(whole)
    assert len(expected) == 12

    split = _repository(tmp_path / "split")
    assert git(split, "rev-parse", "HEAD") == git(whole, "rev-parse", "HEAD")
    dirs = _shard(split, tmp_path / "shards", capsys)
    parts = [json.loads(next(d.glob("*.json")).read_text()) for d in dirs]
    assert all(p["steps"] for p in parts)  # the work is really split
    assert sum(len(p["steps"]) for p in parts) == 12
    capsys.readouterr()
    code = main(
        ["run", "--from-shards", *map(str, dirs), "--repo", str(split), *LOCAL],
        environ={},
    )
    assert code == 0, capsys.readouterr().err
    assert _pulls(split) == expected
    board = lambda repo: [  # noqa: E731
        i["body"]
        for i in json.loads((repo / ".git/learnbot/forge.json").read_text())["issues"].values()
    ]
    assert board(split) == board(whole)


def test_a_shard_keeps_its_subjects_from_run_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repository(tmp_path / "r")
    first = [
        json.loads(next(d.glob("*.json")).read_text()) for d in _shard(repo, tmp_path / "a", capsys)
    ]
    again = [
        json.loads(next(d.glob("*.json")).read_text()) for d in _shard(repo, tmp_path / "b", capsys)
    ]
    assert first == again


def test_from_shards_refuses_an_incomplete_set_and_other_commits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repository(tmp_path / "r")
    dirs = _shard(repo, tmp_path / "shards", capsys)
    capsys.readouterr()
    args = ["--repo", str(repo), "--forge", "local", "--now", NOW]
    assert main(["run", "--from-shards", str(dirs[0]), str(dirs[2]), *args], environ={}) == 2
    err = capsys.readouterr().err
    assert "incomplete set of 3 shards (missing [2]" in err

    (repo / "cases/extra.yaml").write_text(
        (repo / "cases/caught_00.yaml").read_text().replace("caught_00", "extra")
    )
    commit_all(repo, "one more case")
    git(repo, "push", "--quiet", "origin", "main")
    assert main(["run", "--from-shards", *map(str, dirs), *args], environ={}) == 2
    err = capsys.readouterr().err
    assert "the default branch moved" in err and "the shards learned on" in err
    records = repo / ".git/learnbot/forge.json"
    assert not records.exists() or not json.loads(records.read_text())["pulls"]

    later = _shard(repo, tmp_path / "later", capsys)
    capsys.readouterr()
    assert (
        main(["run", "--from-shards", str(dirs[0]), *map(str, later[1:]), *args], environ={}) == 2
    )
    assert "the shards learned on different commits" in capsys.readouterr().err


def test_shard_flags_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repository(tmp_path / "r")
    with pytest.raises(SystemExit):
        main(["loop", "--shard", "4/3", "--out", str(tmp_path / "o"), "--repo", str(repo)])
    assert "I must be between 1 and N" in capsys.readouterr().err
    assert (
        main(["loop", "--shard", "1/3", "--repo", str(repo), "--forge", "local"], environ={}) == 2
    )
    assert "go together" in capsys.readouterr().err
