"""tests/fake_github.py driven by real PyGithub, with and without GitHub's REST description.

When ../shared/github is present the fake runs in strict mode, so every test here also checks
that PyGithub's requests and the fake's answers match GitHub's REST description.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import github
import pytest
from github.Repository import Repository

from tests import fake_github as fg
from tests.fake_github import BODY_LIMIT, TITLE_LIMIT, FakeGitHub, make_fake_github
from tests.github_spec import find_shared_github

OWNER, NAME = "octo-org", "learning"
FULL_NAME = f"{OWNER}/{NAME}"
BRANCH = "learnbot/tune-threshold"

# The fixtures of tests/fake_github.py, registered here so they can be tested.
fake_github = fg.fake_github
fake_github_factory = fg.fake_github_factory


_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _GIT_ENV.items():
        monkeypatch.setenv(name, value)


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}  # also used by the module-scoped template, before git_env
    done = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


@dataclass
class Checkout:
    """A working clone of a bare `origin`, the repository the fake serves."""

    path: Path
    bare: Path

    def git(self, *args: str) -> str:
        return _git(self.path, *args)

    def commit(self, files: dict[str, str | None], message: str) -> str:
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, branch: str, *, force: bool = False) -> None:
        self.git("push", "--quiet", *(["--force"] if force else []), "origin", branch)

    def bare_git(self, *args: str) -> str:
        return _git(self.path, f"--git-dir={self.bare}", *args)


@pytest.fixture(scope="module")
def checkout_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: README + policies/ci.yaml; BRANCH: one commit changing a policy and adding a case."""
    root = tmp_path_factory.mktemp("template")
    bare, work = root / "origin.git", root / "work"
    _git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    _git(root, "init", "--quiet", "--initial-branch=main", str(work))
    co = Checkout(work, bare)
    co.git("remote", "add", "origin", "../origin.git")  # relative: copies stay self-contained
    co.commit({"README.md": "# learning\n", "policies/ci.yaml": "threshold: 1\nmode: a\n"}, "init")
    co.push("main")
    co.git("checkout", "--quiet", "-b", BRANCH)
    co.commit({"policies/ci.yaml": "threshold: 2\nmode: a\n", "cases/new.yaml": "x: 1\n"}, "tune")
    co.push(BRANCH)
    co.git("checkout", "--quiet", "main")
    return root


@pytest.fixture
def checkout(checkout_template: Path, tmp_path: Path) -> Checkout:
    """A fresh copy of the template (copying is ~20x faster than building it again)."""
    shutil.copytree(checkout_template, tmp_path / "repo")
    return Checkout(tmp_path / "repo" / "work", tmp_path / "repo" / "origin.git")


@pytest.fixture
def fake(checkout: Checkout) -> Iterator[FakeGitHub]:
    with FakeGitHub(owner=OWNER, repo=NAME, git_dir=checkout.bare) as server:
        yield server
    server.assert_clean()


@pytest.fixture
def memory_fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(owner=OWNER, repo=NAME) as server:
        yield server
    server.assert_clean()


@pytest.fixture
def repo(fake: FakeGitHub) -> Repository:
    return fake.client().get_repo(FULL_NAME)


@pytest.fixture
def lazy_repo(fake: FakeGitHub) -> Repository:
    """`lazy=True`: repo.get_commit(sha) would otherwise GET /commits/{sha}, not in the subset."""
    return fake.client(lazy=True).get_repo(FULL_NAME)


def _open_pull(repo: Repository, body: str = "Raises the threshold.") -> int:
    return repo.create_pull(base="main", head=BRANCH, title="Tune threshold", body=body).number


# -- repository, rate limit, authentication ----------------------------------------------------


def test_fake_serves_repository_and_rate_limit(fake: FakeGitHub, repo: Repository) -> None:
    assert fake.strict == (find_shared_github() is not None)
    assert (repo.full_name, repo.default_branch) == (FULL_NAME, "main")
    assert repo.url == f"{fake.url}/repos/{FULL_NAME}"
    gh = fake.client()
    core = gh.get_rate_limit().resources.core
    assert (core.limit, core.remaining + core.used) == (5000, 5000)
    remaining, limit = gh.rate_limiting
    assert limit == 5000 and 0 < remaining < 5000
    assert fake.tokens == ["t0ken"]


