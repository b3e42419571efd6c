"""The learning cache (#17): a run reuses a failure's search and replay while nothing they read
changed, and gives the same pull requests, bodies and dashboard as a run that learns it all.

On a repository built here: 215 cases over five alert policies and a guard policy, seventy
failing cases each reading a threshold and a window of its own (with a passing and a quiet
case beside it), five protected cases on the guard policy.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.commands.experimentrates import REFUSED
from bot.edges.learning_cache import FOLDER, LearningCache
from bot.model import parse_time
from tests.repos import commit_all, git, make_repo
from tests.scratch import Scratch, at

NOW = "2026-02-01T00:00:00Z"
END = parse_time("2026-01-15T00:00:00Z")
HOUR = 3600
FAILING = 70
CONFIG = """learners:
  backtest: {max_failures: 100}
pull_requests: {max_open: 10, max_new_per_run: 10}
"""
REUSED = re.compile(r"learning cache: (\d+) failure\(s\) reused unchanged, (\d+) searched")


def _case(state: Scratch, case_id: str, policy: str, k: int, count: int, **extra: Any) -> None:
    common = {
        "window": {"end": "2026-01-15T00:00:00Z", "days": f"{policy}.w{k}"},
        "triggers": [{"kind": "count", "match": {"kind": "alert"}, "threshold": f"{policy}.t{k}"}],
        **extra,
    }
    state.case(case_id, [at(END - h * HOUR, "alert") for h in range(1, count + 1)], **common)


def _state() -> Scratch:
    state = Scratch(config=CONFIG)
    per_policy = FAILING // 5
    for p in range(5):
        knobs = {f"t{k}": (5, 1, 50, 1) for k in range(per_policy)}
        knobs |= {f"w{k}": (3, 1, 14, 1) for k in range(per_policy)}
        state.policy(f"alerts{p}", **knobs)
    state.policy("guard", t0=(5, 1, 50, 1), w0=(3, 1, 14, 1))
    for i in range(FAILING):
        policy, k = f"alerts{i % 5}", i // 5
        _case(state, f"miss_{i:03d}", policy, k, 3)
        _case(state, f"hit_{i:03d}", policy, k, 8)
        _case(state, f"calm_{i:03d}", policy, k, 2, expect="quiet")
    for g in range(5):
        _case(state, f"guard_{g}", "guard", 0, 1, expect="quiet", protected=True)
    return state


@pytest.fixture(scope="module")
def state() -> Scratch:
    return _state()


def _repository(path: Path, state: Scratch) -> Path:
    repo = make_repo(path, example=False)
    state.write(repo)
    commit_all(repo, "learned state written from scratch")
    git(repo, "push", "--quiet", "origin", "main")
    return repo


def _run(
    repo: Path, cache: Path, capsys: pytest.CaptureFixture[str], *extra: str, now: str = NOW
) -> str:
    capsys.readouterr()
    args = ["run", "--repo", str(repo), "--forge", "local", "--now", now, *extra]
    code = main(args, environ={"XDG_CACHE_HOME": str(cache)})
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def _plan(repo: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, int]:
    """(reused, searched) of a `loop --dry-run` on what origin holds."""
    capsys.readouterr()
    args = ["loop", "--dry-run", "--repo", str(repo), "--forge", "local", "--now", NOW]
    code = main(args, environ={"XDG_CACHE_HOME": str(cache)})
    err = capsys.readouterr().err
    assert code == 0, err
    return _counts(err)


def _counts(err: str) -> tuple[int, int]:
    found = REUSED.search(err)
    assert found, err
    return int(found.group(1)), int(found.group(2))


def _forge(repo: Path) -> dict[str, Any]:
    """Pull requests (with their branch heads) and dashboard bodies: what a run wrote."""
    records = json.loads((repo / ".git/learnbot/forge.json").read_text())
    pulls = []
    for pull in sorted(records["pulls"].values(), key=lambda p: p["branch"]):
        head = git(repo, "rev-parse", f"refs/remotes/origin/{pull['branch']}")
        pulls.append({**{k: pull[k] for k in ("branch", "title", "body", "state")}, "head": head})
    issues = [i["body"] for i in records["issues"].values()]
    return {"pulls": pulls, "issues": issues}


def _entries(cache: Path) -> dict[str, Path]:
    """Cache entries by the failing case they were learned for."""
    found = {}
    for path in sorted((cache / "learnbot" / FOLDER).glob("*.json")):
        content = json.loads(path.read_text())["content"]
        found[content["outcome"]["subject"]] = path
    return found


def _push(repo: Path, message: str) -> None:
    commit_all(repo, message)
    git(repo, "push", "--quiet", "origin", "main")


def test_learning_cache_warm_run_writes_what_a_cold_run_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: Scratch
) -> None:
    cache = tmp_path / "cache"
    cold = _repository(tmp_path / "cold", state)
    assert _counts(_run(cold, cache, capsys)) == (0, FAILING)
    expected = _forge(cold)
    assert len(expected["pulls"]) == 10 and expected["issues"]
    assert len(_entries(cache)) == FAILING

    warm = _repository(tmp_path / "warm", state)
    assert git(warm, "rev-parse", "HEAD") == git(cold, "rev-parse", "HEAD")
    assert _counts(_run(warm, cache, capsys)) == (FAILING, 0)
    assert _forge(warm) == expected

    again = _run(cold, cache, capsys)  # the scheduled run after: nothing to change
    assert _counts(again) == (FAILING, 0)
    assert _forge(cold) == expected

    later = "2026-02-08T00:00:00Z"  # a week on: the same findings, stamped a week later
    fresh = _repository(tmp_path / "fresh", state)
    _run(fresh, cache, capsys, "--no-cache", now=later)
    kept = _repository(tmp_path / "kept", state)
    assert _counts(_run(kept, cache, capsys, now=later)) == (FAILING, 0)
    assert _forge(kept) == _forge(fresh) != expected

    off = _repository(tmp_path / "off", state)
    before = sorted(p.name for p in (cache / "learnbot" / FOLDER).iterdir())
    assert "learning cache" not in _run(off, cache, capsys, "--no-cache")
    assert _forge(off) == expected
    assert sorted(p.name for p in (cache / "learnbot" / FOLDER).iterdir()) == before


def test_learning_cache_a_changed_input_invalidates_only_what_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: Scratch
) -> None:
    cache = tmp_path / "cache"
    repo = _repository(tmp_path / "r", state)
    assert _plan(repo, cache, capsys) == (0, FAILING)
    assert _plan(repo, cache, capsys) == (FAILING, 0)

    path = repo / "cases/hit_007.yaml"  # a case failure 7's candidates replay
    case = json.loads(path.read_text())
    path.write_text(json.dumps({**case, "description": "seven, reviewed"}) + "\n")
    _push(repo, "describe a passing case")
    assert _plan(repo, cache, capsys) == (FAILING - 1, 1)

    data = repo / "cases/data/calm_012.jsonl"  # a snapshot failure 12's candidates replay
    data.write_text(data.read_text() + json.dumps(at(END - 90 * HOUR, "alert")) + "\n")
    case = json.loads((repo / "cases/calm_012.yaml").read_text())
    case["snapshot"]["sha256"] = hashlib.sha256(data.read_bytes()).hexdigest()
    (repo / "cases/calm_012.yaml").write_text(json.dumps(case) + "\n")
    _push(repo, "one more event in a quiet case's snapshot")
    assert _plan(repo, cache, capsys) == (FAILING - 1, 1)

    path = repo / "policies/alerts3.yaml"  # read by the fourteen failures i % 5 == 3
    policy = json.loads(path.read_text())
    path.write_text(json.dumps({**policy, "description": "alerts, third team"}) + "\n")
    _push(repo, "describe a policy")
    assert _plan(repo, cache, capsys) == (FAILING - 14, 14)

    config = repo / ".github/learnbot.yml"
    config.write_text(CONFIG.replace("max_open: 10", "max_open: 12"))
    _push(repo, "a pull request limit: no failure reads it")
    assert _plan(repo, cache, capsys) == (FAILING, 0)

    shutil.copy(repo / "cases/calm_000.yaml", repo / "cases/calm_000b.yaml")
    text = (repo / "cases/calm_000b.yaml").read_text()
    (repo / "cases/calm_000b.yaml").write_text(text.replace('"calm_000"', '"calm_000b"'))
    _push(repo, "one more case: every report counts all cases")
    assert _plan(repo, cache, capsys) == (0, FAILING)

    config.write_text(config.read_text() + "gate: {max_time_increase: 0.5}\n")
    _push(repo, "a gate setting: every failure is judged by it")
    assert _plan(repo, cache, capsys) == (0, FAILING)


def test_learning_cache_ignores_corrupt_and_foreign_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: Scratch
) -> None:
    cache = tmp_path / "cache"
    cold = _repository(tmp_path / "cold", state)
    _run(cold, cache, capsys)
    expected = _forge(cold)
    entries = _entries(cache)
    entries["miss_000"].write_bytes(entries["miss_000"].read_bytes()[:100])  # cut short
    entries["miss_001"].write_bytes(b"\x00\xff not json")
    entries["miss_002"].write_bytes(entries["miss_003"].read_bytes())  # another key's file
    stored = json.loads(entries["miss_004"].read_text())  # altered, digest left as it was
    stored["content"]["outcome"]["proposal"] = None
    entries["miss_004"].write_text(json.dumps(stored))
    other = json.loads(entries["miss_006"].read_text())["content"]  # consistent, other subject
    LearningCache(cache / "learnbot").write(entries["miss_005"].stem, other)
    # consistent, but not an outcome
    LearningCache(cache / "learnbot").write(entries["miss_007"].stem, {"outcome": [1, 2]})

    warm = _repository(tmp_path / "warm", state)
    assert _counts(_run(warm, cache, capsys)) == (FAILING - 6, 6)
    assert _forge(warm) == expected
    repaired = _repository(tmp_path / "repaired", state)
    assert _counts(_run(repaired, cache, capsys)) == (FAILING, 0)


def test_learning_cache_keeps_the_candidates_the_gate_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example's lookalike-domain failure has candidates the gate refuses: the dashboard
    records them as experiments, from the cache as from a search."""
    cache = tmp_path / "cache"
    cold = make_repo(tmp_path / "cold")
    _, searched = _counts(_run(cold, cache, capsys))
    expected = _forge(cold)
    kept = [m.group(1) for body in expected["issues"] if (m := REFUSED.search(body))]
    assert kept and "it_lookalike_domain" in kept[0]
    warm = make_repo(tmp_path / "warm")
    assert _counts(_run(warm, cache, capsys)) == (searched, 0)
    assert _forge(warm) == expected
