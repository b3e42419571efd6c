"""A small learning repository built from scratch: two policies, three cases, one snapshot.

Small enough that a promote takes a fraction of a second, so property tests can drive
hundreds of sequences through the local forge.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.repos import commit_all, git

POLICIES = {
    "alpha": {"min_count": 3, "window_days": 5},
    "beta": {"min_count": 2},
}
KEYS = tuple(f"{p}.{k}" for p, params in POLICIES.items() for k in params)
LOW, HIGH = 1, 9  # every parameter's bounds (step 1)


def _events() -> str:
    lines = []
    for day in range(1, 10):
        for term in ("rise", "fall") if day % 2 else ("rise",):
            event = {"ts": f"2026-01-{day:02d}T12:00:00Z", "kind": "mention", "term": term}
            lines.append(json.dumps(event))
    return "\n".join(lines) + "\n"


def _policy(name: str, version: int = 1) -> str:
    params = "".join(
        f"  {key}:\n    value: {value}\n    min: {LOW}\n    max: {HIGH}\n    step: 1\n"
        for key, value in POLICIES[name].items()
    )
    return f"name: {name}\nversion: {version}\nkind: thresholds\nparameters:\n{params}"


def _case(case_id: str, term: str, threshold: str, days: str, digest: str) -> str:
    return (
        f"id: {case_id}\n"
        f"snapshot: {{path: cases/data/mentions.jsonl, sha256: {digest}}}\n"
        f'window: {{end: "2026-01-10T00:00:00Z", days: {days}}}\n'
        "expect: fire\nmin_signals: 1\nsignals: {kind: mention}\n"
        f"triggers:\n  - {{name: mentions, kind: count, match: {{kind: mention, term: {term}}}, "
        f"threshold: {threshold}}}\n"
    )


def build(path: Path) -> Path:
    """Write the state into an empty clone at `path`, commit and push it."""
    events = _events()
    digest = hashlib.sha256(events.encode()).hexdigest()
    files = {
        "cases/data/mentions.jsonl": events,
        "policies/alpha.yaml": _policy("alpha"),
        "policies/beta.yaml": _policy("beta"),
        "cases/rising.yaml": _case(
            "rising", "rise", "alpha.min_count", "alpha.window_days", digest
        ),
        "cases/falling.yaml": _case(
            "falling", "fall", "beta.min_count", "alpha.window_days", digest
        ),
        "cases/steady.yaml": _case("steady", "rise", "beta.min_count", "alpha.window_days", digest),
        ".github/learnbot.yml": "sandbox: {stabilization_runs: 1}\n",
    }
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    commit_all(path, "A small learned state")
    git(path, "push", "--quiet", "origin", "HEAD")
    return path
