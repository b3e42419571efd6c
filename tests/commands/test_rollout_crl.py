"""The rollout learner judged by the composite run loss of each exported line (004), end to
end on a service built here (both forges): a candidate whose loss is lower is promoted, one
whose lines lack a weighted term stays inconclusive and says which term."""

from __future__ import annotations

import json
import shutil

import numpy as np

from bot.model import format_time, parse_time
from tests.commands.test_rollouts_e2e import candidate, policy, step
from tests.commands.test_run_scenarios import plain
from tests.harness import World
from tests.repos import commit_all, git

START = "2026-01-10T00:00:00Z"
CONFIG = """learners:
  rollout:
    min_samples: 60
    metrics:
      crl: {max_regression: 0.1}   # lower is better: the composite run loss of each line
  forecasts: {enabled: false}
"""


def lines(n: int, *, grounding: float, seed: int, drop: str = "") -> str:
    """`n` lines per arm of IdeaMine's run terms; the candidate's grounding shifted."""
    rng = np.random.default_rng(seed)
    t0 = parse_time(START)
    found = []
    for i in range(n):
        for arm in ("control", "candidate"):
            terms = {
                "gate_pass_rate": 0.85 + rng.normal(0, 0.02),
                "contradiction_rate": 0.05 + rng.normal(0, 0.01),
                "grounding": 0.8 + rng.normal(0, 0.03) + (grounding if arm == "candidate" else 0),
                "cost_over_budget_pct": 0.01,
                "latency_p95_norm": 0.4 + rng.normal(0, 0.02),
                "security_criticals": 0,
                "api_breakages": 0,
                "db_migration_fail": 0,
                "rag_coverage": 0.9,
            }
            terms.pop(drop, None)
            line = {k: round(v, 4) for k, v in terms.items()}
            found.append({"ts": format_time(t0 + 300 * i + 60), "arm": arm, **line})
    return "".join(json.dumps(line) + "\n" for line in found)


def service(world: World) -> None:
    """A scratch service: a summarizer and a retriever under canary, judged by their loss."""
    repo = world.repo
    for folder in ("policies", "cases"):
        shutil.rmtree(repo / folder)
    (repo / "policies").mkdir()
    rollouts = repo / "cases/outcomes/rollouts"
    rollouts.mkdir(parents=True)
    (repo / "ledgers/learning.jsonl").unlink(missing_ok=True)
    (repo / ".github/learnbot.yml").write_text(CONFIG)
    for name, params, values in (
        ("summarizer", {"temperature": 0.7}, {"temperature": 0.3}),
        ("retriever", {"top_k": 8}, {"top_k": 12}),
    ):
        text = policy(name, params, candidate(values, "canary", 10, START))
        (repo / f"policies/{name}.yaml").write_text(text)
    (rollouts / "summarizer.jsonl").write_text(lines(150, grounding=0.08, seed=11))
    (rollouts / "retriever.jsonl").write_text(lines(150, grounding=0.08, seed=12, drop="grounding"))
    git(repo, "checkout", "--quiet", world.branch)
    commit_all(
        repo, "A scratch service judged by its composite run loss", date="2026-01-16T00:00:00Z"
    )
    git(repo, "push", "--quiet", "origin", world.branch)


def test_rollout_promotes_on_a_lower_composite_run_loss_and_names_a_missing_term(
    world: World,
) -> None:
    service(world)
    result = world.run()
    branch = "learnbot/rollout/summarizer"
    assert branch in world.open_pulls(), result.err
    body = plain(world.open_pulls()[branch]["body"])
    assert "significant improvement: crl" in body
    assert "| `summarizer.candidate.percent` | `10` | `50` |" in body
    # every retriever line lacks grounding: no loss is computed, nothing is promoted
    assert "learnbot/rollout/retriever" not in world.open_pulls()
    assert "rollout: retriever: inconclusive: crl: composite run loss needs the term(s) " in (
        result.err
    )
    assert "grounding (300 sample(s))" in result.err
    entry = step(world, branch)
    assert entry["values"]["summarizer.candidate.percent"] == {"from": 10, "to": 50}
