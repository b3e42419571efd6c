"""Both forges answer the Forge protocol's lookups: the pull request merged as a commit, and
the check results on a commit, so commands never ask which forge they hold."""

from __future__ import annotations

import json

from bot.edges.forge import Forge
from bot.edges.gitrepo import Clone
from bot.edges.local_forge import LocalForge
from tests.harness import NAME, OWNER, World
from tests.repos import git


def _forge(world: World) -> Forge:
    if world.fake is None:
        return LocalForge(Clone(world.repo))
    from bot.edges.github_forge import GitHubForge

    return GitHubForge(
        token="ghs_secret_token_value",
        repository=f"{OWNER}/{NAME}",
        api_url=world.fake.url,
        default_branch=None,
        paced=False,
    )


def test_forge_pull_for_commit_and_check_results(world: World) -> None:
    world.run()
    pull = next(iter(world.open_pulls().values()))
    forge = _forge(world)
    try:
        (result,) = forge.check_results(pull["head_sha"])
        assert result.name == "learnbot/stabilization" and result.success
        base = git(world.repo, "rev-parse", f"refs/remotes/origin/{world.branch}")
        assert forge.check_results(base) == ()
        merged = world.merge(pull["number"])
        found = forge.pull_for_commit(merged)
        assert found is not None and found.number == pull["number"]
        assert forge.pull_for_commit(pull["head_sha"]) is None
    finally:
        forge.close()


def test_forge_prs_show_the_gate_on_every_forge(world: World) -> None:
    world.run()
    listed = world.learnbot("prs", "--json")
    assert listed.code == 0, listed.err
    gates = {p["branch"]: p["gate"] for p in json.loads(listed.out)}
    assert gates and set(gates.values()) == {"passed"}


def test_forge_reads_the_pull_request_its_merge_commit_names(world: World) -> None:
    world.run()
    pull = next(iter(world.open_pulls().values()))
    forge = _forge(world)
    try:
        merged = world.merge(pull["number"])  # locally: the message the local forge writes
        git(world.repo, "fetch", "--quiet", "origin")
        subject = git(world.repo, "log", "-1", "--format=%s", merged)
        assert forge.merged_pull_number(subject) == pull["number"]
        assert forge.merged_pull_number("Tune the limits (#41)") == 41  # a squash merge
        assert forge.merged_pull_number("Tune the limits") is None
    finally:
        forge.close()
