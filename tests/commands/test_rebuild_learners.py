"""promote rebuilds any learner's proposal a change made stale, on a repository built here.

A service with 240 backtest cases on two threshold policies, a weights policy learned from
closed trades and a ranker policy under rollout: four open proposals from three learners.
A merge leaves the proposals whose evidence it did not touch alone; new closes rebuild the
weights proposal, new metrics the rollout step, in the same `promote` job (both forges).
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from bot.model import format_time, parse_time
from tests.commands.test_rollouts_e2e import candidate, metrics, policy
from tests.harness import NOW, World
from tests.repos import commit_all, git
from tests.scratch import DAY, Scratch, at

WEIGHTS, RANKER = "learnbot/weights/desk_weights", "learnbot/rollout/ranker"
LEAK, BACKLOG = "learnbot/slow_leak", "learnbot/backlog"
END = parse_time("2026-01-15T00:00:00Z")
DOMAINS = ("breadth", "flows", "momentum", "rates")
CONFIG = """pull_requests: {max_open: 20, max_new_per_run: 20}
learners:
  weights:
    policy: desk_weights
    outcomes: cases/outcomes/closes.jsonl
    observe_days: 0
    warm_days: 0
    min_observations: 20
  rollout: {min_samples: 40}
  forecasts: {enabled: false}
  karma: {enabled: false}
