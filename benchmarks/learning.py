"""Learning: how close the loop gets to the best pass rate the gate lets it reach.

    python benchmarks/learning.py [--cases-per-family N] [--seed S]

Generated repository (seeded), four families with a known structure, each its own policy:
- alerts: a count threshold set too strict (fire cases short of it); protected quiet cases
  just below the true threshold stop it from going too far;
- noise: a count threshold set too loose (quiet cases firing); protected fire cases stop it
  from going too high: it has to move the other way;
- latency: an aggregate (max of a value) threshold too strict, with protected quiet cases;
- backlog: cases whose events arrived before a too-short window: only the window fixes them;
  protected quiet cases with a burst just past the true window stop it from growing too far.

The best reachable pass rate is found by brute force: every grid point of each family's
(threshold, window), keeping only those where no initially passing case fails (the gate never
lets a passing case fail, so no sequence of promotions can end anywhere else). Then rounds of
`run -> check -> merge -> promote` on the local forge until a run opens nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.cli import main
from bot.commands.evaluation import evaluate
from bot.config import resolve
from bot.core import backtest
from bot.model import format_time, parse_time
from bot.model.proposal import Change

NOW = "2026-03-01T00:00:00Z"
END = parse_time("2026-02-15T00:00:00Z")
HOUR, DAY = 3600, 86400
CONFIG = """pull_requests:
  max_open: 100
  max_new_per_run: 100
learners:
  weights: {enabled: false}
  karma: {enabled: false}
  skills: {enabled: false}
  forecasts: {enabled: false}
"""


def _event(age_hours: float, kind: str, **fields: Any) -> dict[str, Any]:
    return {"ts": format_time(END - round(age_hours * HOUR)), "kind": kind, **fields}


def _count(name: str, policy: str, kind: str) -> dict[str, Any]:
    return {"name": name, "kind": "count", "match": {"kind": kind}, "threshold": f"{policy}.limit"}


def _policy(name: str, limit: tuple[float, float, float, float], window: int) -> dict[str, Any]:
    value, lo, hi, step = limit
    return {
        "name": name,
        "version": 1,
        "kind": "thresholds",
        "parameters": {
            "limit": {"value": value, "min": lo, "max": hi, "step": step},
            "window_days": {"value": window, "min": 1, "max": 14, "step": 1},
        },
    }


class Family:
    """One policy and its cases: (case data, events) per case."""

    def __init__(self, name: str, policy: dict[str, Any]) -> None:
        self.name, self.policy = name, policy
        self.cases: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []

    def add(self, events: list[dict[str, Any]], trigger: dict[str, Any], **data: Any) -> None:
        case_id = f"{self.name}_{len(self.cases):03d}"
        window = {"end": format_time(END), "days": f"{self.name}.window_days"}
        self.cases.append(
            ({"id": case_id, "window": window, "triggers": [trigger], **data}, events)
        )


def families(per_family: int, rng: np.random.Generator) -> list[Family]:
    """The four families; about a quarter of each is protected."""
    alerts = Family("alerts", _policy("alerts", (12, 1, 30, 1), 3))
    noise = Family("noise", _policy("noise", (3, 1, 30, 1), 3))
    latency = Family("latency", _policy("latency", (800, 100, 2000, 50), 3))
    backlog = Family("backlog", _policy("backlog", (5, 1, 30, 1), 2))
    for i in range(per_family):
        guard = i % 4 == 0
        hits = int(rng.integers(2, 8)) if guard else int(rng.integers(8, 21))  # true limit 8
        alerts.add(
            [_event(h + 1, "page") for h in range(hits)],
            _count("pages", "alerts", "page"),
            expect="quiet" if guard else "fire",
            protected=guard,
        )
        hits = int(rng.integers(6, 16)) if guard else int(rng.integers(3, 6))  # true limit 6
        noise.add(
            [_event(h + 1, "ping") for h in range(hits)],
            _count("pings", "noise", "ping"),
            expect="fire" if guard else "quiet",
            protected=guard,
        )
        peak = int(rng.integers(6, 12)) * 50 if guard else int(rng.integers(12, 21)) * 50
        latency.add(
            [_event(h + 1, "probe", values={"latency_ms": peak - 50 * h}) for h in range(4)],
            {
                "name": "peak",
                "kind": "aggregate",
                "field": "latency_ms",
                "fn": "max",
                "threshold": "latency.limit",
            },
            expect="quiet" if guard else "fire",
            protected=guard,
        )
        backlog.add(*_backlog(guard, rng), protected=guard, expect="quiet" if guard else "fire")
    return [alerts, noise, latency, backlog]


def _backlog(guard: bool, rng: np.random.Generator) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Fire: 5 jobs spread over up to 5 days (true window 5); quiet: 2 recent + a burst at 6.5."""
    trigger = _count("jobs", "backlog", "job")
    if guard:
        burst = [_event(6.5 * 24 + h, "job") for h in range(4)]
        return [_event(10, "job"), _event(40, "job"), *burst], trigger
    oldest = float(rng.uniform(1.2, 4.9))
    ages = sorted({*(float(a) for a in rng.uniform(0.1, oldest, size=4)), oldest})
    return [_event(a * 24, "job") for a in ages], trigger


