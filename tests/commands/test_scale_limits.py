"""Scale limits with a clear report: failures analysed per run are capped (the rest deferred),
and the dashboard stays under its body limit (#18). On a repository built here: 300 alert
cases over one snapshot, 60 of them failing, all wanting the same threshold."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.model import format_time, parse_time
from tests.harness import NOW, World
from tests.repos import commit_all, git

CASES, FAILING = 300, 60
SUFFIX = "_unusually_long_alert_name" * 3  # long names fill the dashboard sooner


def name(i: int) -> str:
    return f"alert_{i:03d}{SUFFIX}"


END = parse_time("2026-01-10T00:00:00Z")
CONFIG = """learners:
  backtest: {max_failures: 12}
  weights: {enabled: false}
  karma: {enabled: false}
  skills: {enabled: false}
  forecasts: {enabled: false}
  rollout: {enabled: false}
dashboard: {body_limit: 4000}
pull_requests: {max_new_per_run: 3}
"""
POLICY = """name: alerts
version: 1
parameters:
  min_count: {value: 5, min: 1, max: 50, step: 1}
  window_days: {value: 7, min: 1, max: 30, step: 1}
"""


def build(root: Path) -> None:
    """Replace the example state with the alerts repository."""
    for folder in ("policies", "cases", "ledgers", ".github"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for folder in ("policies", "cases/data", "ledgers", ".github"):
        (root / folder).mkdir(parents=True)
    (root / ".github/learnbot.yml").write_text(CONFIG)
    (root / "policies/alerts.yaml").write_text(POLICY)
    (root / "ledgers/learning.jsonl").write_text("")
    events = [
        {"ts": format_time(END - (k + 1) * 3600), "kind": "alert", "term": f"t{i:03d}"}
        for i in range(CASES)
        for k in range(3 if i < FAILING else 6)
    ]
    data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events).encode()
    (root / "cases/data/alerts.jsonl").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    for i in range(CASES):
        case: dict[str, Any] = {
            "id": name(i),
            "snapshot": {"path": "cases/data/alerts.jsonl", "sha256": digest},
            "window": {"end": format_time(END), "days": "alerts.window_days"},
            "triggers": [
                {
                    "kind": "count",
                    "match": {"kind": "alert", "term": f"t{i:03d}"},
                    "threshold": "alerts.min_count",
                }
            ],
        }
        (root / f"cases/{name(i)}.yaml").write_text(json.dumps(case))


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    built = World(tmp_path, "local", capsys)
    build(built.repo)
    commit_all(built.repo, "Alerts state")
    git(built.repo, "push", "--quiet", "origin", "main")
    yield built
    built.close_world()


def test_loop_analyses_the_first_failures_and_lists_the_rest_as_deferred(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["loop", "--dry-run", "--json", "--repo", str(world.repo), "--now", NOW]) == 0
    out = capsys.readouterr()
    planned = json.loads(out.out)["pull_requests"]
    assert [p["subject"] for p in planned] == [name(i) for i in range(12)]
    assert f"{FAILING - 12} failures beyond learners.backtest.max_failures (12) deferred" in out.err
    assert f"{name(12)}, {name(13)}" in out.err and name(59) in out.err


def test_the_dashboard_stays_under_its_limit_and_says_what_it_collapsed(world: World) -> None:
    result = world.run()
    assert result.code == 0, result.err
    assert "48 failures beyond learners.backtest.max_failures (12) deferred" in result.err
    (board,) = world.dashboards()
    body = board["body"]
    assert len(body) <= 4000
    assert "### Deferred to the next run" in body
    assert "48 failing cases beyond `learners.backtest.max_failures` (12)" in body
    assert "more not shown: collapsed to keep this issue under the body limit" in body
    assert body.rstrip().endswith("<!-- learnbot:dashboard -->")


def test_a_limit_that_fits_everything_collapses_nothing(world: World) -> None:
    world.change_main(
        ".github/learnbot.yml", lambda t: t.replace("body_limit: 4000", "body_limit: 65536"), "room"
    )
    assert world.run().code == 0
    (board,) = world.dashboards()
    assert "collapsed" not in board["body"]
    assert all(f"`{name(i)}`" in board["body"] for i in range(12, FAILING))
