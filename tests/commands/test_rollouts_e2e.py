"""Rollouts as pull requests, end to end on a repository built here (both forges): a better
candidate walks shadow -> 10 -> 50 -> active, a worse one is rolled back, a flat one waits."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.core import ledger
from bot.core.learners.rollout import candidate_digest
from bot.model import format_time, parse_time
from tests.commands.test_run_scenarios import plain
from tests.harness import World
from tests.repos import commit_all, git

RANKER, FILTER, ROUTER = (f"learnbot/rollout/{p}" for p in ("ranker", "spam_filter", "router"))
START = "2026-01-10T00:00:00Z"


def policy(name: str, parameters: dict[str, float], candidate: str) -> str:
    lines = [
        f"name: {name}",
        "version: 1",
        f"description: {name} of the scratch service.",
        "parameters:",
    ]
    for key, value in parameters.items():
        lines += [
            f"  {key}:",
            f"    value: {value}",
            "    min: 0",
            "    max: 1000",
            "    step: 0.01",
        ]
    return "\n".join(lines) + "\n" + candidate


def candidate(values: dict[str, float], stage: str, percent: int, since: str) -> str:
    shown = "".join(f"\n    {k}: {v}" for k, v in values.items())
    lines = f'  stage: {stage}\n  percent: {percent}\n  since: "{since}"\n'
    return f"candidate:\n  values:{shown}\n{lines}"


def metrics(
    start: str, n: int, *, quality: float = 0.0, latency: float = 1.0, seed: int = 0
) -> str:
    """`n` samples per arm, one every 5 minutes from `start`; the candidate's arm shifted."""
    rng = np.random.default_rng(seed)
    t0 = parse_time(start)
    lines = []
    for i in range(n):
        for arm in ("control", "candidate"):
            shifted = arm == "candidate"
            q = 0.8 + rng.normal(0, 0.04) + (quality if shifted else 0.0)
            ms = (150 + rng.gamma(4, 10)) * (latency if shifted else 1.0)
            line = {"arm": arm, "latency_ms": round(ms, 3), "quality": round(q, 4)}
            lines.append(json.dumps({"ts": format_time(t0 + 300 * i + 60), **line}))
    return "".join(line + "\n" for line in lines)


def scratch(world: World) -> None:
    """Replace the example state with a scratch service: three policies under rollout."""
    repo = world.repo
    for folder in ("policies", "cases"):
        shutil.rmtree(repo / folder)
    (repo / "policies").mkdir()
    rollouts = repo / "cases/outcomes/rollouts"
    rollouts.mkdir(parents=True)
    (repo / "ledgers/learning.jsonl").unlink(missing_ok=True)
    (repo / ".github/learnbot.yml").write_text(
        "learners:\n  rollout:\n    min_samples: 40\n  forecasts: {enabled: false}\n"
    )
    files = {
        "ranker": ({"depth": 4, "boost": 1.5}, {"boost": 2.25}, "shadow", 0),
        "spam_filter": ({"cutoff": 0.7}, {"cutoff": 0.55}, "canary", 10),
        "router": ({"timeout_ms": 250}, {"timeout_ms": 300}, "canary", 10),
    }
    for name, (params, values, stage, percent) in files.items():
        text = policy(name, params, candidate(values, stage, percent, START))
        (repo / f"policies/{name}.yaml").write_text(text)
    (rollouts / "ranker.jsonl").write_text(
        metrics("2026-01-10T00:00:00Z", 60, quality=0.04, seed=1)
    )
    (rollouts / "spam_filter.jsonl").write_text(
        metrics("2026-01-10T00:00:00Z", 60, quality=-0.06, seed=2)
    )
    (rollouts / "router.jsonl").write_text(metrics("2026-01-10T00:00:00Z", 300, seed=3))
    git(repo, "checkout", "--quiet", world.branch)
    commit_all(repo, "A scratch service under rollout", date="2026-01-16T00:00:00Z")
    git(repo, "push", "--quiet", "origin", world.branch)


def more_metrics(world: World, after: str, seed: int, *, quality: float = 0.04) -> None:
    world.change_main(
        "cases/outcomes/rollouts/ranker.jsonl",
        lambda text: text + metrics(after, 60, quality=quality, seed=seed),
        "export ranker metrics",
    )


def since_of(world: World, name: str) -> str:
    found = re.search(r'since: "([^"]+)"', world.file_on_main(f"policies/{name}.yaml"))
    assert found is not None
    return found.group(1)


def step(world: World, branch: str) -> dict[str, object]:
    """Run, check the rollout pull request, merge it, promote; return its ledger entry."""
    assert world.run().code in (0, 1)
    pull = world.open_pulls()[branch]
    assert world.check(branch).code == 0
    world.merge(pull["number"])
    assert world.learnbot("promote").code == 0
    entry = world.ledger()[-1]
    assert (entry["type"], entry["learner"], entry["pr"]) == (
        "promotion",
        "rollout",
        pull["number"],
    )
    return entry


