"""A no-op `run` as failing cases grow: CPU against the previous algorithm, and the exponent.

    python benchmarks/run.py [--failing 250 500 1000] [--baseline REV] [--no-baseline]

Generated repository (seeded): N failing alert cases, each reading its own count threshold
(20 per policy, so every failure has its own fix and its own pull request), with a passing
and a quiet case beside each on the same threshold (one quiet case in 50 protected: every
candidate also replays every protected case, by design): 3N cases over one snapshot.
`learners.backtest.max_failures` is N, so every failure is analysed; `max_open` is 10.

The first `run --forge local` opens the pull requests (and fills the learning cache, in a
folder beside the repository); the second has nothing to change (the ten stay open, the
other failures are held back by `max_open`). Its CPU is measured in a fresh interpreter for
this checkout with the learning cache, for this checkout with `--no-cache`, and for the
baseline: the same command run by learnbot as it was at `--baseline` (default: the parent of
the commit that made `run` linear, extracted with `git archive`), on the same repository.
The exponent is the least-squares slope of log CPU over log N.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LINEAR_RUN = "^A linear run"  # the commit that made run linear (#17); its parent is the baseline
NOW = "2026-01-20T00:00:00Z"
END = 1_768_435_200  # 2026-01-15T00:00:00Z
PER_POLICY = 20
CONFIG = """learners:
  backtest: {max_failures: %d}
  weights: {enabled: false}
  karma: {enabled: false}
  skills: {enabled: false}
  forecasts: {enabled: false}
  rollout: {enabled: false}
pull_requests: {max_open: 10, max_new_per_run: 10}
"""
RUN = "import sys\nfrom bot.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _events(term: str, count: int) -> list[dict[str, Any]]:
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return [
        {
            "ts": time.strftime(stamp, time.gmtime(END - (k + 1) * 3600)),
            "kind": "alert",
            "term": term,
        }
        for k in range(count)
    ]


def _case(case_id: str, term: str, threshold: str, sha256: str, **extra: Any) -> dict[str, Any]:
    policy = threshold.split(".", maxsplit=1)[0]
    return {
        "id": case_id,
        "snapshot": {"path": "cases/data/alerts.jsonl", "sha256": sha256},
        "window": {"end": "2026-01-15T00:00:00Z", "days": f"{policy}.window_days"},
        "triggers": [
            {"kind": "count", "match": {"kind": "alert", "term": term}, "threshold": threshold}
        ],
        **extra,
    }


def generate(root: Path, failing: int) -> None:
    """The learned state: N failing, N passing and N quiet cases, one snapshot."""
    for folder in ("policies", "cases/data", "ledgers", ".github"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / ".github/learnbot.yml").write_text(CONFIG % failing)
    (root / "ledgers/learning.jsonl").write_text("")
    events = []
    for i in range(failing):
        events += _events(f"miss{i}", 3) + _events(f"hit{i}", 8) + _events(f"calm{i}", 2)
    events.sort(key=lambda e: (e["ts"], e["term"]))
    data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events).encode()
    (root / "cases/data/alerts.jsonl").write_bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    for p in range(math.ceil(failing / PER_POLICY)):
        parameters = {
            f"min_count_{k}": {"value": 5, "min": 1, "max": 50, "step": 1}
            for k in range(PER_POLICY)
        }
        parameters["window_days"] = {"value": 7, "min": 1, "max": 30, "step": 1}
        policy = {"name": f"alerts{p}", "version": 1, "parameters": parameters}
        (root / f"policies/alerts{p}.yaml").write_text(json.dumps(policy, indent=1) + "\n")
    for i in range(failing):
        threshold = f"alerts{i // PER_POLICY}.min_count_{i % PER_POLICY}"
        cases = (
            _case(f"miss{i:04d}", f"miss{i}", threshold, sha256),
            _case(f"hit{i:04d}", f"hit{i}", threshold, sha256),
            _case(
                f"calm{i:04d}", f"calm{i}", threshold, sha256, expect="quiet", protected=i % 50 == 0
            ),
        )
        for case in cases:
            (root / f"cases/{case['id']}.yaml").write_text(json.dumps(case) + "\n")


def repository(scratch: Path, failing: int) -> Path:
    """A clone with a bare origin holding the generated state in one commit."""
    origin, repo = scratch / "origin.git", scratch / "repo"
    git(scratch, "init", "--quiet", "--bare", "--initial-branch", "main", str(origin))
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "remote", "add", "origin", str(origin))
    generate(repo, failing)
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "-qm",
        "state",
    )
    git(repo, "push", "--quiet", "origin", "main")
    git(repo, "remote", "set-head", "origin", "main")
    return repo


def cpu_run(repo: Path, pythonpath: Path, *flags: str) -> float:
    """User + system CPU of `learnbot run --forge local` in a fresh interpreter.

    The disk cache lives beside the repository: every size starts cold."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {
        **os.environ,
        "PYTHONPATH": str(pythonpath),
        "PYTHONDONTWRITEBYTECODE": "1",
        "XDG_CACHE_HOME": str(repo.parent / "cache"),
    }
    command = ["run", "--forge", "local", "--repo", str(repo), "--now", NOW, *flags]
    done = subprocess.run(
        [sys.executable, "-c", RUN, *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def extract(rev: str, target: Path) -> Path:
    """learnbot's code at `rev`, as an importable directory."""
    archive = subprocess.run(
        ["git", "archive", rev, "bot"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    target.mkdir()
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    (target / "bot/templates").symlink_to(ROOT / "templates")
    return target


def baseline() -> str:
    """The parent of the commit that made `run` linear."""
    found = subprocess.run(
        ["git", "log", "--format=%H", "-1", "--grep", LINEAR_RUN],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not found:
        raise SystemExit("no commit matches the linear run's subject: pass --baseline REV")
    parent = subprocess.run(
        ["git", "rev-parse", f"{found}^"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return parent.stdout.strip()


def slope(sizes: list[int], costs: list[float]) -> float:
    xs, ys = [math.log(s) for s in sizes], [math.log(c) for c in costs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failing", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--baseline", default=None, metavar="REV")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        rev = args.baseline or baseline()
        base = None if args.no_baseline else extract(rev, Path(scratch) / "baseline")
        if base:
            print(f"baseline: learnbot at {rev[:12]}")
        print(
            f"{'failing':>8} {'cases':>6} {'no-op CPU s':>12} {'--no-cache s':>13} "
            f"{'baseline CPU s':>15} {'ratio':>7}"
        )
        costs, uncached = [], []
        for failing in args.failing:
            where = Path(scratch) / f"n{failing}"
            where.mkdir()
            repo = repository(where, failing)
            cpu_run(repo, ROOT)  # the first run opens the pull requests
            cost = cpu_run(repo, ROOT)
            costs.append(cost)
            uncached.append(cpu_run(repo, ROOT, "--no-cache"))
            old = cpu_run(repo, base) if base else float("nan")
            print(
                f"{failing:>8} {3 * failing:>6} {cost:>12.2f} {uncached[-1]:>13.2f} "
                f"{old:>15.2f} {cost / old:>7.3f}"
            )
        if len(costs) > 1:
            print(f"exponent of no-op CPU in failing cases: {slope(args.failing, costs):.2f}")
            print(f"the same with --no-cache: {slope(args.failing, uncached):.2f}")
        print("goal: ratio under 0.10 at 1,000 failing cases, exponent near 1")


if __name__ == "__main__":
    main()
