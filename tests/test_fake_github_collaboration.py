"""The fake GitHub's review requests, roles, reactions to comments, label removal, pull request
commits, update-branch, branch protection and tags, driven by real PyGithub."""

from __future__ import annotations

import json

import github
import pytest
from github.Repository import Repository

from tests import test_fake_github as base
from tests.fake_github import FakeGitHub
from tests.test_fake_github import BRANCH, FULL_NAME, OWNER, Checkout

# The fixtures of tests/test_fake_github.py (a bare repository served by the fake), reused.
git_env = base.git_env
checkout_template = base.checkout_template
checkout = base.checkout
fake = base.fake
memory_fake = base.memory_fake
repo = base.repo
lazy_repo = base.lazy_repo


def _open_pull(repo: Repository) -> int:
    return repo.create_pull(base="main", head=BRANCH, title="Tune threshold", body="b").number


def _status(error: pytest.ExceptionInfo[github.GithubException]) -> tuple[int, str]:
    return error.value.status, json.loads(json.dumps(error.value.data))["message"]


# -- roles and review requests -----------------------------------------------------------------


def test_permission_levels_follow_roles(fake: FakeGitHub, repo: Repository) -> None:
    fake.set_permission("tria", "triage")
    fake.set_permission("mara", "maintain")
    fake.set_permission("nobody", "none")
    expected = {
        OWNER: ("admin", "admin"),
        fake.login: ("write", "write"),
        "stranger": ("read", "read"),  # the repository is public
        "tria": ("read", "triage"),
        "mara": ("write", "maintain"),
        "nobody": ("none", "none"),
    }
    for login, (permission, role) in expected.items():
        assert repo.get_collaborator_permission(login) == permission, login
        assert repo.get_collaborator_role_name(login) == role, login
    with pytest.raises(ValueError, match="unknown role"):
        fake.set_permission("x", "owner")


