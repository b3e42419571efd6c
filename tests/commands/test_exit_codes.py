"""Exit codes as the README documents them: 1 problems found, 2 bad input, 3 a bug."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import forges
from tests.repos import make_repo


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unknown_revision_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main(["backtest", "--repo", str(root), "--rev", "no-such-rev"]) == 2
    assert "no-such-rev: not a revision" in capsys.readouterr().err


@pytest.mark.parametrize("command", (["merge", "99"], ["close", "99"], ["check", "--pr", "99"]))
def test_a_pull_request_that_does_not_exist_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main([*command, "--repo", str(root), "--forge", "local"], environ={}) == 2
    assert "#99 does not exist" in capsys.readouterr().err


def test_verbose_adds_the_traceback_and_keeps_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main(["loop", "--repo", str(root), "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "learnbot: error: loop only plans: pass --dry-run" in err


def test_an_unreachable_api_is_a_forge_error_not_a_bug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    environ = {
        "GITHUB_TOKEN": "ghs_secret_token_value",
        "GITHUB_REPOSITORY": "octo-org/learning",
        "LEARNBOT_API_PACING": "off",
    }
    api = f"http://127.0.0.1:{_closed_port()}"
    code = main(["prs", "--repo", str(root), "--forge", "github", "--api-url", api], environ)
    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot reach {api}" in err
    assert "Traceback" not in err and "this is a bug" not in err
    assert "ghs_secret_token_value" not in err


def test_verifying_a_ledger_that_does_not_exist_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main(["ledger", "verify", "--repo", str(root), "ledgers/missing.jsonl"]) == 2
    assert "ledgers/missing.jsonl: no such ledger file" in capsys.readouterr().err


def test_a_forge_the_registry_does_not_know_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main(["validate", "--repo", str(root)], environ={"LEARNBOT_FORGE": "gitlab"}) == 2
    assert "--forge 'gitlab': choose one of local, github" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["run", "--repo", str(root), "--forge", "gitlab"])
    assert done.value.code == 2
    assert "choose from 'local', 'github'" in capsys.readouterr().err


def test_a_forge_is_known_by_its_registry_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(forges.FORGES, "gitlab", forges.FORGES["local"])
    root = make_repo(tmp_path / "r")
    assert main(["validate", "--repo", str(root)], environ={"LEARNBOT_FORGE": "gitlab"}) == 0