def write(root: Path, found: list[Family]) -> int:
    (root / "cases" / "data").mkdir(parents=True)
    (root / "policies").mkdir()
    (root / ".github").mkdir()
    (root / ".github" / "learnbot.yml").write_text(CONFIG)
    total = 0
    for family in found:
        (root / "policies" / f"{family.name}.yaml").write_text(json.dumps(family.policy))
        for case, events in family.cases:
            data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events)
            path = f"cases/data/{case['id']}.jsonl"
            (root / path).write_text(data)
            digest = hashlib.sha256(data.encode()).hexdigest()
            body = {**case, "snapshot": {"path": path, "sha256": digest}}
            (root / "cases" / f"{case['id']}.yaml").write_text(json.dumps(body))
            total += 1
    return total


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def learnbot(root: Path, *args: str, check: bool = True) -> tuple[int, str]:
    """One learnbot command in-process; its stdout (a failure other than a gate's is raised)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--repo", str(root)], environ={})
    if check and code != 0:
        raise SystemExit(f"learnbot {' '.join(args)} exited {code}:\n{err.getvalue()}")
    return code, out.getvalue()


def best_reachable(root: Path) -> tuple[int, int]:
    """(passing cases at the no-regression optimum, passing cases at the start), brute force."""
    evaluated = evaluate(resolve(repo=str(root), now=parse_time(NOW)))
    start = {r.case_id for r in evaluated.results if r.passed}
    best = 0
    for name, policy in sorted(evaluated.params.policies.items()):
        ids = [c for c, case in evaluated.cases.items() if name in case.policies()]
        cases = [evaluated.cases[c] for c in sorted(ids)]
        grids = [_grid(p) for _, p in sorted(policy.parameters.items())]
        found = 0
        for values in itertools.product(*grids):
            changes = [
                Change(name, f"parameters.{key}", None, v)
                for key, v in zip(sorted(policy.parameters), values, strict=True)
            ]
            results = backtest.run(cases, evaluated.params.apply(changes), evaluated.snapshots)
            passing = {r.case_id for r in results if r.passed}
            if start & set(ids) <= passing:
                found = max(found, len(passing))
        best += found
    return best, len(start)


def _grid(parameter: Any) -> list[float]:
    count = round((parameter.maximum - parameter.minimum) / parameter.step)
    return [parameter.minimum + k * parameter.step for k in range(count + 1)]


def pass_count(root: Path) -> int:
    git(root, "checkout", "--quiet", "main")
    git(root, "pull", "--quiet", "--ff-only", "origin", "main")
    evaluated = evaluate(resolve(repo=str(root), now=parse_time(NOW)))
    return sum(r.passed for r in evaluated.results)


def rounds(root: Path, limit: int) -> tuple[int, int]:
    """run -> check -> merge -> promote until a run opens nothing: (rounds, merged)."""
    merged = 0
    for number in range(1, limit + 1):
        learnbot(root, "run", "--forge", "local", "--now", NOW)
        records = json.loads((root / ".git" / "learnbot" / "forge.json").read_text())
        open_pulls = [p for p in records["pulls"].values() if p["state"] == "open"]
        if not open_pulls:
            return number, merged
        for pull in sorted(open_pulls, key=lambda p: p["number"]):
            code, _ = learnbot(root, "check", "--branch", pull["branch"], "--now", NOW, check=False)
            if code == 0:  # a pull request on the same policy file as one merged: next round
                number_ = str(pull["number"])
                code, _ = learnbot(root, "merge", number_, "--approved-by", "bench", check=False)
                merged += code == 0
        learnbot(root, "promote", "--forge", "local", "--now", NOW)
    return limit, merged


def measure(per_family: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root, origin = Path(tmp) / "repo", Path(tmp) / "origin.git"
        git(Path(tmp), "init", "--quiet", "--bare", "--initial-branch", "main", str(origin))
        root.mkdir()
        git(root, "init", "--quiet", "--initial-branch", "main")
        for key, value in (("user.name", "bench"), ("user.email", "bench@example.com")):
            git(root, "config", key, value)
        git(root, "remote", "add", "origin", str(origin))
        total = write(root, families(per_family, np.random.default_rng(seed)))
        git(root, "add", "-A")
        git(root, "commit", "--quiet", "-m", "generated families")
        git(root, "push", "--quiet", "origin", "main")
        git(root, "remote", "set-head", "origin", "main")
        best, start = best_reachable(root)
        began = time.perf_counter()
        done, merged = rounds(root, limit=50)
        seconds = time.perf_counter() - began
        reached = pass_count(root)
    return {
        "cases": total,
        "start": start,
        "best": best,
        "reached": reached,
        "rounds": done,
        "merged": merged,
        "seconds": seconds,
    }


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases-per-family", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    found = measure(args.cases_per_family, args.seed)
    print(
        f"{found['cases']} cases: passing {found['start']} at the start, best reachable "
        f"{found['best']}, reached {found['reached']}: {found['reached'] / found['best']:.2f} "
        f"of the no-regression optimum in {found['rounds']} rounds ({found['merged']} merged "
        f"pull requests), {found['seconds']:.1f} s"
    )


if __name__ == "__main__":
    sys.exit(run())
