"""A fetch with a token asks git's credential helper, which reads it from the fetch's own
environment: nothing is written to .git/config (the check's checkout keeps no credentials, #18)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bot.edges.gitrepo import TOKEN_HELPER, TOKEN_VARIABLE, Clone
from tests.repos import git, make_repo


def test_the_helper_answers_with_the_token_from_its_environment(tmp_path: Path) -> None:
    done = subprocess.run(
        ["git", "-c", f"credential.helper={TOKEN_HELPER}", "credential", "fill"],
        input="protocol=https\nhost=github.com\n\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, TOKEN_VARIABLE: "ghs_secret_token_value", "GIT_TERMINAL_PROMPT": "0"},
    )
    assert "username=x-access-token" in done.stdout
    assert "password=ghs_secret_token_value" in done.stdout


def test_a_fetch_with_a_token_leaves_no_credential_in_the_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "work", example=False)
    git(repo, "checkout", "--quiet", "-b", "topic")
    git(repo, "push", "--quiet", "origin", "topic")
    git(repo, "update-ref", "-d", "refs/remotes/origin/topic")
    Clone(repo).fetch(token="ghs_secret_token_value")
    assert Clone(repo).remote_sha("topic") is not None
    assert "ghs_secret" not in (repo / ".git/config").read_text()
    assert TOKEN_VARIABLE not in os.environ
