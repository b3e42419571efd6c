"""Parquet snapshots pinned like JSONL ones; parsed snapshots cached on disk by sha256."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq
import pytest

from bot.cli import main
from tests.repos import commit_all, git


def to_parquet(repo: Path) -> dict[str, str]:
    """Every JSONL snapshot of the repository replaced by a Parquet one, the cases repinned;
    returns the old text -> new text of every pin changed."""
    changes = {}
    for path in sorted((repo / "cases" / "data").glob("*.jsonl")):
        data = path.read_bytes()
        options = pj.ParseOptions(explicit_schema=pa.schema([("ts", pa.string())]))
        out = io.BytesIO()
        pq.write_table(pj.read_json(io.BytesIO(data), parse_options=options), out)
        target = path.with_suffix(".parquet")
        target.write_bytes(out.getvalue())
        path.unlink()
        changes[f"cases/data/{path.name}"] = f"cases/data/{target.name}"
        changes[hashlib.sha256(data).hexdigest()] = hashlib.sha256(out.getvalue()).hexdigest()
    for case in (repo / "cases").glob("*.yaml"):
        text = case.read_text()
        for old, new in changes.items():
            text = text.replace(old, new)
        case.write_text(text)
    commit_all(repo, "Snapshots as Parquet")
    return changes


def backtest(repo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    main(["backtest", "--repo", str(repo), "--json", "--rev", "HEAD"])
    return capsys.readouterr().out


def test_validate_and_backtest_read_parquet_snapshots_as_jsonl(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = backtest(repo, capsys)
    changes = to_parquet(repo)
    assert main(["validate", "--repo", str(repo)]) == 0
    capsys.readouterr()
    after = backtest(repo, capsys)
    for old, new in changes.items():
        before = before.replace(old, new)
    report, expected = json.loads(after), json.loads(before)
    assert report.pop("revision") != expected.pop("revision")  # another commit
    assert report == expected
    assert report["summary"]["failures"] == 7


def test_an_invalid_parquet_row_is_reported_by_file_row_and_field(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pa.Table.from_pylist(
        [
            {"ts": "2026-01-01T00:00:00Z", "kind": "mention"},
            {"ts": "2026-01-01T00:00:00Z", "kind": None},
        ]
    )
    pq.write_table(table, repo / "cases" / "data" / "broken.parquet")
    assert main(["validate", "--repo", str(repo)]) == 2
    assert "cases/data/broken.parquet:2: /kind: required, a string" in capsys.readouterr().out


def backtest_process(repo: Path) -> str:
    """`learnbot backtest` in a process of its own (nothing loaded in memory before)."""
    command = [sys.executable, "-m", "bot", "backtest", "--repo", str(repo), "--json"]
    done = subprocess.run(
        [*command, "--rev", "HEAD"], capture_output=True, text=True, check=False, env=os.environ
    )
    return done.stdout


def test_parsed_snapshots_are_cached_by_digest_for_the_next_process(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = backtest(repo, capsys)
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "learnbot"
    assert backtest_process(repo) == expected
    pins = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (repo / "cases" / "data").glob("*.jsonl")
    }
    assert {p.name for p in cache.iterdir()} == {f"snapshot-v2-{sha}.bin" for sha in pins}
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # corrupt
    assert backtest_process(repo) == expected  # corrupt entries ignored, parsed, rewritten
    assert backtest_process(repo) == expected  # read from the cache: byte-identical


def test_pin_re_pins_a_changed_parquet_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--initial-branch", "main", str(work))
    assert main(["init", "--repo", str(work)]) == 0
    commit_all(work, "start")
    to_parquet(work)
    snapshot = work / "cases" / "data" / "alerting.parquet"
    table = pq.read_table(snapshot)
    extra = {**table.slice(0, 1).to_pylist()[0], "ts": "2025-06-01T00:00:00Z"}
    grown = pa.concat_tables([table, pa.Table.from_pylist([extra], schema=table.schema)])
    pq.write_table(grown, snapshot)
    assert main(["validate", "--repo", str(work)]) == 2
    capsys.readouterr()
    assert main(["pin", "--repo", str(work), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pinned"] is True
    assert {c["events_before"] for c in report["cases"]} == {len(table)}
    assert {c["events_after"] for c in report["cases"]} == {len(table) + 1}
    assert main(["validate", "--repo", str(work)]) == 0
