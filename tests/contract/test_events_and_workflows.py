"""Our event fixtures and workflow files against GitHub's real artifacts (../shared/github)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.commands import init
from tests.github_spec import find_shared_github
from tests.repos import ROOT

SHARED = find_shared_github()
pytestmark = pytest.mark.skipif(
    SHARED is None,
    reason="../shared/github not found: contract tests need GitHub's payloads and schemas "
    "(set LEARNBOT_SHARED_GITHUB)",
)
FIXTURES = ROOT / "tests" / "fixtures" / "events"
WORKFLOWS_INIT_WRITES = init.WORKFLOWS


def paths(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        found = set()
        for key, item in value.items():
            found.add(f"{prefix}/{key}")
            found |= paths(item, f"{prefix}/{key}")
        return found
    if isinstance(value, list):
        return set().union(*(paths(item, f"{prefix}/*") for item in value)) if value else set()
    return set()


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_event_fixture_uses_only_fields_of_the_real_payload(fixture: Path) -> None:
    assert SHARED is not None
    real = json.loads((SHARED / "events" / fixture.name).read_text())
    ours = json.loads(fixture.read_text())
    extra = paths(ours) - paths(real)
    assert not extra, f"{fixture.name} has fields GitHub's payload lacks: {sorted(extra)}"


def load_yaml(path: Path) -> Any:
    data = yaml.safe_load(path.read_text())
    if isinstance(data, dict) and True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


@pytest.mark.parametrize(
    "workflow", sorted((ROOT / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name
)
def test_workflow_matches_the_workflow_schema(workflow: Path) -> None:
    assert SHARED is not None
    schema = json.loads((SHARED / "schemas" / "github-workflow.json").read_text())
    jsonschema.Draft7Validator(schema).validate(load_yaml(workflow))


def test_action_matches_the_action_schema() -> None:
    assert SHARED is not None
    schema = json.loads((SHARED / "schemas" / "github-action.json").read_text())
    jsonschema.Draft7Validator(schema).validate(load_yaml(ROOT / "action.yml"))


@pytest.mark.parametrize("name", WORKFLOWS_INIT_WRITES)
def test_workflow_init_writes_matches_the_workflow_schema(name: str) -> None:
    assert SHARED is not None
    schema = json.loads((SHARED / "schemas" / "github-workflow.json").read_text())
    files = init.starter_files(
        None, action="acme/learnbot@v1.2.3", prefix="learnbot/", config_path=".github/learnbot.yml"
    )
    data = yaml.safe_load(files[f".github/workflows/{name}"])
    data["on"] = data.pop(True)
    jsonschema.Draft7Validator(schema).validate(data)