"""


def service() -> Scratch:
    """Two threshold policies, 240 cases: one failing case on each."""
    state = Scratch(config=CONFIG)
    state.policy("svc", error_limit=(10, 1, 100, 1), window_days=(3, 1, 14, 1))
    state.policy("queue", depth_limit=(50, 5, 500, 5), window_days=(3, 1, 14, 1))
    errors = {"name": "errors", "kind": "count", "match": {"kind": "error"}}
    depth = {"name": "depth", "kind": "count", "match": {"kind": "enqueue"}}
    window = {"end": "2026-01-15T00:00:00Z", "days": "svc.window_days"}
    on_svc = {"window": window, "triggers": [{**errors, "threshold": "svc.error_limit"}]}
    fixed = {"end": "2026-01-15T00:00:00Z", "days": "queue.window_days"}
    on_queue = {"window": fixed, "triggers": [{**depth, "threshold": "queue.depth_limit"}]}
    for i in range(180):
        quiet = [at(END - h * 3600, "error") for h in (5, 30)]
        state.case(f"steady_{i:03d}", quiet, expect="quiet", protected=True, **on_svc)
    for i in range(9):
        state.case(f"outage_{i}", [at(END - h * 3600, "error") for h in range(1, 16)], **on_svc)
    state.case("slow_leak", [at(END - h * 3600, "error") for h in range(1, 10)], **on_svc)
    for i in range(48):
        calm = [at(END - h * 3600, "enqueue") for h in range(10)]
        state.case(f"calm_{i:02d}", calm, expect="quiet", protected=True, **on_queue)
    flood = [at(END - m * 60, "enqueue") for m in range(1, 61)]
    state.case("flood", flood, **on_queue)
    state.case("backlog", [at(END - m * 60, "enqueue") for m in range(1, 48)], **on_queue)
    return state


def closes(first: int, count: int, *, momentum: bool) -> str:
    """Alternating wins and losses; `flows` always points the right way, `momentum` when asked."""
    rows = []
    for i in range(first, first + count):
        sign = 1.0 if i % 2 == 0 else -1.0
        scores = {"breadth": 0.1, "flows": sign, "momentum": sign if momentum else 0.1}
        rows.append(
            {
                "id": f"close-{i:03d}",
                "opened_at": format_time(END - 20 * DAY + i * DAY * 2 // 5),
                "closed_at": format_time(END - 20 * DAY + i * DAY * 2 // 5 + DAY // 5),
                "realized_pnl": 50.0 * sign,
                "regime": "range",
                "producers": ["desk"],
                "domain_scores": {**scores, "rates": 0.1},
            }
        )
    return "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)


def install(world: World) -> None:
    repo = world.repo
    git(repo, "checkout", "--quiet", world.branch)
    service().write(repo)
    (repo / "ledgers" / "learning.jsonl").unlink(missing_ok=True)
    shutil.rmtree(repo / "templates", ignore_errors=True)
    weights = "".join(
        f"  {d}:\n    value: 0.25\n    min: 0.05\n    max: 0.4\n    step: 0.0001\n" for d in DOMAINS
    )
    desk = f"name: desk_weights\nversion: 1\nkind: weights\nparameters:\n{weights}"
    (repo / "policies" / "desk_weights.yaml").write_text(desk)
    shadow = candidate({"boost": 2.25}, "shadow", 0, "2026-01-10T00:00:00Z")
    (repo / "policies" / "ranker.yaml").write_text(policy("ranker", {"boost": 1.5}, shadow))
    outcomes = repo / "cases" / "outcomes"
    (outcomes / "rollouts").mkdir(parents=True)
    (outcomes / "closes.jsonl").write_text(closes(0, 24, momentum=False))
    ranker = metrics("2026-01-10T00:00:00Z", 60, quality=0.04, seed=1)
    (outcomes / "rollouts" / "ranker.jsonl").write_text(ranker)
    commit_all(repo, "a scratch service: thresholds, weights and a rollout")
    git(repo, "push", "--quiet", "origin", world.branch)


def _weights(world: World, branch: str) -> dict[str, float]:
    git(world.repo, "fetch", "--quiet", "origin")
    text = git(world.repo, "show", f"refs/remotes/origin/{branch}:policies/desk_weights.yaml")
    return {d: float(text.split(f"{d}:\n    value: ")[1].split()[0]) for d in DOMAINS}


def heads(world: World) -> dict[str, str]:
    return {b: p["head_sha"] for b, p in world.open_pulls().items()}


def promote(world: World) -> str:
    result = world.learnbot("promote", "--now", NOW)
    assert result.code == 0, result.err
    return result.err


def test_promote_rebuilds_whatever_learner_made_a_stale_proposal(world: World) -> None:
    install(world)
    first = world.run()
    assert first.code == 0, first.err
    before = heads(world)
    assert {LEAK, BACKLOG, WEIGHTS, RANKER} <= set(before), sorted(before)
    weights_before = world.open_pulls()[WEIGHTS]

    # a backtest merge on svc: the backlog proposal replays the protected svc cases, so it is
    # rebuilt; nothing the weights and rollout learners read changed
    world.merge(world.open_pulls()[LEAK]["number"])
    err = promote(world)
    after = heads(world)
    assert after[BACKLOG] != before[BACKLOG], err
    assert {b: after[b] for b in (WEIGHTS, RANKER)} == {b: before[b] for b in (WEIGHTS, RANKER)}
    assert f"{WEIGHTS}:" not in err and f"{RANKER}:" not in err

    # new closes, where momentum predicts too: the weights proposal is rebuilt at once
    world.change_main(
        "cases/outcomes/closes.jsonl",
        lambda text: text + closes(24, 16, momentum=True),
        "export the week's closes",
    )
    err = promote(world)
    rebuilt = world.open_pulls()[WEIGHTS]
    assert rebuilt["number"] == weights_before["number"]
    assert rebuilt["head_sha"] != before[WEIGHTS], err
    assert f"#{rebuilt['number']} {WEIGHTS}: new evidence or base: branch rebuilt" in err
    assert _weights(world, WEIGHTS)["momentum"] > 0.25 == _weights(world, "main")["momentum"]
    (check,) = world.checks(rebuilt["head_sha"])
    assert check["success"], check["title"]
    assert heads(world)[RANKER] == before[RANKER] and heads(world)[BACKLOG] == after[BACKLOG]

    # new ranker metrics past the stage: the rollout step is re-planned on them
    world.change_main(
        "cases/outcomes/rollouts/ranker.jsonl",
        lambda text: text + metrics("2026-01-12T00:00:00Z", 60, quality=0.04, seed=7),
        "export ranker metrics",
    )
    err = promote(world)
    assert heads(world)[RANKER] != before[RANKER], err
    assert f"{RANKER}: new evidence or base: branch rebuilt" in err
    assert heads(world)[WEIGHTS] == rebuilt["head_sha"]

    # nothing left for the next run to rebuild, and the rebuilt step merges verified
    planned = world.run("--dry-run").out.splitlines()
    for branch in (WEIGHTS, RANKER, BACKLOG):
        assert any(line.startswith("keep") and branch in line for line in planned), planned
    world.merge(world.open_pulls()[RANKER]["number"])
    promote(world)
    entry: dict[str, Any] = world.ledger()[-1]
    assert (entry["type"], entry["learner"]) == ("promotion", "rollout")
    assert entry["verified"] is True, entry["reasons"]
