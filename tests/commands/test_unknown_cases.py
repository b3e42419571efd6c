"""A snapshot that does not cover a case's window: UNKNOWN, not a failure, on the dashboard."""

from __future__ import annotations

import json

from bot.cli import main
from bot.model import parse_time
from tests.harness import World
from tests.scratch import DAY, Scratch, at, install

END = parse_time("2026-01-10T00:00:00Z")


def state() -> Scratch:
    found = Scratch()
    found.policy("ops", min_errors=(3, 1, 20, 1), window_days=(2, 1, 14, 1))
    trigger = {
        "name": "errors",
        "kind": "count",
        "match": {"kind": "error"},
        "threshold": "ops.min_errors",
    }
    window = {"end": "2026-01-10T00:00:00Z", "days": "ops.window_days"}
    common = {"window": window, "triggers": [trigger], "min_signals": 1}
    found.case("api_outage", [at(END - i * 3600, "error") for i in range(1, 6)], **common)
    found.case("db_blip", [], **common)
    found.case("cache_storm", [at(END + DAY, "error")], **common)
    return found


def test_uncovered_cases_are_unknown_listed_with_what_is_missing_and_get_no_pull_request(
    world: World,
) -> None:
    install(world.repo, state())
    world.capsys.readouterr()
    main(["backtest", "--json", "--repo", str(world.repo)], environ={})
    by_id = {r["case_id"]: r for r in json.loads(world.capsys.readouterr().out)["results"]}
    assert by_id["db_blip"]["status"] == "UNKNOWN"
    assert by_id["db_blip"]["missing"] == "no events in the snapshot cases/data/db_blip.jsonl"
    assert by_id["cache_storm"]["missing"].startswith(
        "the snapshot cases/data/cache_storm.jsonl starts at 2026-01-11T00:00:00Z"
    )
    run = world.run()
    assert run.code == 0, run.err
    assert world.open_pulls() == {}
    (board,) = world.dashboards()
    assert "3 cases: 1 HIT, 0 MISS, 0 ABSTAIN, 0 ERROR, 2 UNKNOWN; 0 failures" in board["body"]
    assert "### Cases the snapshots do not cover (UNKNOWN: not failures)" in board["body"]
    assert "- `db_blip`: no events in the snapshot cases/data/db\\_blip\\.jsonl" in board["body"]
