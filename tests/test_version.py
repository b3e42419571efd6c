"""One version everywhere: package, `learnbot --version`, CHANGELOG, the tag init writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import ACTION_REPOSITORY, __version__
from bot.cli import main
from bot.commands import init
from tests.repos import ROOT


def test_version_agrees_everywhere(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"learnbot {__version__}"
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[0] == __version__
    assert main(["init", "--repo", str(tmp_path)]) == 0
    for name in init.WORKFLOWS:
        workflow = (tmp_path / ".github/workflows" / name).read_text()
        assert f"uses: {ACTION_REPOSITORY}@v{__version__}\n" in workflow
    hooks = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert f"rev: v{__version__}\n" in hooks
