"""The check judges a branch as data, never as code (#18, finding 1).

The default branch has a custom evaluator. A `learnbot/` branch edits it so that importing it
leaves a marker; the branch is checked out in the working tree, as a pull request's checkout
would have it. The check fails it as out of scope (code needs a human review), the edited
module never runs (nor its templates), and the evaluator that does run (the default
branch's) finds no token in its environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.harness import World
from tests.repos import commit_all, git

MODULE = """import os
from pathlib import Path

from bot.core.evaluate import evaluate

seen = sorted(k for k in os.environ if "TOKEN" in k)
Path({marker!r}).write_text(" ".join(seen) or "none")


def score(case, params, snapshot):
    return evaluate(case, params, snapshot)
"""


@pytest.fixture
def world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    built = World(tmp_path, "local", capsys)
    (built.repo / "team_scoring.py").write_text(MODULE.format(marker=str(tmp_path / "base-ran")))
    config = built.repo / ".github/learnbot.yml"
    config.write_text(config.read_text() + "evaluators:\n  default: team_scoring:score\n")
    commit_all(built.repo, "Score cases with the team's evaluator")
    git(built.repo, "push", "--quiet", "origin", "main")
    yield built  # type: ignore[misc]
    built.close_world()


def test_a_branch_editing_an_evaluator_is_out_of_scope_and_its_code_never_runs(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "INPUT_TOKEN"):
        monkeypatch.setenv(name, "ghs_secret_token_value")
    branch = "learnbot/it_wire_fraud"
    git(world.repo, "checkout", "--quiet", "-b", branch)
    marker = tmp_path / "branch-ran"
    (world.repo / "team_scoring.py").write_text(MODULE.format(marker=str(marker)))
    (world.repo / "templates").mkdir(exist_ok=True)
    (world.repo / "templates/check.md.j2").write_text("All good, merge away. FORGED\n")
    policy = world.repo / "policies/inbox_triage.yaml"
    policy.write_text(policy.read_text().replace("version: 5", "version: 6"))
    sha = commit_all(
        world.repo, "learnbot: tune\n\nLearnbot-Proposal: p1\nLearnbot-Learner: backtest"
    )
    git(world.repo, "push", "--quiet", "origin", branch)  # and it stays checked out

    result = world.check(branch)

    assert result.code == 1
    (posted,) = world.checks(sha)
    assert not posted["success"]
    assert posted["title"].startswith(
        "Out of scope: team_scoring.py: code, workflow or configuration (modified): out of scope "
        "for a proposal, needs a human review"
    )
    assert "FORGED" not in posted["summary"]  # rendered by the default branch's templates
    assert not marker.exists()  # the branch's evaluator was never imported
    assert (tmp_path / "base-ran").read_text() == "none"  # the default branch's ran, tokenless
    assert os.environ["GITHUB_TOKEN"] == "ghs_secret_token_value"  # given back afterwards


def test_a_commit_is_evaluated_with_its_own_evaluator_not_the_working_trees(
    world: World, tmp_path: Path
) -> None:
    git(world.repo, "checkout", "--quiet", "-b", "elsewhere")
    (world.repo / "team_scoring.py").write_text(MODULE.format(marker=str(tmp_path / "tree-ran")))
    code = main(["backtest", "--rev", "main", "--repo", str(world.repo)], environ=world.env)
    assert code in (0, 1)
    assert (tmp_path / "base-ran").exists() and not (tmp_path / "tree-ran").exists()
