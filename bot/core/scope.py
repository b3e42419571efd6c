"""What a proposal branch really changes, re-derived from its diff (the branch is not trusted).

A proposal may change parameter values, switch registrations, set `as_of`, step a rollout
candidate's stage, percent and since or remove the candidate, bump `version` by one, and move
skill files under the skills folder. Anything else is out of scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.learners.rollout import candidate_digest
from bot.core.params import bound_problem
from bot.model import Policy
from bot.model.proposal import Change

LEDGER_DIR = "ledgers/"
POLICY_DIR = "policies/"


@dataclass(frozen=True)
class Derived:
    """The changes a diff makes, and every reason it is out of scope."""

    changes: tuple[Change, ...]
    moves: tuple[tuple[str, str], ...]
    versions: Mapping[str, tuple[int, int]]
    problems: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(sorted({c.key for c in self.changes} | {a for a, _ in self.moves}))


def classify(
    changed: Sequence[tuple[str, str, str]],
    *,
    skills_dir: str,
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Split `git diff --name-status` rows into policy files, skill moves and problems."""
    policies, moves, problems = [], [], []
    skills = skills_dir.rstrip("/") + "/"
    for status, old, new in changed:
        for path in {old, new}:
            if path.startswith(LEDGER_DIR):
                problems.append(
                    f"{path}: touches the ledger, which only the bot writes on the default branch"
                )
        if status == "R" and old.startswith(skills) and new.startswith(skills):
            moves.append((old, new))
        elif status == "M" and is_policy_file(new):
            policies.append(new)
        elif not any(p.startswith(LEDGER_DIR) for p in (old, new)):
            problems.append(_outside(new, status))
    return policies, moves, problems


# Code, workflows and configuration decide how a proposal is judged: a branch that changes
# them is never a proposal, and its code never runs in the check (#18).
_CODE_SUFFIXES = (".py", ".pyi", ".pth", ".j2", ".sh", ".cfg", ".toml", ".ini")
_CODE_PLACES = (".github/", "bot/", "templates/", "action.yml", "action.yaml")


def _outside(path: str, status: str) -> str:
    if path.endswith(_CODE_SUFFIXES) or path.startswith(_CODE_PLACES):
        return (
            f"{path}: code, workflow or configuration ({_status(status)}): out of scope for a "
            "proposal, needs a human review"
        )
    return f"{path}: outside what a proposal may change ({_status(status)})"


def is_policy_file(path: str) -> bool:
    """A policy YAML directly under policies/ (not a skill file in a subfolder)."""
    return (
        path.startswith(POLICY_DIR)
        and path.endswith(".yaml")
        and "/" not in path[len(POLICY_DIR) :]
    )


def policy_path(name: str) -> str:
    """The file a policy lives in."""
    return f"{POLICY_DIR}{name}.yaml"


def policy_name(path: str) -> str:
    """The name of the policy a policy file holds."""
    return path.removeprefix(POLICY_DIR).removesuffix(".yaml")


def _status(code: str) -> str:
    return {"A": "added", "D": "deleted", "R": "renamed", "M": "modified", "C": "copied"}.get(
        code, code
    )


def derive(
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    moves: Sequence[tuple[str, str]],
    problems: Sequence[str],
) -> Derived:
    """The changes between two versions of each policy (name -> parsed YAML)."""
    changes: list[Change] = []
    versions: dict[str, tuple[int, int]] = {}
    found = list(problems)
    for name in sorted(after):
        old, new = before[name], after[name]
        for path, a, b in _differences(old, new, ()):
            if path == ("version",):
                continue
            change = _as_change(name, path, a, b)
            if change is None:
                where = "/".join(path)
                found.append(
                    f"policies/{name}.yaml: changes /{where}, which a proposal may not change"
                )
            else:
                changes.append(change)
        found.extend(_version_problems(name, old, new, changes, versions))
    return Derived(tuple(changes), tuple(moves), versions, tuple(found))


def _version_problems(
    name: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    changes: Sequence[Change],
    versions: dict[str, tuple[int, int]],
) -> list[str]:
    before, after = old.get("version"), new.get("version")
    if before == after:
        if any(c.policy == name for c in changes):
            return [f"policies/{name}.yaml: changes values without bumping version"]
        return []
    if not all(_is_version(v) for v in (before, after)):  # a file that is not a valid policy
        return [f"policies/{name}.yaml: version {before!r} -> {after!r} is not a whole number"]
    versions[name] = (int(before or 0), int(after or 0))
    if after != int(before or 0) + 1:
        return [f"policies/{name}.yaml: version {before} -> {after}; a proposal bumps it by one"]
    return []


def _is_version(value: object) -> bool:
    return value is None or (type(value) is int and 0 <= value < 2**63)


def _differences(a: Any, b: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b), key=str):
            found.extend(_differences(a.get(key), b.get(key), (*path, str(key))))
        return found
    return [] if a == b and type(a) is type(b) else [(path, a, b)]


def _as_change(policy: str, path: tuple[str, ...], old: Any, new: Any) -> Change | None:
    if path == ("as_of",) and isinstance(new, str):
        return Change(policy, "as_of", old, new)
    if path[:1] == ("candidate",):
        return _candidate_change(policy, path, old, new)
    if (
        len(path) == 3
        and path[0] == "parameters"
        and path[2] == "value"
        and _number(old)
        and _number(new)
    ):
        return Change(policy, f"parameters.{path[1]}", old, new)
    if (
        len(path) == 3
        and path[0] in ("operators", "metrics")
        and path[2] == "active"
        and isinstance(new, bool)
    ):
        return Change(policy, f"{path[0]}.{path[1]}", old, new)
    return None


def _candidate_change(policy: str, path: tuple[str, ...], old: Any, new: Any) -> Change | None:
    """A rollout step edits the candidate's stage, percent or since, or removes the candidate."""
    if path == ("candidate",) and isinstance(old, dict) and new is None:
        return Change(policy, "candidate", candidate_digest(old.get("values") or {}), None)
    kinds: dict[str, type[str] | type[int]] = {"stage": str, "percent": int, "since": str}
    if len(path) == 2 and type(old) is type(new) is kinds.get(path[1]):  # bool is not int here
        return Change(policy, f"candidate.{path[1]}", old, new)
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bound_problems(derived: Derived, policies: Mapping[str, Policy]) -> tuple[str, ...]:
    """Parameter changes that leave the bounds or the step grid of the base policy."""
    found = []
    for change in derived.changes:
        kind, _, name = change.target.partition(".")
        if kind != "parameters":
            continue
        parameter = policies[change.policy].parameters.get(name)
        if parameter is None:
            found.append(f"{change.key}: no such parameter on the base branch")
            continue
        value = change.new
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            found.append(f"{change.key}: {value!r} is not a number")
            continue
        message = bound_problem(float(value), parameter.minimum, parameter.maximum, parameter.step)
        if message:
            found.append(f"{change.key}: {message}")
    return tuple(found)


def weight_problems(after: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Weights policies must still sum to 1 after the change."""
    found = []
    for name, policy in sorted(after.items()):
        if policy.get("kind") != "weights":
            continue
        total = sum(float(p.get("value", 0)) for p in policy.get("parameters", {}).values())
        if abs(total - 1.0) > 1e-6:
            found.append(f"policies/{name}.yaml: weights sum to {total:.6f}, not 1")
    return found


def undeclared(derived: Derived, declared: Sequence[str]) -> tuple[str, ...]:
    """Keys the diff changes that the proposal did not declare."""
    return tuple(key for key in derived.keys if key not in set(declared))
