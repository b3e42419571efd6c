"""The watch after a promotion, end to end (both forges): the rollout's last step is merged,
the active values' metrics get worse, and learnbot opens the revert pull request itself."""

from __future__ import annotations

import json

import numpy as np

from bot.core.learners.rollout import candidate_digest
from bot.model import format_time, parse_time
from tests.commands.test_rollouts_e2e import RANKER, plain, scratch, step
from tests.harness import World


def control(start: int, n: int, quality: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    lines = [
        {
            "arm": "control",
            "latency_ms": round(180 + rng.normal(0, 8), 3),
            "quality": round(quality + rng.normal(0, 0.03), 4),
            "ts": format_time(start + 900 * i),
        }
        for i in range(n)
    ]
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)


def activated(world: World) -> dict[str, object]:
    """The ranker's candidate, already at 50%, made active: the promotion's ledger entry."""
    scratch(world)
    world.change_main(
        "policies/ranker.yaml",
        lambda t: t.replace("stage: shadow\n  percent: 0", "stage: canary\n  percent: 50"),
        "ranker at 50%",
    )
    entry = step(world, RANKER)
    assert "ranker.boost" in entry["values"]  # type: ignore[operator]
    return entry


def export(world: World, entry: dict[str, object], *, after: float) -> int:
    """Control samples for two days before the merge (0.8) and two after (`after`)."""
    at = parse_time(str(entry["at"]))
    lines = control(at - 2 * 86400, 150, 0.8, seed=11) + control(at + 60, 150, after, seed=12)
    world.change_main(
        "cases/outcomes/rollouts/ranker.jsonl",
        lambda t: t + lines,
        "export ranker metrics",
        date=format_time(at + 2 * 86400),
    )
    return at + 3 * 86400


def test_worse_metrics_after_a_promotion_get_a_revert_pull_request(world: World) -> None:
    entry = activated(world)
    now = format_time(export(world, entry, after=0.7))
    result = world.learnbot("run", "--now", now)
    assert result.code == 0, result.err
    branch = f"learnbot-revert/{str(entry['commit'])[:12]}"
    pull = world.open_pulls()[branch]
    assert "learnbot-revert" in pull["labels"]
    body = plain(pull["body"])
    assert f"Ledger entry {entry['seq']} in `ledgers/learning.jsonl`" in body
    assert f"records the promotion of `{str(entry['commit'])[:12]}`" in body
    assert "### Why\n\n- worse after the merge: quality -1" in body
    assert f"(#{entry['pr']})" in body
    assert "| quality | mean | 0.799881 | 0.701163 | -12.3% | 0.0000 | regressed |" in body
    assert "(150 / 150 samples)" in body
    assert "worse after the merge: quality -1" in body
    (board,) = world.dashboards()
    assert "### Watch after promotions" in plain(board["body"])
    assert f"revert opened in #{pull['number']}" in plain(board["body"])
    # a second run opens nothing more
    world.learnbot("run", "--now", now)
    assert [p["branch"] for p in world.pulls()].count(branch) == 1
    # merging the revert is a rollback; the candidate it restored is known-bad
    world.merge(pull["number"])
    assert world.learnbot("promote").code == 0
    rollback = world.ledger()[-1]
    assert (rollback["type"], rollback["reverted"]) == ("rollback", entry["commit"])
    assert "value: 1.5" in world.file_on_main("policies/ranker.yaml")
    world.learnbot("run", "--now", now)
    again = plain(world.open_pulls()[RANKER]["body"])
    assert f"known-bad: reverted in ledger entry {rollback['seq']}" in again
    digest = candidate_digest({"boost": 2.25})
    assert f"| `ranker.candidate` | `{digest}` | removed |" in again


def test_metrics_that_hold_after_a_promotion_open_nothing(world: World) -> None:
    entry = activated(world)
    now = format_time(export(world, entry, after=0.8))
    world.learnbot("run", "--now", now)
    assert not [b for b in world.open_pulls() if b.startswith("learnbot-revert/")]
    (board,) = world.dashboards()
    text = plain(board["body"])
    assert "| `ranker` |" in text and "150 / 150" in text
    assert "**holding**: no significant regression" in text
