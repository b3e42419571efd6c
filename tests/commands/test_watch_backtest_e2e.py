"""The watch after a promotion of a policy without online metrics, end to end (both forges):
cases that arrive after the merge pass with the values before it and fail with the values
after it, so learnbot opens the revert pull request itself; merging it is a rollback."""

from __future__ import annotations

import hashlib
import json

import yaml

from bot.model import format_time, parse_time
from tests.commands.test_rebuild_learners import END, LEAK, install
from tests.commands.test_run_scenarios import plain
from tests.harness import World
from tests.repos import commit_all, git
from tests.scratch import at


def promoted(world: World) -> dict[str, object]:
    """The scratch service's slow_leak fix (svc.error_limit 10 -> 9) merged and recorded."""
    install(world)
    assert world.run().code == 0
    world.merge(world.open_pulls()[LEAK]["number"])
    assert world.learnbot("promote").code == 0
    entry = world.ledger()[-1]
    assert entry["values"] == {"svc.error_limit": {"from": 10, "to": 9}}
    return entry


def add_cases(world: World, errors: int, count: int, when: int) -> None:
    """A person adds `count` quiet days with `errors` errors each (they must not alert)."""
    repo = world.repo
    git(repo, "checkout", "--quiet", world.branch)
    git(repo, "pull", "--quiet", "--ff-only", "origin", world.branch)
    for i in range(count):
        case_id = f"busy_day_{errors}_{i}"
        events = [at(END - h * 3600 - i, "error") for h in range(1, errors + 1)]
        data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events)
        (repo / "cases" / "data" / f"{case_id}.jsonl").write_text(data)
        case = {
            "id": case_id,
            "expect": "quiet",
            "snapshot": {
                "path": f"cases/data/{case_id}.jsonl",
                "sha256": hashlib.sha256(data.encode()).hexdigest(),
            },
            "window": {"end": "2026-01-15T00:00:00Z", "days": "svc.window_days"},
            "triggers": [
                {
                    "name": "errors",
                    "kind": "count",
                    "match": {"kind": "error"},
                    "threshold": "svc.error_limit",
                }
            ],
        }
        (repo / "cases" / f"{case_id}.yaml").write_text(json.dumps(case, indent=1) + "\n")
    commit_all(repo, f"{count} busy but quiet days", date=format_time(when))
    git(repo, "push", "--quiet", "origin", world.branch)


def test_cases_that_regress_after_a_promotion_get_a_revert_pull_request(world: World) -> None:
    entry = promoted(world)
    merged = parse_time(str(entry["at"]))
    add_cases(world, 9, 3, merged + 3600)  # nine errors: quiet at 10, an alert at 9
    now = format_time(merged + 86400)
    result = world.learnbot("run", "--now", now)
    assert result.code == 0, result.err
    branch = f"learnbot-revert/{str(entry['commit'])[:12]}"
    pull = world.open_pulls()[branch]
    assert "learnbot-revert" in pull["labels"]
    assert pull["title"].startswith("learnbot(svc): revert ")
    assert pull["title"].endswith(": the backtest got worse after the merge")
    body = plain(pull["body"])
    assert f"Ledger entry {entry['seq']} in `ledgers/learning.jsonl`" in body
    assert "3 of 241 current cases pass with the values before it and fail" in body
    regressed = body.split("Pass before the merge, fail after it:", 1)[1].split("Fixed by", 1)[0]
    assert [line for line in regressed.splitlines() if line] == [
        f"- `busy_day_9_{i}`" for i in range(3)
    ]
    assert "- `slow_leak`" in body.split("Fixed by the merge", 1)[1]
    (board,) = world.dashboards()
    text = plain(board["body"])
    assert "### Watch after promotions" in text
    assert "| `svc` |" in text and "backtest: 240 / 238 of 241 cases pass" in text
    assert f"revert opened in #{pull['number']}" in text
    world.learnbot("run", "--now", now)  # opened once
    assert [p["branch"] for p in world.pulls()].count(branch) == 1

    world.merge(pull["number"])
    assert world.learnbot("promote").code == 0
    rollback = world.ledger()[-1]
    assert (rollback["type"], rollback["reverted"]) == ("rollback", entry["commit"])
    svc = yaml.safe_load(world.file_on_main("policies/svc.yaml"))
    assert svc["parameters"]["error_limit"]["value"] == 10


def test_cases_that_hold_after_a_promotion_open_nothing(world: World) -> None:
    entry = promoted(world)
    merged = parse_time(str(entry["at"]))
    add_cases(world, 3, 2, merged + 3600)  # three errors: quiet either way
    assert world.learnbot("run", "--now", format_time(merged + 86400)).code == 0
    assert not [b for b in world.open_pulls() if b.startswith("learnbot-revert/")]
    (board,) = world.dashboards()
    text = plain(board["body"])
    assert "| `svc` |" in text and "backtest: 239 / 240 of 240 cases pass" in text
    assert "**holding**: no current case passes with the values before the merge" in text