def test_fake_rejects_requests_without_token(fake: FakeGitHub) -> None:
    with pytest.raises(github.GithubException) as raised:
        github.Github(base_url=fake.url, retry=None).get_repo(FULL_NAME)
    assert raised.value.status == 401
    assert fake.errors and "Authorization" in fake.errors[0]
    fake.errors.clear()


def test_fake_unknown_route_is_501_and_fails_assert_clean(fake: FakeGitHub) -> None:
    with pytest.raises(github.GithubException) as raised:
        fake.client().get_repo(FULL_NAME).get_releases()[0]  # not in the 47 operations
    assert raised.value.status == 501
    assert fake.requests[-1].status == 501 and fake.requests[-1].operation_id is None
    with pytest.raises(AssertionError, match="no such route"):
        fake.assert_clean()
    fake.errors.clear()


def test_fake_never_echoes_the_token(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    for path in ("", "/pulls", f"/pulls/{number}", "/issues", f"/issues/{number}", "/labels"):
        request = urllib.request.Request(
            f"{fake.url}/repos/{FULL_NAME}{path}", headers={"Authorization": "token s3cret-token"}
        )
        with urllib.request.urlopen(request) as response:  # loopback only
            assert b"s3cret-token" not in response.read()
    assert "s3cret-token" in fake.tokens
    repo.create_issue("leak", body="token: t0ken")  # GitHub would echo it: the fake flags that
    assert any("contains the token" in e for e in fake.errors)
    fake.errors.clear()


# -- pull requests on a real bare repository ---------------------------------------------------


def test_fake_pull_request_lifecycle(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    pr = repo.create_pull(base="main", head=BRANCH, title="Tune", body="b", draft=True)
    assert (pr.number, pr.state, pr.draft, pr.merged) == (1, "open", True, False)
    assert pr.head.sha == checkout.bare_git("rev-parse", BRANCH)
    assert pr.base.sha == checkout.bare_git("rev-parse", "main")
    assert (pr.commits, pr.additions, pr.deletions, pr.changed_files) == (1, 2, 1, 2)
    files = {f.filename: (f.status, f.additions, f.deletions) for f in pr.get_files()}
    assert files == {"cases/new.yaml": ("added", 1, 0), "policies/ci.yaml": ("modified", 1, 1)}
    assert "+threshold: 2" in next(
        f.patch for f in pr.get_files() if f.filename.endswith("ci.yaml")
    )

    pr.edit(title="Tune threshold", body="better")
    again = repo.get_pull(1)
    assert (again.title, again.body, again.mergeable, again.mergeable_state) == (
        "Tune threshold",
        "better",
        True,
        "draft",
    )
    assert [p.number for p in repo.get_pulls(head=f"{OWNER}:{BRANCH}")] == [1]
    assert list(repo.get_pulls(head=f"someone-else:{BRANCH}")) == []
    assert [p.number for p in repo.get_pulls(head=BRANCH)] == [1]  # ignored without owner:
    assert list(repo.get_pulls(base="other")) == []
    pr.edit(state="closed")
    assert list(repo.get_pulls()) == []
    assert [p.state for p in repo.get_pulls(state="all")] == ["closed"]
    pr.edit(state="open")
    assert fake.pull(1)["state"] == "open"


def test_fake_pull_create_rejects_duplicates_and_empty_branches(
    fake: FakeGitHub, repo: Repository
) -> None:
    _open_pull(repo)
    expected = {BRANCH: "already exists", "main": "No commits between", "no-such-branch": "head"}
    for head, message in expected.items():
        with pytest.raises(github.GithubException) as raised:
            repo.create_pull(base="main", head=head, title="again")
        assert raised.value.status == 422
        assert message in json.dumps(raised.value.data)


def test_fake_force_push_shows_new_head_sha(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    number = _open_pull(repo)
    old = repo.get_pull(number).head.sha
    checkout.git("checkout", "--quiet", BRANCH)
    checkout.git("commit", "--quiet", "--amend", "-m", "tune (rewritten)")
    checkout.push(BRANCH, force=True)
    new = checkout.git("rev-parse", "HEAD")
    assert new != old
    assert repo.get_pull(number).head.sha == new
    assert [p.head.sha for p in repo.get_pulls()] == [new]


def test_fake_merge_is_a_real_merge(
    fake: FakeGitHub, repo: Repository, lazy_repo: Repository, checkout: Checkout
) -> None:
    checkout.commit({"README.md": "# learning, moved on\n"}, "main moves")
    checkout.push("main")
    old_main, head = checkout.git("rev-parse", "main"), checkout.bare_git("rev-parse", BRANCH)
    number = _open_pull(repo)
    pr = repo.get_pull(number)

    result = pr.merge(sha=head)

    assert result.merged
    assert checkout.bare_git("rev-parse", "main") == result.sha
    assert checkout.bare_git("rev-parse", f"{result.sha}^1", f"{result.sha}^2").split() == [
        old_main,
        head,
    ]
    message = checkout.bare_git("log", "-1", "--format=%B", "main")
    assert message.startswith(f"Merge pull request #{number} from {OWNER}/{BRANCH}\n\nTune")
    assert checkout.bare_git("show", "main:policies/ci.yaml") == "threshold: 2\nmode: a"
    merged = repo.get_pull(number)
    assert (merged.merged, merged.state, merged.merge_commit_sha) == (True, "closed", result.sha)
    assert merged.merged_by.login == fake.login and merged.merged_at is not None
    assert [p.number for p in lazy_repo.get_commit(result.sha).get_pulls()] == [number]
    with pytest.raises(github.GithubException) as raised:
        pr.merge()
    assert raised.value.status == 405


def test_fake_merge_refusals(fake: FakeGitHub, repo: Repository, checkout: Checkout) -> None:
    checkout.commit({"policies/ci.yaml": "threshold: 3\nmode: a\n"}, "conflicting change")
    checkout.push("main")
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    assert (pr.mergeable, pr.mergeable_state) == (False, "dirty")
    for kwargs, status in (({}, 405), ({"sha": "0" * 40}, 409), ({"merge_method": "rebase"}, 405)):
        with pytest.raises(github.GithubException) as raised:
            pr.merge(**kwargs)
        assert raised.value.status == status
    assert checkout.bare_git("rev-parse", "main") == checkout.git("rev-parse", "main")


def test_fake_squash_merge_has_one_parent(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    old_main = checkout.git("rev-parse", "main")
    pr = repo.get_pull(_open_pull(repo))
    result = pr.merge(merge_method="squash")
    assert checkout.bare_git("rev-list", "--parents", "-n1", "main").split() == [
        result.sha,
        old_main,
    ]
    assert checkout.bare_git("log", "-1", "--format=%s", "main") == "Tune threshold (#1)"


def test_fake_compare_branch_and_refs(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    comparison = repo.compare("main", BRANCH)
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 1, 0)
    assert [c.sha for c in comparison.commits] == [checkout.bare_git("rev-parse", BRANCH)]
    assert sorted(f.filename for f in comparison.files) == ["cases/new.yaml", "policies/ci.yaml"]
    branch = repo.get_branch(BRANCH)
    assert (branch.name, branch.commit.sha) == (BRANCH, checkout.bare_git("rev-parse", BRANCH))
    with pytest.raises(github.UnknownObjectException):
        repo.get_branch("missing")
    ref = repo.get_git_ref(f"heads/{BRANCH}")
    assert (ref.ref, ref.object.sha) == (f"refs/heads/{BRANCH}", branch.commit.sha)


def test_fake_git_data_operations(fake: FakeGitHub, repo: Repository, checkout: Checkout) -> None:
    main = checkout.bare_git("rev-parse", "main")
    blob = repo.create_git_blob("hello\n", "utf-8")
    base_tree = repo.get_git_commit(main).tree
    element = github.InputGitTreeElement("notes/hello.txt", "100644", "blob", sha=blob.sha)
    tree = repo.create_git_tree([element], base_tree)
    assert {e.path for e in tree.tree} == {"README.md", "notes", "policies"}
    commit = repo.create_git_commit("add notes", tree, [repo.get_git_commit(main)])
    assert repo.get_git_commit(commit.sha).parents[0].sha == main

    ref = repo.create_git_ref("refs/heads/notes", commit.sha)
    assert checkout.bare_git("show", "notes:notes/hello.txt") == "hello"
    with pytest.raises(github.GithubException) as raised:
        repo.create_git_ref("refs/heads/notes", commit.sha)
    assert raised.value.status == 422
    with pytest.raises(github.GithubException) as raised:
        ref.edit(checkout.bare_git("rev-parse", BRANCH))  # not a fast-forward
    assert raised.value.status == 422
    ref.edit(checkout.bare_git("rev-parse", BRANCH), force=True)
    assert checkout.bare_git("rev-parse", "notes") == checkout.bare_git("rev-parse", BRANCH)
    ref.delete()
    assert "refs/heads/notes" not in checkout.bare_git("for-each-ref")


def test_fake_contents_read_and_write_git(
    fake: FakeGitHub, repo: Repository, checkout: Checkout
) -> None:
    content = repo.get_contents("policies/ci.yaml")
    assert not isinstance(content, list)
    assert content.decoded_content == b"threshold: 1\nmode: a\n"
    assert [c.path for c in repo.get_contents("policies", ref=BRANCH)] == ["policies/ci.yaml"]
    created = repo.create_file("cases/c.yaml", "add case", "c: 1\n", branch=BRANCH)
    updated = repo.update_file(
        "cases/c.yaml", "edit case", "c: 2\n", created["content"].sha, branch=BRANCH
    )
    assert checkout.bare_git("show", f"{BRANCH}:cases/c.yaml") == "c: 2"
    assert checkout.bare_git("rev-parse", BRANCH) == updated["commit"].sha
    with pytest.raises(github.GithubException) as raised:
        repo.update_file("cases/c.yaml", "stale", "c: 3\n", created["content"].sha, branch=BRANCH)
    assert raised.value.status == 409
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("nope.txt")


# -- issues, labels, comments ------------------------------------------------------------------


def test_fake_issues_and_pulls_share_numbers(fake: FakeGitHub, repo: Repository) -> None:
    issue = repo.create_issue("Backtest failed", body="details", labels=["learnbot"])
    number = _open_pull(repo)
    assert (issue.number, number) == (1, 2)
    as_issue = repo.get_issue(number)
    assert as_issue.pull_request is not None and as_issue.pull_request.url.endswith("/pulls/2")
    assert repo.get_issue(1).pull_request is None
    assert sorted(i.number for i in repo.get_issues()) == [1, 2]
    issue.edit(title="Backtest failed twice", state="closed", labels=["learnbot", "stale"])
    closed = repo.get_issue(1)
    assert (closed.title, closed.state, closed.closed_by.login) == (
        "Backtest failed twice",
        "closed",
        fake.login,
    )
    assert [i.number for i in repo.get_issues(state="closed", labels=["learnbot", "stale"])] == [1]
    assert list(repo.get_issues(state="all", creator="somebody")) == []


def test_fake_labels(fake: FakeGitHub, repo: Repository) -> None:
    repo.create_label("learnbot", "0e8a16", "opened by the bot")
    with pytest.raises(github.GithubException) as raised:
        repo.create_label("LearnBot", "000000")
    assert raised.value.status == 422
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    pr.add_to_labels("learnbot", "needs-review")  # PyGithub sends a bare JSON array
    assert sorted(label.name for label in repo.get_labels()) == ["learnbot", "needs-review"]
    assert [label.name for label in repo.get_pull(number).labels] == ["learnbot", "needs-review"]
    assert [i.number for i in repo.get_issues(labels=["learnbot", "needs-review"])] == [number]
    assert list(repo.get_issues(labels=["learnbot", "other"])) == []
    assert fake.issues_with_label("LEARNBOT") == [number]


def test_fake_comments_on_issues_and_pulls(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    pr = repo.get_pull(number)
    comment = pr.create_issue_comment("<!-- learnbot -->\nfirst")
    repo.create_issue("other").create_comment("elsewhere")
    comment.edit("<!-- learnbot -->\nsecond")
    assert [c.body for c in pr.get_issue_comments()] == ["<!-- learnbot -->\nsecond"]
    assert comment.html_url.startswith(f"{fake.url}/{FULL_NAME}/pull/{number}#issuecomment-")
    assert [c["body"] for c in fake.comments(number)] == ["<!-- learnbot -->\nsecond"]
    assert repo.get_pull(number).comments == 1


def test_fake_body_limit_is_422(fake: FakeGitHub, repo: Repository) -> None:
    too_long = "x" * (BODY_LIMIT + 1)
    number = _open_pull(repo, body="x" * BODY_LIMIT)
    issue = repo.get_issue(number)
    comment = issue.create_comment("ok")
    attempts = (
        lambda: repo.create_issue("t", body=too_long),
        lambda: issue.edit(body=too_long),
        lambda: repo.get_pull(number).edit(body=too_long),
        lambda: issue.create_comment(too_long),
        lambda: comment.edit(too_long),
    )
    for attempt in attempts:
        with pytest.raises(github.GithubException) as raised:
            attempt()
        assert raised.value.status == 422
        assert "too long" in json.dumps(raised.value.data)
    with pytest.raises(github.GithubException):
        repo.create_pull(base="main", head=BRANCH, title="dup", body=too_long)


def test_fake_title_limit_is_422(fake: FakeGitHub, repo: Repository) -> None:
    too_long = "t" * (TITLE_LIMIT + 1)
    number = repo.create_pull(base="main", head=BRANCH, title="t" * TITLE_LIMIT, body="").number
    issue = repo.create_issue("t" * TITLE_LIMIT)
    attempts = (
        lambda: repo.create_issue(too_long),
        lambda: issue.edit(title=too_long),
        lambda: repo.get_pull(number).edit(title=too_long),
    )
    for attempt in attempts:
        with pytest.raises(github.GithubException) as raised:
            attempt()
        assert raised.value.status == 422
        assert "title is too long" in json.dumps(raised.value.data)
    repo.get_pull(number).edit(state="closed")
    with pytest.raises(github.GithubException) as raised:
        repo.create_pull(base="main", head=BRANCH, title=too_long, body="")
    assert raised.value.status == 422
    assert [len(fake.issue(n)["title"]) for n in (number, issue.number)] == [TITLE_LIMIT] * 2


# -- checks, statuses, reviews, reactions, dispatches ------------------------------------------


def test_fake_check_runs(fake: FakeGitHub, repo: Repository, lazy_repo: Repository) -> None:
    number = _open_pull(repo)
    sha = repo.get_pull(number).head.sha
    run = repo.create_check_run("learnbot/replay", sha, status="in_progress", external_id="42")
    assert (run.status, run.conclusion, run.pull_requests[0].number) == ("in_progress", None, 1)
    run.edit(conclusion="failure", output={"title": "2 regressions", "summary": "see text"})
    repo.create_check_run("other", sha, status="completed", conclusion="success")
    commit = lazy_repo.get_commit(sha)
    assert {r.name: r.conclusion for r in commit.get_check_runs()} == {
        "learnbot/replay": "failure",
        "other": "success",
    }
    assert [r.name for r in commit.get_check_runs(check_name="other")] == ["other"]
    assert list(commit.get_check_runs(status="in_progress")) == []
    assert fake.check_runs(sha)[0]["output"]["title"] == "2 regressions"
    with pytest.raises(github.GithubException) as raised:
        repo.create_check_run("x", "0" * 40)
    assert raised.value.status == 422


def test_fake_commit_statuses(fake: FakeGitHub, lazy_repo: Repository) -> None:
    sha = fake.branch_sha("main")
    assert sha is not None
    commit = lazy_repo.get_commit(sha)
    assert commit.get_combined_status().state == "pending"
    commit.create_status("pending", context="learnbot/gate", description="replaying")
    commit.create_status("success", "https://ci.example/1", "ok", "learnbot/gate")
    commit.create_status("success", context="lint")
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count) == ("success", 2)
    commit.create_status("error", context="lint")
    assert commit.get_combined_status().state == "failure"
    assert [s["state"] for s in fake.statuses("main")] == ["pending", "success", "success", "error"]


def test_fake_reviews_and_reactions(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    fake.add_review(number, "alice")
    fake.add_review(number, "bob", "CHANGES_REQUESTED", body="no")
    fake.add_reaction(number, "carol", "+1")
    fake.add_reaction(number, "dave", "eyes")
    pr = repo.get_pull(number)
    reviews = [(r.user.login, r.state, r.commit_id) for r in pr.get_reviews()]
    assert reviews == [
        ("alice", "APPROVED", pr.head.sha),
        ("bob", "CHANGES_REQUESTED", pr.head.sha),
    ]
    reactions = repo.get_issue(number).get_reactions()
    assert [(r.user.login, r.content) for r in reactions] == [("carol", "+1"), ("dave", "eyes")]
    assert repo.get_issue(number).reactions["total_count"] == 2


def test_fake_workflow_dispatch_is_recorded(fake: FakeGitHub, lazy_repo: Repository) -> None:
    workflow = lazy_repo.get_workflow("learnbot.yml")
    assert workflow.create_dispatch("main", {"mode": "nightly"}, throw=True)
    assert fake.dispatches[0]["workflow_id"] == "learnbot.yml"
    assert (fake.dispatches[0]["ref"], fake.dispatches[0]["inputs"]) == (
        "main",
        {"mode": "nightly"},
    )
    assert fake.requests[-1].status == 204


# -- request log, pagination, helpers, in-memory git -------------------------------------------


def test_fake_request_log_and_pagination(fake: FakeGitHub) -> None:
    repo = fake.client(per_page=2).get_repo(FULL_NAME)
    for index in range(5):
        repo.create_label(f"label-{index}", "ededed")
    fake.reset_log()
    labels = repo.get_labels()
    assert [label.name for label in labels] == [f"label-{i}" for i in range(5)]
    assert fake.count("GET") == 3 and fake.writes() == []
    assert labels.totalCount == 5
    assert fake.requests[0].query == {"per_page": "2"}
    assert fake.count(operation_id="issues/list-labels-for-repo") == 4


def test_fake_helpers(fake: FakeGitHub, repo: Repository) -> None:
    number = _open_pull(repo)
    assert fake.pull(number)["head"]["ref"] == BRANCH
    fake.close_pull(number)
    assert (repo.get_pull(number).state, repo.get_pull(number).merged) == ("closed", False)
    assert fake.issue(number)["pull_request"]["merged_at"] is None


def test_fake_in_memory_git(memory_fake: FakeGitHub) -> None:
    repo = memory_fake.client().get_repo(FULL_NAME)
    memory_fake.set_branch("feature")
    repo.create_file("a.txt", "add a", "one\n", branch="feature")
    repo.create_file("a.txt", "main adds a too", "two\n")
    conflicted = repo.create_pull(base="main", head="feature", title="conflict")
    assert conflicted.mergeable is False
    conflicted.edit(state="closed")

    memory_fake.set_branch("clean")
    repo.create_file("b.txt", "add b", "bee\n", branch="clean")
    pr = repo.create_pull(base="main", head="clean", title="clean")
    assert [(f.filename, f.status, f.additions) for f in pr.get_files()] == [("b.txt", "added", 1)]
    result = pr.merge()
    assert memory_fake.branch_sha("main") == result.sha
    assert repo.get_contents("b.txt").decoded_content == b"bee\n"
    assert repo.get_git_commit(result.sha).message.startswith("Merge pull request #2 from")


def test_fake_fixture_is_clean(fake_github: FakeGitHub) -> None:
    assert fake_github.client().get_repo(FULL_NAME).name == NAME


def test_fake_factory_fixture_takes_git_dir(
    fake_github_factory: Callable[..., FakeGitHub], checkout: Checkout
) -> None:
    server = fake_github_factory(checkout.bare, owner=OWNER, repo=NAME)
    pr = server.client().get_repo(FULL_NAME).create_pull(base="main", head=BRANCH, title="t")
    assert pr.head.sha == checkout.bare_git("rev-parse", BRANCH)


def test_make_fake_github_is_not_started() -> None:
    fake = make_fake_github(strict=False)
    assert (fake.url, fake.strict) == ("", False)


def test_fake_answers_a_current_etag_with_304_free_of_the_rate_limit(fake: FakeGitHub) -> None:
    requester = fake.client().requester
    url = f"/repos/{FULL_NAME}/pulls"
    headers, data = requester.requestJsonAndCheck("GET", url)
    etag = headers["etag"]
    assert data == [] and etag.startswith('W/"')
    used = int(headers["x-ratelimit-used"])
    again, body = requester.requestJsonAndCheck("GET", url, headers={"If-None-Match": etag})
    assert body is None and again["etag"] == etag
    assert int(again["x-ratelimit-used"]) == used  # a 304 costs nothing
    assert fake.requests[-1].status == 304
    assert fake.rate_limited() == len(fake.requests) - 1
    stale, data = requester.requestJsonAndCheck("GET", url, headers={"If-None-Match": 'W/"old"'})
    assert data == [] and int(stale["x-ratelimit-used"]) == used + 1
