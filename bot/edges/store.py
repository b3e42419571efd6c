"""Learned state from files: YAML + JSON Schema -> frozen values, with every problem reported."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from bot.config import CONFIG_PATH
from bot.core.params import Params, bound_problem, grid_problem
from bot.core.paths import path_problem, ref_prefix_problem
from bot.core.problems import root_causes
from bot.edges import schemas, yamldoc
from bot.edges.files import Files
from bot.model import Case, Config, Policy, Problem

POLICY_DIR = "policies"
CASE_DIR = "cases"
DATA_DIR = "cases/data"
WEIGHT_TOLERANCE = 1e-6
CONFIG_PATHS = ("/objective/runs",)  # beside the paths each learner's settings declare


@dataclass(frozen=True)
class State:
    """Everything learned, as loaded from one tree; files with problems are left out."""

    config: Config
    policies: Mapping[str, Policy]
    cases: Mapping[str, Case]
    documents: Mapping[str, yamldoc.Document] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def load(files: Files, *, check_snapshots: bool = True, config_path: str = CONFIG_PATH) -> State:
    """Load config, policies and cases from `files`; collect every problem instead of stopping."""
    reader = _Reader(files, config_path)
    config = reader.config()
    policies = reader.policies()
    cases = reader.cases(config, policies, check_snapshots=check_snapshots)
    problems = root_causes(reader.problems, reader.dependents)
    return State(config, policies, cases, reader.documents, problems)


def load_config(files: Files, config_path: str = CONFIG_PATH) -> Config:
    """The config alone (the defaults where it is absent or invalid; `validate` reports why)."""
    return _Reader(files, config_path).config()


def read_document(files: Files, path: str) -> yamldoc.Document | None:
    """Parse one YAML file; None when it does not exist."""
    data = files.read(path)
    if data is None:
        return None
    return yamldoc.parse_bytes(data, path=path)


class _Reader:
    """Parses and checks files one by one, keeping every problem it meets."""

    def __init__(self, files: Files, config_path: str = CONFIG_PATH) -> None:
        self.files = files
        self.config_path = config_path
        self.problems: list[Problem] = []
        self.documents: dict[str, yamldoc.Document] = {}
        self.digests: dict[str, str | None] = {}
        self.broken: dict[str, str] = {}  # policy name -> its file, when the file is invalid
        self.dependents: dict[str, list[str]] = {}  # that file -> cases left out because of it

    def digest(self, path: str) -> str | None:
        """A snapshot's sha256 (None when absent), read once however many cases pin it."""
        if path not in self.digests:
            data = self.files.read(path)
            self.digests[path] = None if data is None else hashlib.sha256(data).hexdigest()
        return self.digests[path]

    def parse(self, path: str, kind: str) -> yamldoc.Document | None:
        """The document when it exists and matches its schema, else None (problems noted)."""
        try:
            document = read_document(self.files, path)
        except yamldoc.YamlSyntaxError as exc:
            self.problems.append(Problem(path, exc.line, "", exc.reason))
            return None
        if document is None:
            return None
        found = schemas.check(document, kind)
        self.problems.extend(found)
        self.documents[path] = document
        return None if found else document

    def config(self) -> Config:
        document = self.parse(self.config_path, "config")
        found = _config_problems(document) if document else []
        self.problems.extend(found)
        return Config.from_dict(document.data if document and not found else None)

    def policies(self) -> dict[str, Policy]:
        policies = {}
        for path in self.files.listdir(POLICY_DIR, ".yaml"):
            document = self.parse(path, "policy")
            found = _policy_problems(document) if document else []
            self.problems.extend(found)
            if document and not found:
                policy = Policy.from_dict(path, document.data)
                policies[policy.name] = policy
            elif path in self.documents or self.files.read(path) is not None:
                self.broken[PurePosixPath(path).stem] = path
        return policies

    def cases(
        self, config: Config, policies: Mapping[str, Policy], *, check_snapshots: bool
    ) -> dict[str, Case]:
        cases = {}
        for path in self.files.listdir(CASE_DIR, ".yaml"):
            document = self.parse(path, "case")
            if document is None:
                continue
            digest = self.digest if check_snapshots else None
            found = _case_problems(document, config, self.config_path, policies, digest)
            blocked = self._blocked_by(document)
            self.problems.extend(p for p in found if not _follows_from(p, blocked))
            for path_ in {self.broken[name] for name in blocked}:
                self.dependents.setdefault(path_, []).append(PurePosixPath(path).stem)
            if not found:
                case = Case.from_dict(path, document.data)
                cases[case.id] = case
        return cases

    def _blocked_by(self, document: yamldoc.Document) -> set[str]:
        """The invalid policies this case references: errors about them follow from those."""
        return {
            ref.split(".", 1)[0]
            for _, ref in _refs(document.data)
            if ref.split(".", 1)[0] in self.broken
        }


