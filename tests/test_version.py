"""One version everywhere: package, `learnbot --version`, CHANGELOG, the tags workflows use."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from bot import __version__
from bot.cli import main
from bot.commands import init
from bot.edges import release
from tests.repos import ROOT

REUSABLE = sorted((ROOT / ".github/workflows").glob("reusable-*.yml"))


def uses(path: Path) -> list[str]:
    """Every `uses:` of a workflow's jobs or an action's steps."""
    data = yaml.safe_load(path.read_text())
    steps = (
        data["runs"]["steps"]
        if "runs" in data
        else [step for job in data["jobs"].values() for step in job.get("steps", [])]
    )
    return [step["uses"] for step in steps if "uses" in step]


def test_version_agrees_everywhere(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"learnbot {__version__}"
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[0] == __version__
    assert release.action_tag() == f"v{__version__}"
    action = f"{release.action_repository()}@{release.action_tag()}"
    assert main(["init", "--repo", str(tmp_path)]) == 0
    for name in init.WORKFLOWS:
        workflow = (tmp_path / ".github/workflows" / name).read_text()
        assert f"uses: {action}\n" in workflow
    hooks = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert f"rev: v{__version__}\n" in hooks
    assert len(REUSABLE) == 4
    for path in REUSABLE:
        assert action in uses(path), f"{path.name} does not use the action at this version's tag"


def test_where_learnbot_is_published_comes_from_the_project_url() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    source = project["urls"]["Source"]
    assert source == f"https://github.com/{release.action_repository()}"


@pytest.mark.parametrize("path", [ROOT / "action.yml", *REUSABLE], ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit(path: Path) -> None:
    own = release.action_repository()
    for ref in uses(path):
        name, _, version = ref.partition("@")
        if name == own:
            continue
        assert re.fullmatch(r"[0-9a-f]{40}", version), f"{path.name}: {ref} is not pinned by commit"