def test_review_requests_go_to_collaborators_only(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    fake.set_permission("alice", "write")
    fake.set_permission("eve", "none")
    pr.create_review_request(reviewers=["alice", OWNER])
    pr.create_review_request(reviewers="alice")  # asking again adds nobody
    assert [u.login for u in repo.get_pull(number).requested_reviewers] == ["alice", OWNER]
    for login, message in (
        ("mallory", "not a collaborator"),
        ("eve", "not a collaborator"),
        (fake.login, "pull request author"),
    ):
        with pytest.raises(github.GithubException) as raised:
            pr.create_review_request(reviewers=[login])
        assert _status(raised)[0] == 422 and message in _status(raised)[1]
    assert fake.requested_reviewers(number) == ["alice", OWNER]
    fake.add_review(number, "alice")
    assert fake.requested_reviewers(number) == [OWNER]


def test_team_review_requests_are_flagged(fake: FakeGitHub, repo: Repository) -> None:
    repo.get_pull(_open_pull(repo)).create_review_request(team_reviewers=["reviewers"])
    assert fake.errors == ["FakeGitHub does not model team review requests"]
    fake.errors.clear()


# -- reactions to comments, label removal --------------------------------------------------------


def test_reactions_to_a_comment(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    issue = repo.get_issue(number)
    comment = issue.create_comment("/learnbot retry")
    first = comment.create_reaction("+1")
    assert fake.requests[-1].status == 201
    again = comment.create_reaction("+1")  # the same reaction by the same user: 200, not a copy
    assert fake.requests[-1].status == 200 and again.id == first.id
    comment.create_reaction("eyes")
    assert [(r["user"]["login"], r["content"]) for r in fake.comment_reactions(comment.id)] == [
        (fake.login, "+1"),
        (fake.login, "eyes"),
    ]
    listed = next(iter(issue.get_comments()))
    assert (listed.reactions["total_count"], listed.reactions["+1"]) == (2, 1)
    assert (
        list(issue.get_reactions()) == [] and repo.get_issue(number).reactions["total_count"] == 0
    )
    url = f"{fake.url}/repos/{FULL_NAME}/issues/comments/999999/reactions"
    with pytest.raises(github.UnknownObjectException):
        fake.client().requester.requestJsonAndCheck("POST", url, input={"content": "+1"})


def test_remove_label(fake: FakeGitHub, repo: Repository) -> None:
    issue = repo.create_issue("Backtest failed", labels=["learnbot", "needs-review", "stale"])
    issue.remove_from_labels("Needs-Review")  # names match case-insensitively
    assert [label.name for label in repo.get_issue(1).labels] == ["learnbot", "stale"]
    assert fake.requests[-2].body is None and fake.requests[-2].status == 200
    with pytest.raises(github.GithubException) as raised:
        issue.remove_from_labels("needs-review")  # no longer on the issue
    assert _status(raised) == (404, "Label does not exist")
    assert "needs-review" in {label.name for label in repo.get_labels()}  # still in the repo


# -- commits of a pull request, update-branch --------------------------------------------------


def test_pull_request_commits_oldest_first(fake: FakeGitHub, checkout: Checkout) -> None:
    checkout.git("checkout", "--quiet", BRANCH)
    for index in range(3):
        checkout.commit({f"cases/more-{index}.yaml": f"n: {index}\n"}, f"case {index}")
    checkout.push(BRANCH)
    repo = fake.client(per_page=2).get_repo(FULL_NAME)
    pr = repo.get_pull(_open_pull(repo))
    expected = checkout.bare_git("rev-list", "--reverse", f"main..{BRANCH}").split()
    assert len(expected) == 4
    assert [c.sha for c in pr.get_commits()] == expected
    assert [c.commit.message for c in pr.get_commits()][-1] == "case 2"


def test_update_branch_merges_the_base_into_the_head(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    assert not pr.update_branch()  # nothing new on main yet
    assert fake.requests[-1].status == 422
    old_head = pr.head.sha
    checkout.commit({"README.md": "# learning, moved on\n"}, "main moves")
    checkout.push("main")
    main = checkout.git("rev-parse", "main")
    assert not pr.update_branch(expected_head_sha="0" * 40)
    assert fake.requests[-1].status == 422

    assert pr.update_branch(expected_head_sha=old_head)

    assert fake.requests[-1].status == 202
    new_head = checkout.bare_git("rev-parse", BRANCH)
    assert checkout.bare_git("rev-parse", f"{new_head}^1", f"{new_head}^2").split() == [
        old_head,
        main,
    ]
    assert (
        checkout.bare_git("log", "-1", "--format=%s", BRANCH)
        == f"Merge branch 'main' into {BRANCH}"
    )
    assert checkout.bare_git("show", f"{BRANCH}:README.md") == "# learning, moved on"
    assert repo.get_pull(number).head.sha == new_head
    assert repo.compare("main", BRANCH).behind_by == 0


def test_update_branch_refuses_conflicts(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    pr = repo.get_pull(_open_pull(repo))
    checkout.commit({"policies/ci.yaml": "threshold: 3\nmode: a\n"}, "conflicting change")
    checkout.push("main")
    head = checkout.bare_git("rev-parse", BRANCH)
    assert not pr.update_branch()
    assert fake.requests[-1].status == 422
    assert checkout.bare_git("rev-parse", BRANCH) == head


def test_update_branch_in_memory(memory_fake: FakeGitHub) -> None:
    repo = memory_fake.client().get_repo(FULL_NAME)
    memory_fake.set_branch("feature")
    repo.create_file("a.txt", "add a", "a\n", branch="feature")
    pr = repo.create_pull(base="main", head="feature", title="a")
    repo.create_file("b.txt", "add b on main", "b\n")
    assert pr.update_branch()
    assert repo.get_contents("b.txt", ref="feature").decoded_content == b"b\n"
    assert [c.commit.message for c in pr.get_commits()][-1] == "Merge branch 'main' into feature"


# -- branch protection -------------------------------------------------------------------------


def test_unprotected_branch_has_no_protection(fake: FakeGitHub, repo: Repository) -> None:
    branch = repo.get_branch("main")
    assert branch.protected is False
    with pytest.raises(github.GithubException) as raised:
        branch.get_protection()
    assert _status(raised) == (404, "Branch not protected")
    with pytest.raises(ValueError, match="does not exist"):
        fake.protect_branch("nope")


def test_protection_requires_checks_and_an_up_to_date_head(
    fake: FakeGitHub, repo: Repository, lazy_repo: Repository, checkout: Checkout
) -> None:
    fake.protect_branch("main", ["learnbot/gate", "lint"], strict=True)
    branch = repo.get_branch("main")
    checks = branch.get_protection().required_status_checks
    assert (branch.protected, checks.contexts, checks.strict) == (
        True,
        ["learnbot/gate", "lint"],
        True,
    )
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    assert pr.mergeable_state == "blocked"
    head = lazy_repo.get_commit(pr.head.sha)
    repo.create_check_run("lint", pr.head.sha, status="in_progress")
    for state, word in (("failure", "failing"), ("pending", "pending"), ("error", "failing")):
        head.create_status(state, context="learnbot/gate")
        with pytest.raises(github.GithubException) as raised:
            pr.merge()
        assert _status(raised) == (405, f'Required status check "learnbot/gate" is {word}.')
    head.create_status("success", context="learnbot/gate")
    with pytest.raises(github.GithubException) as raised:
        pr.merge()
    assert '"lint" is pending' in _status(raised)[1]
    repo.create_check_run("lint", pr.head.sha, status="completed", conclusion="success")

    checkout.commit({"README.md": "# moved\n"}, "main moves")  # strict: the head is now behind
    checkout.push("main")
    assert repo.get_pull(number).mergeable_state == "behind"
    with pytest.raises(github.GithubException) as raised:
        pr.merge()
    assert "out of date" in _status(raised)[1]
    assert pr.update_branch()
    assert repo.get_pull(number).mergeable_state == "blocked"  # the new head has no checks yet
    new_head = lazy_repo.get_commit(repo.get_pull(number).head.sha)
    new_head.create_status("success", context="learnbot/gate")
    new_head.create_status("success", context="lint")  # a status satisfies a context too
    assert repo.get_pull(number).mergeable_state == "clean"
    assert repo.get_pull(number).merge().merged
    fake.unprotect_branch("main")
    assert repo.get_branch("main").protected is False


def test_missing_required_check_is_expected(fake: FakeGitHub, repo: Repository) -> None:
    fake.protect_branch("main", ["learnbot/gate"])
    pr = repo.get_pull(_open_pull(repo))
    with pytest.raises(github.GithubException) as raised:
        pr.merge()
    assert 'Required status check "learnbot/gate" is expected.' in _status(raised)[1]


# -- tags --------------------------------------------------------------------------------------


def test_tags_are_listed_with_their_commits(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    main, branch = checkout.git("rev-parse", "main"), checkout.bare_git("rev-parse", BRANCH)
    assert list(repo.get_tags()) == []
    repo.create_git_ref("refs/tags/v1", main)
    checkout.git("tag", "-a", "v2", "-m", "annotated", branch)  # a tag object, peeled to its commit
    checkout.git("push", "--quiet", "origin", "v2")
    tags = [(t.name, t.commit.sha) for t in repo.get_tags()]
    assert tags == [("v2", branch), ("v1", main)]
    assert repo.get_tags()[0].tarball_url.endswith("/tarball/refs/tags/v2")
