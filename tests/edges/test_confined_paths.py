"""Paths from state files and the config never read outside the repository (#18)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.learners import configs
from bot.core.paths import path_problem, ref_prefix_problem
from bot.edges.files import WorktreeFiles
from tests.edges.test_store import load, only, replace_in
from tests.repos import copy_example

SECRET = b'{"ts": 0, "kind": "secret-key-value"}\n'


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    (tmp_path / "outside.jsonl").write_bytes(SECRET)
    return copy_example(tmp_path / "repo")


def test_files_refuse_absolute_dotdot_and_symlinks_out(state_dir: Path) -> None:
    files = WorktreeFiles(state_dir)
    outside = state_dir.parent / "outside.jsonl"
    (state_dir / "cases/data/link_out.jsonl").symlink_to(outside)
    (state_dir / "cases/data/link_in.jsonl").symlink_to(state_dir / "cases/data/inbox.jsonl")
    (state_dir / "cases/loop.yaml").symlink_to(state_dir / "cases/loop.yaml")
    assert files.read(str(outside)) is None
    assert files.read("cases/../../outside.jsonl") is None
    assert files.read("cases/data/link_out.jsonl") is None
    assert files.read("cases/loop.yaml") is None
    assert (
        files.read("cases/data/link_in.jsonl")
        == (state_dir / "cases/data/inbox.jsonl").read_bytes()
    )
    listed = files.listdir("cases/data", ".jsonl")
    assert "cases/data/link_in.jsonl" in listed and "cases/data/link_out.jsonl" not in listed
    assert files.listdir("..") == () and files.listdir(str(state_dir.parent)) == ()


def test_a_case_pinning_a_snapshot_outside_the_repository_is_a_problem(state_dir: Path) -> None:
    path = state_dir / "cases/it_wire_fraud.yaml"
    replace_in(path, "path: cases/data/inbox.jsonl", "path: cases/data/../../outside.jsonl")
    text = path.read_text()
    pinned = text.split("sha256: ")[1][:64]
    path.write_text(text.replace(pinned, hashlib.sha256(SECRET).hexdigest()))
    (problem,) = only(load(state_dir).problems, "cases/it_wire_fraud.yaml")
    assert problem.pointer == "/snapshot/path" and "must not contain '.', '..'" in problem.message


def test_a_symlinked_snapshot_leading_out_reads_nothing_from_outside(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = state_dir / "cases/data/inbox.jsonl"
    data.unlink()
    data.symlink_to(state_dir.parent / "outside.jsonl")
    assert main(["validate", "--repo", str(state_dir)]) == 2
    out = capsys.readouterr()
    assert "snapshot cases/data/inbox.jsonl does not exist" in out.out
    assert "secret-key-value" not in out.out + out.err


@pytest.mark.parametrize(
    ("key", "value"),
    [("outcomes", "/etc/passwd"), ("outcomes", "../outside.jsonl"), ("outcomes", "cases/./x")],
)
def test_configured_paths_stay_inside(state_dir: Path, key: str, value: str) -> None:
    replace_in(state_dir / ".github/learnbot.yml", "    window_days: 30", f"    {key}: {value}")
    (problem,) = only(load(state_dir).problems, ".github/learnbot.yml")
    assert problem.pointer == "/learners/weights/outcomes"
    assert configs.WEIGHTS.of(load(state_dir).config).outcomes == "cases/outcomes/positions.jsonl"


@pytest.mark.parametrize("value", ["../outside", "/etc", "cases/../.."])
def test_the_labels_folder_stays_inside(state_dir: Path, value: str) -> None:
    replace_in(
        state_dir / ".github/learnbot.yml",
        "learners:\n",
        f"learners:\n  labels: {{path: {value}}}\n",
    )
    (problem,) = only(load(state_dir).problems, ".github/learnbot.yml")
    assert problem.pointer == "/learners/labels/path"
    assert configs.LABELS.of(load(state_dir).config).path == "cases/labels"


@pytest.mark.parametrize(
    "prefix", ["a..b/", ".hidden/", "x.lock/", "bot./", "-x/", "a b/", "a~1/", "a@{x/"]
)
def test_branch_prefixes_must_make_valid_refs(state_dir: Path, prefix: str) -> None:
    replace_in(
        state_dir / ".github/learnbot.yml",
        "  max_new_per_run: 5",
        f'  max_new_per_run: 5\n  branch_prefix: "{prefix}"',
    )
    problems = only(load(state_dir).problems, ".github/learnbot.yml")
    assert [p.pointer for p in problems] in (
        ["/pull_requests/branch_prefix"],
        ["/pull_requests/branch_prefix"] * 2,  # the schema's pattern names some too
    )
    assert load(state_dir).config.pull_requests.branch_prefix == "learnbot/"


@pytest.mark.parametrize("prefix", ["learnbot/", "bots/learn-bot/", "x_1.2/"])
def test_ordinary_branch_prefixes_pass(prefix: str) -> None:
    assert ref_prefix_problem(prefix) == ""


@pytest.mark.parametrize("path", ["", "/abs", "a/../b", "./a", "a//b", "a\\b", ".."])
def test_path_problem_names_what_escapes(path: str) -> None:
    assert path_problem(path)


def test_config_flag_must_name_a_file_in_the_repository(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = state_dir.parent / "learnbot.yml"
    outside.write_text("sandbox: {stabilization_runs: 1}\n")
    assert main(["validate", "--repo", str(state_dir), "--config", str(outside)]) == 2
    assert "--config:" in capsys.readouterr().err