def _follows_from(problem: Problem, blocked: set[str]) -> bool:
    """A reference problem that only says the policy it names is invalid (#16)."""
    return any(f"no valid policy {name!r}" in problem.message for name in blocked)


def _config_problems(document: yamldoc.Document) -> list[Problem]:
    """Configured paths stay inside the repository; the branch prefix makes valid refs."""
    found = []
    declared = [f"/learners/{s.key}/{p}" for s in schemas.learner_settings() for p in s.paths]
    for pointer in (*declared, *CONFIG_PATHS):
        value = _at(document.data, pointer)
        if isinstance(value, str) and (message := path_problem(value.rstrip("/"))):
            found.append(Problem(document.path, document.line_of(pointer), pointer, message))
    pointer = "/pull_requests/branch_prefix"
    prefix = _at(document.data, pointer)
    if isinstance(prefix, str) and (message := ref_prefix_problem(prefix)):
        found.append(Problem(document.path, document.line_of(pointer), pointer, message))
    return found


def _at(data: Any, pointer: str) -> Any:
    for key in pointer.strip("/").split("/"):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _policy_problems(document: yamldoc.Document) -> list[Problem]:
    data = document.data
    found = []

    def problem(pointer: str, message: str) -> None:
        found.append(Problem(document.path, document.line_of(pointer), pointer, message))

    if data["name"] != PurePosixPath(document.path).stem:
        problem(
            "/name",
            f"{data['name']!r} must equal the file name {PurePosixPath(document.path).stem!r}",
        )
    for name, entry in data.get("parameters", {}).items():
        found.extend(_parameter_problems(document, f"/parameters/{name}", entry))
    for name, value in data.get("defaults", {}).items():
        entry = data.get("parameters", {}).get(name)
        if entry is None:
            problem(f"/defaults/{name}", f"no parameter {name!r} in this policy")
        elif grid_problem(entry["min"], entry["max"], entry["step"]) or entry["min"] > entry["max"]:
            continue  # reported on the parameter
        elif message := bound_problem(value, entry["min"], entry["max"], entry["step"]):
            problem(f"/defaults/{name}", message)
    for name, entry in data.get("metrics", {}).items():
        tau = entry.get("config", {}).get("tau")
        if entry["kind"] == "time_decay" and tau not in data.get("parameters", {}):
            problem(
                f"/metrics/{name}/config",
                "time_decay needs config.tau naming a parameter of this policy",
            )
        elif entry["kind"] == "time_decay" and data["parameters"][tau]["min"] <= 0:
            problem(f"/parameters/{tau}/min", "tau (hours) is a divisor: its min must be above 0")
    found.extend(_candidate_problems(document))
    if data.get("kind") == "weights":
        total = sum(entry["value"] for entry in data.get("parameters", {}).values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            problem("/parameters", f"weights must sum to 1.0, they sum to {total:.6f}")
    return found


def _candidate_problems(document: yamldoc.Document) -> list[Problem]:
    """A candidate's values must be parameters of the policy, in bounds, and differ from it."""
    candidate = document.data.get("candidate")
    if candidate is None:
        return []
    found = []
    parameters = document.data.get("parameters", {})

    def problem(pointer: str, message: str) -> None:
        found.append(Problem(document.path, document.line_of(pointer), pointer, message))

    for name, value in candidate["values"].items():
        entry = parameters.get(name)
        if entry is None:
            problem(f"/candidate/values/{name}", f"no parameter {name!r} in this policy")
        elif message := bound_problem(value, entry["min"], entry["max"], entry["step"]):
            problem(f"/candidate/values/{name}", message)
    if all(parameters.get(n, {}).get("value") == v for n, v in candidate["values"].items()):
        problem("/candidate/values", "the candidate's values equal the active ones")
    percent = candidate.get("percent", 0)
    if candidate["stage"] == "shadow" and percent != 0:
        problem("/candidate/percent", f"a shadow takes no traffic (percent 0, not {percent})")
    if candidate["stage"] == "canary" and percent == 0:
        problem("/candidate/percent", "a canary takes a share of traffic (percent 1-99)")
    return found


def _parameter_problems(
    document: yamldoc.Document, pointer: str, entry: Mapping[str, Any]
) -> list[Problem]:
    """Bounds in order, a grid with a bounded number of steps, the value on it."""
    if entry["min"] > entry["max"]:
        where, message = "min", f"min {entry['min']} is above max {entry['max']}"
    elif message := grid_problem(entry["min"], entry["max"], entry["step"]):
        where = "step"
    else:
        where = "value"
        message = bound_problem(entry["value"], entry["min"], entry["max"], entry["step"])
    if not message:
        return []
    return [
        Problem(
            document.path, document.line_of(f"{pointer}/{where}"), f"{pointer}/{where}", message
        )
    ]


def _case_problems(
    document: yamldoc.Document,
    config: Config,
    config_path: str,
    policies: Mapping[str, Policy],
    digest: Callable[[str], str | None] | None,
) -> list[Problem]:
    data = document.data
    found = []

    def problem(pointer: str, message: str) -> None:
        found.append(Problem(document.path, document.line_of(pointer), pointer, message))

    stem = PurePosixPath(document.path).stem
    if data["id"] != stem:
        problem("/id", f"{data['id']!r} must equal the file name {stem!r}")
    for pointer, ref in _refs(data):
        message = _ref_problem(ref, policies)
        if message:
            problem(pointer, message)
    window = data["window"]["days"]
    if not _ref_problem(window, policies) and Params(policies).parameter(window).minimum <= 0:
        problem("/window/days", f"{window!r}: a window's length needs a min above 0")
    evaluator = data.get("evaluator")
    if evaluator and ":" not in evaluator and evaluator not in config.evaluators:
        problem("/evaluator", f"no evaluator named {evaluator!r} in {config_path} evaluators")
    if message := path_problem(data["snapshot"]["path"]):
        problem("/snapshot/path", message)
    elif digest is not None:
        path = data["snapshot"]["path"]
        message = _snapshot_problem(path, data["snapshot"]["sha256"], digest(path))
        if message:
            problem("/snapshot/sha256" if "sha256" in message else "/snapshot/path", message)
    return found


def _refs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    refs = [("/window/days", data["window"]["days"])]
    for role in ("triggers", "falsifiers"):
        for index, condition in enumerate(data.get(role, ())):
            refs.append((f"/{role}/{index}/threshold", condition["threshold"]))
            for domain, ref in condition.get("weights", {}).items():
                refs.append((f"/{role}/{index}/weights/{domain}", ref))
    return refs


def _ref_problem(ref: str, policies: Mapping[str, Policy]) -> str:
    """Why a `policy.parameter` reference does not resolve ('' when it does)."""
    policy_name, parameter = ref.split(".", 1)
    policy = policies.get(policy_name)
    if policy is None:
        return f"{ref!r}: no valid policy {policy_name!r} in {POLICY_DIR}/"
    if parameter not in policy.parameters:
        known = ", ".join(policy.parameters) or "none"
        return f"{ref!r}: policy {policy_name!r} has no parameter {parameter!r} (it has: {known})"
    return ""


def _snapshot_problem(path: str, pinned: str, actual: str | None) -> str:
    """Why a snapshot cannot be used: missing (no digest), or its sha256 does not match the pin."""
    if actual is None:
        return f"snapshot {path} does not exist"
    if actual != pinned:
        return (
            f"snapshot {path} has sha256 {actual}, the case pins {pinned} (snapshots are "
            "immutable: restore it, or `learnbot pin` to re-pin after reviewing the change)"
        )
    return ""