def test_better_candidate_walks_every_stage_to_active(world: World) -> None:
    scratch(world)
    result = world.run()
    assert RANKER in world.open_pulls(), result.err
    body = plain(world.open_pulls()[RANKER]["body"])
    assert "Promote the candidate to canary at 10%: significant improvement: quality" in body
    assert "| `ranker.candidate.percent` | `0` | `10` |" in body
    assert "| `ranker.candidate.stage` | `shadow` | `canary` |" in body
    first = step(world, RANKER)
    assert first["values"] == {
        "ranker.candidate.percent": {"from": 0, "to": 10},
        "ranker.candidate.since": {"from": START, "to": "2026-01-10T04:56:00Z"},
        "ranker.candidate.stage": {"from": "shadow", "to": "canary"},
    }
    assert first["versions"] == {"ranker": {"from": 1, "to": 2}}
    more_metrics(world, since_of(world, "ranker"), seed=4)
    second = step(world, RANKER)
    assert second["values"]["ranker.candidate.percent"] == {"from": 10, "to": 50}
    more_metrics(world, since_of(world, "ranker"), seed=5)
    last = step(world, RANKER)
    digest = candidate_digest({"boost": 2.25})
    assert last["values"] == {
        "ranker.boost": {"from": 1.5, "to": 2.25},
        "ranker.candidate": {"from": digest, "to": None},
    }
    assert last["versions"] == {"ranker": {"from": 3, "to": 4}}
    text = world.file_on_main("policies/ranker.yaml")
    assert "candidate" not in text and "value: 2.25" in text and "version: 4" in text
    rollout_entries = [e for e in world.ledger() if e.get("learner") == "rollout"]
    assert [
        e["values"].get("ranker.candidate.percent", {}).get("to") for e in rollout_entries[:3]
    ] == [
        10,
        50,
        None,
    ]
    data = world.file_on_main("ledgers/learning.jsonl").encode() + b"\n"
    assert ledger.verify(data).ok


def test_worse_candidate_is_rolled_back_and_stays_known_bad(world: World) -> None:
    scratch(world)
    world.run()
    pull = world.open_pulls()[FILTER]
    body = plain(pull["body"])
    assert "Roll the candidate back (known-bad): regression beyond its limit: quality" in body
    assert "| quality | mean |" in body
    digest = candidate_digest({"cutoff": 0.55})
    assert f"| `spam_filter.candidate` | `{digest}` | removed |" in body
    entry = step(world, FILTER)
    assert entry["values"] == {"spam_filter.candidate": {"from": digest, "to": None}}
    assert "candidate" not in world.file_on_main("policies/spam_filter.yaml")
    # someone proposes the same candidate again: it is rolled back without waiting for data
    world.change_main(
        "policies/spam_filter.yaml",
        lambda t: (
            t.replace("version: 2", "version: 3")
            + candidate({"cutoff": 0.55}, "shadow", 0, "2026-01-19T00:00:00Z")
        ),
        "try the lower cutoff again",
    )
    world.run()
    again = plain(world.open_pulls()[FILTER]["body"])
    assert f"known-bad: rolled back in ledger entry {entry['seq']}" in again


def test_flat_candidate_is_inconclusive_and_shown_on_the_dashboard(world: World) -> None:
    scratch(world)
    result = world.run()
    assert ROUTER not in world.open_pulls()
    assert "rollout: router: inconclusive: no significant improvement" in result.err
    (board,) = world.dashboards()
    text = plain(board["body"])
    assert "### Rollouts" in text
    assert "| `router` | canary | 10% | 2026-01-10T00:00:00Z | 300 / 300 |" in text
    assert "**inconclusive**: no significant improvement" in text
    assert "**rollback**: regression beyond its limit" in text
    assert re.search(
        r"\| latency_ms [+-]\d+\.\d% \(p=0\.\d{4}\); quality -8\.3% \(p=0\.0000\) \|", text
    )
    assert 'title "router: quality, daily mean (first line control, second candidate)"' in text
    assert text.count("xychart-beta") >= 6


def test_a_tampered_rollout_step_fails_its_check(world: World) -> None:
    scratch(world)
    world.run()
    world.push_to_branch(
        RANKER, "policies/ranker.yaml", lambda t: t.replace("percent: 10", "percent: 50"), "faster"
    )
    assert world.check(RANKER).code == 1
    head = world.open_pulls()[RANKER]["head_sha"]
    summary = plain(world.checks(head)[0]["summary"])
    assert "matches_recomputation" in summary and "ranker.candidate.percent: 50 vs 10" in summary


def test_no_metrics_is_never_a_pass(world: World, tmp_path: Path) -> None:
    scratch(world)
    world.change_main("cases/outcomes/rollouts/ranker.jsonl", lambda t: "", "no metrics yet")
    result = world.run()
    assert RANKER not in world.open_pulls()
    assert f"rollout: ranker: inconclusive: no data since {START}" in result.err


def test_learn_rollout_dry_run_reads_the_working_tree(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    scratch(world)
    path = world.repo / "cases/outcomes/rollouts/router.jsonl"
    path.write_text(metrics("2026-01-10T00:00:00Z", 80, quality=0.05, seed=9))
    capsys.readouterr()
    argv = ["learn", "rollout", "--dry-run", "--repo", str(world.repo), "--now", START]
    assert main(argv, environ=world.env) == 0
    out = capsys.readouterr().out
    assert "learnbot(router): rollout stage for rollout/router" in out
    assert "### Rollouts" in out
    assert world.open_pulls() == {}
