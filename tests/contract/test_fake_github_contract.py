"""The fake GitHub against GitHub's own REST description (../shared/github/rest-api-subset.json).

Skipped where the description is absent (users' clones); CI has it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import github
import pytest

from tests import fake_github_objects as obj
from tests import github_spec
from tests.fake_github import ROUTES, FakeGitHub
from tests.fake_github_objects import (
    CheckRunRec,
    CommentRec,
    CommitInfo,
    FileChange,
    GitPerson,
    IssueRec,
    LabelRec,
    ProtectionRec,
    PullRec,
    PullStats,
    ReactionRec,
    ReviewRec,
    StatusRec,
    TreeEntry,
)

SPEC = github_spec.load_rest_spec()
if SPEC is None:
    pytest.skip(
        "../shared/github not found: contract tests need GitHub's REST description "
        "(set LEARNBOT_SHARED_GITHUB)",
        allow_module_level=True,
    )
assert SPEC is not None

OWNER, NAME = "octo-org", "learning"
FULL_NAME = f"{OWNER}/{NAME}"
SITE = obj.Site("http://127.0.0.1:8765", OWNER, NAME)
NOW = "2024-01-01T00:00:00Z"
SHA_A, SHA_B, SHA_C = "a" * 40, "b" * 40, "c" * 40

# GitHub's own examples that do not validate against its own schemas (see shared/github/README).
KNOWN_BAD_EXAMPLES = {
    ("repos/get", "200"),
    ("issues/get", "200"),
    ("pulls/list", "200"),
    ("pulls/get", "200"),
    ("pulls/create", "201"),
    ("pulls/update", "200"),
    ("repos/list-pull-requests-associated-with-commit", "200"),
    ("pulls/request-reviewers", "201"),
    ("repos/get-collaborator-permission-level", "200"),
    ("repos/get-branch-protection", "200"),
}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(owner=OWNER, repo=NAME, strict=True) as server:
        yield server
    server.assert_clean()


# -- the route table ---------------------------------------------------------------------------


def test_routes_are_exactly_the_subset() -> None:
    assert SPEC is not None
    routes = {r.operation_id: (r.method, r.path) for r in ROUTES}
    assert len(ROUTES) == len(routes) == 47
    assert routes == SPEC.subset_operations()
    assert routes == {op_id: (op.method, op.path) for op_id, op in SPEC.operations.items()}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation_id)
def test_route_multi_segment_params_follow_the_description(route: Any) -> None:
    assert SPEC is not None
    op = SPEC.operations[route.operation_id]
    multi = {name for (kind, name), p in op.parameters.items() if p.get("x-multi-segment")}
    multi |= github_spec._EXTRA_MULTI_SEGMENT.get(route.operation_id, frozenset())
    assert set(route.multi_segment) == multi


# -- builders ----------------------------------------------------------------------------------


def _records() -> dict[str, Any]:
    person = GitPerson("Octo Cat", "octo@example.com", NOW)
    info = CommitInfo(SHA_A, SHA_C, (SHA_B,), "message", person, person)
    pull = PullRec(11, "learnbot/x", "main", SHA_A, SHA_B, draft=True, requested_reviewers=["bob"])
    merged = PullRec(
        12,
        "learnbot/y",
        "main",
        SHA_A,
        SHA_B,
        merged_at=NOW,
        merge_commit_sha=SHA_C,
        merged_by="alice",
    )
    return {
        "person": person,
        "info": info,
        "label": LabelRec(5, "learnbot", "0e8a16", "bot"),
        "issue": IssueRec(21, 1, "Backtest failed", None, "learnbot[bot]", NOW, NOW, ["learnbot"]),
        "pr": IssueRec(22, 2, "Tune", "body", "learnbot[bot]", NOW, NOW, ["learnbot"], pull=pull),
        "merged": IssueRec(
            23,
            3,
            "Old",
            None,
            "octo-org",
            NOW,
            NOW,
            state="closed",
            closed_at=NOW,
            closed_by="alice",
            pull=merged,
        ),
        "stats": PullStats(1, 2, 1, 2, True, "clean"),
        "reaction": ReactionRec(31, 1, "carol", "rocket", NOW),
        "comment_reaction": ReactionRec(32, 2, "learnbot[bot]", "+1", NOW, comment_id=71),
        "check": CheckRunRec(
            41,
            42,
            "learnbot/replay",
            SHA_A,
            "completed",
            "failure",
            NOW,
            NOW,
            "https://ci.example/1",
            "x1",
            {"title": "t", "summary": "s"},
        ),
        "queued": CheckRunRec(43, 42, "queued", SHA_A, "queued", None, None, None),
        "status": StatusRec(51, SHA_A, "success", "ci", "learnbot[bot]", NOW, None, "ok"),
        "review": ReviewRec(61, 2, "alice", "APPROVED", "", SHA_A, NOW),
        "comment": CommentRec(71, 2, "learnbot[bot]", "hello", NOW, NOW),
        "change": FileChange("a/b.yaml", "renamed", 1, 2, SHA_B, "a/old.yaml", "@@ -1 +1 @@"),
        "removed": FileChange("gone.txt", "removed", 0, 3, None),
        "blob": TreeEntry("100644", "blob", SHA_B),
        "tree": TreeEntry("040000", "tree", SHA_C),
    }


def _samples() -> list[tuple[str, str, Any]]:
    r = _records()
    repo = obj.repository(SITE, default_branch="main", open_issues=2, created_at=NOW, pushed_at=NOW)
    label = r["label"]
    full_pr = obj.pull_request(SITE, r["pr"], [label], repo, stats=r["stats"], comments=1)
    merged_pr = obj.pull_request(
        SITE, r["merged"], [], repo, stats=PullStats(1, 0, 0, 0, None, "unknown"), comments=0
    )
    entry = obj.content_entry(SITE, "policies/ci.yaml", r["blob"], "main", 9)
    app = obj.integration(SITE, NOW)
    return [
        ("simple-user", "user", obj.user(SITE, "learnbot[bot]")),
        ("full-repository", "repository", repo),
        ("repository", "repository", repo),
        ("minimal-repository", "repository", repo),
        ("label", "label", obj.label(SITE, label)),
        ("issue", "issue", obj.issue(SITE, r["issue"], [label], 0, [r["reaction"]])),
        ("issue", "issue of a pull request", obj.issue(SITE, r["merged"], [], 3, [])),
        ("pull-request", "open draft", full_pr),
        ("pull-request", "merged", merged_pr),
        ("pull-request-simple", "simple", obj.pull_request_simple(full_pr)),
        ("pull-request-minimal", "minimal", obj.pull_request_minimal(SITE, r["pr"])),
        ("issue-comment", "comment", obj.issue_comment(SITE, r["comment"], True)),
        (
            "issue-comment",
            "comment with a reaction",
            obj.issue_comment(SITE, r["comment"], True, [r["comment_reaction"]]),
        ),
        ("reaction", "comment reaction", obj.reaction(SITE, r["comment_reaction"])),
        *[
            (
                "repository-collaborator-permission",
                role,
                obj.collaborator_permission(SITE, "dave", role),
            )
            for role in obj.ROLES
        ],
        ("integration", "app", app),
        ("check-run", "completed", obj.check_run(SITE, r["check"], app, [])),
        (
            "check-run",
            "queued",
            obj.check_run(SITE, r["queued"], app, [obj.pull_request_minimal(SITE, r["pr"])]),
        ),
        ("status", "status", obj.status(SITE, r["status"])),
        ("combined-commit-status", "one", obj.combined_status(SITE, SHA_A, [r["status"]], repo)),
        ("combined-commit-status", "none", obj.combined_status(SITE, SHA_A, [], repo)),
        ("pull-request-review", "review", obj.review(SITE, r["review"])),
        ("reaction", "reaction", obj.reaction(SITE, r["reaction"])),
        ("rate-limit-overview", "rate", obj.rate_limit(5000, 3, 1_700_000_000)),
        ("git-commit", "git commit", obj.git_commit(SITE, r["info"])),
        ("commit", "commit", obj.commit(SITE, r["info"])),
        ("branch-with-protection", "branch", obj.branch(SITE, "learnbot/x", r["info"])),
        (
            "branch-with-protection",
            "protected",
            obj.branch(SITE, "main", r["info"], ProtectionRec(("ci",), strict=True)),
        ),
        (
            "branch-protection",
            "checks",
            obj.branch_protection(SITE, "main", ProtectionRec(("ci", "lint"), strict=True)),
        ),
        ("branch-protection", "no checks", obj.branch_protection(SITE, "main", ProtectionRec())),
        ("tag", "tag", obj.tag(SITE, "v1.0/rc 1", SHA_A)),
        ("git-ref", "ref", obj.git_ref(SITE, "refs/heads/learnbot/x", SHA_A)),
        ("git-tree", "tree", obj.git_tree(SITE, SHA_C, {"a": r["blob"], "d": r["tree"]})),
        ("short-blob", "blob", obj.short_blob(SITE, SHA_B)),
        ("diff-entry", "renamed", obj.diff_entry(SITE, r["change"], SHA_A)),
        ("diff-entry", "removed", obj.diff_entry(SITE, r["removed"], SHA_A)),
        (
            "commit-comparison",
            "comparison",
            obj.comparison(
                SITE,
                "main...learnbot/x",
                base=r["info"],
                merge_base=r["info"],
                commits=[obj.commit(SITE, r["info"])],
                total=1,
                behind=0,
                files=[obj.diff_entry(SITE, r["change"], SHA_A)],
            ),
        ),
        (
            "content-file",
            "file",
            obj.content_file(SITE, "policies/ci.yaml", r["blob"], "main", b"threshold: 1\n" * 10),
        ),
        (
            "content-directory",
            "directory",
            [entry, obj.content_entry(SITE, "policies/sub", r["tree"], "main", 0)],
        ),
        ("file-commit", "file commit", obj.file_commit(SITE, entry, r["info"])),
        ("pull-request-merge-result", "merged", obj.merge_result(SHA_C)),
        ("workflow-dispatch-response", "dispatch", obj.workflow_dispatch(SITE, 7)),
        ("basic-error", "error", obj.error(SITE, "Not Found", status=404)),
        (
            "validation-error",
            "validation",
            obj.error(
                SITE,
                "Validation Failed",
                [{"resource": "Issue", "field": "body", "code": "custom"}],
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("schema", "label", "instance"), _samples(), ids=[f"{s}:{label}" for s, label, _ in _samples()]
)
def test_builder_output_validates(schema: str, label: str, instance: Any) -> None:
    assert SPEC is not None
    assert SPEC.validate_schema(schema, instance) == []


def test_content_file_round_trips_base64() -> None:
    data = bytes(range(256)) * 3
    built = obj.content_file(SITE, "bin", TreeEntry("100644", "blob", SHA_B), "main", data)
    assert base64.b64decode(built["content"]) == data
    assert max(len(line) for line in built["content"].splitlines()) == 60


# -- a PyGithub session touching all 47 operations ---------------------------------------------


def _session(fake: FakeGitHub) -> None:
    gh = fake.client()
    gh.get_rate_limit()
    repo = gh.get_repo(FULL_NAME)
    lazy = fake.client(lazy=True).get_repo(FULL_NAME)
    main = repo.get_branch("main").commit.sha
    fake.set_branch("learnbot/x")
    repo.create_file("cases/a.yaml", "add case", "a: 1\n", branch="learnbot/x")
    content = repo.get_contents("cases/a.yaml", ref="learnbot/x")
    assert not isinstance(content, list)
    repo.update_file("cases/a.yaml", "edit case", "a: 2\n", content.sha, branch="learnbot/x")
    repo.compare("main", "learnbot/x")

    blob = repo.create_git_blob(base64.b64encode(b"x: 1\n").decode(), "base64")
    parent = repo.get_git_commit(main)
    tree = repo.create_git_tree(
        [github.InputGitTreeElement("cases/b.yaml", "100644", "blob", sha=blob.sha)], parent.tree
    )
    commit = repo.create_git_commit("add b", tree, [parent])
    ref = repo.create_git_ref("refs/heads/learnbot/y", commit.sha)
    repo.get_git_ref("heads/learnbot/y").edit(commit.sha)
    ref.delete()

    repo.create_label("learnbot", "0e8a16", "bot")
    issue = repo.create_issue("Backtest failed", body="see log", labels=["learnbot"])
    issue.edit(state="closed", state_reason="completed")
    comment = issue.create_comment("hello")
    comment.edit("hello again")
    list(issue.get_comments())
    list(repo.get_labels())

    pr = repo.create_pull(base="main", head="learnbot/x", title="Tune", body="b")
    pr.add_to_labels("needs-review", "learnbot")
    pr.remove_from_labels("needs-review")
    fake.set_permission("alice", "maintain")
    assert repo.get_collaborator_permission("alice") == "write"
    pr.create_review_request(reviewers=["alice"])
    commits = [c.sha for c in pr.get_commits()]  # set_branch, create_file, update_file
    assert len(commits) == 3 and commits[-1] == fake.branch_sha("learnbot/x")
    comment.create_reaction("+1")
    repo.create_git_ref("refs/tags/v1", main)
    assert [t.name for t in repo.get_tags()] == ["v1"]
    fake.set_branch("main")
    assert pr.update_branch()
    fake.protect_branch("main", ["learnbot/gate"], strict=True)
    assert repo.get_branch("main").get_protection().required_status_checks.contexts == [
        "learnbot/gate"
    ]
    list(repo.get_issues(state="all", labels=["learnbot"]))
    repo.get_issue(pr.number)
    list(repo.get_pulls(head=f"{OWNER}:learnbot/x"))
    pr.edit(title="Tune threshold")
    list(pr.get_files())
    fake.add_review(pr.number, "alice")
    list(pr.get_reviews())
    fake.add_reaction(pr.number, "carol", "heart")
    list(repo.get_issue(pr.number).get_reactions())

    head = lazy.get_commit(repo.get_pull(pr.number).head.sha)
    run = repo.create_check_run("learnbot/replay", head.sha, status="in_progress")
    run.edit(status="completed", conclusion="success", output={"title": "t", "summary": "s"})
    list(head.get_check_runs())
    head.create_status("success", "https://ci.example/1", "replayed", "learnbot/gate")
    head.get_combined_status()
    list(head.get_pulls())
    lazy.get_workflow("learnbot.yml").create_dispatch("main", {"mode": "nightly"}, throw=True)
    pr.merge()


def test_pygithub_session_is_clean_in_strict_mode(fake: FakeGitHub) -> None:
    assert SPEC is not None and fake.strict
    _session(fake)
    assert fake.errors == []
    assert {r.operation_id for r in fake.requests} == set(SPEC.operations)
    assert all(r.status < 400 for r in fake.requests)


def test_invalid_requests_are_flagged(fake: FakeGitHub) -> None:
    requester = fake.client().requester
    base = f"{fake.url}/repos/{FULL_NAME}"
    requester.requestJsonAndCheck("POST", f"{base}/issues", input={"title": "x", "colour": "red"})
    with pytest.raises(github.GithubException):
        requester.requestJsonAndCheck("POST", f"{base}/labels", input={"name": 5})
    requester.requestJsonAndCheck("GET", f"{base}/pulls", parameters={"state": "opened"})
    requester.requestJsonAndCheck("GET", f"{base}/labels", parameters={"colour": "red"})
    errors = "\n".join(fake.errors)
    assert "unknown field 'colour'" in errors
    assert "5 is not of type 'string'" in errors
    assert "'opened' is not one of" in errors
    assert "unknown query parameter 'colour'" in errors
    fake.errors.clear()


def test_invalid_responses_are_flagged() -> None:
    assert SPEC is not None
    assert SPEC.validate_response("pulls/merge", 201, obj.merge_result(SHA_A))
    assert SPEC.validate_response("pulls/merge", 200, {"sha": SHA_A, "merged": "yes"})
    problems = SPEC.validate_response("issues/create-label", 201, {"name": "x"})
    assert any("'id' is a required property" in p for p in problems)
    assert SPEC.validate_response("git/delete-ref", 204, None) == []


# -- github_spec itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/repos/o/r/git/ref/heads/learnbot/x", ("git/get-ref", "heads/learnbot/x")),
        ("PATCH", "/repos/o/r/git/refs/heads/learnbot/x", ("git/update-ref", "heads/learnbot/x")),
        ("DELETE", "/repos/o/r/git/refs/heads/a%2Fb", ("git/delete-ref", "heads/a/b")),
        ("GET", "/repos/o/r/git/refs/heads/x", None),
        ("PATCH", "/repos/o/r/issues/comments/7", ("issues/update-comment", "7")),
        ("PATCH", "/repos/o/r/issues/7", ("issues/update", "7")),
        (
            "GET",
            "/repos/o/r/commits/heads%2Fmain/status",
            ("repos/get-combined-status-for-ref", "heads/main"),
        ),
        ("GET", "/repos/o/r/contents/a/b%20c.txt", ("repos/get-content", "a/b c.txt")),
        ("GET", "/repos/o/r/releases", None),
    ],
)
def test_spec_match(method: str, path: str, expected: tuple[str, str] | None) -> None:
    assert SPEC is not None
    found = SPEC.match(method, path)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found[0] == expected[0]
        assert expected[1] in found[1].values()


def test_spec_match_compare_with_slashes() -> None:
    assert SPEC is not None
    assert SPEC.match("GET", "/repos/o/r/compare/main...learnbot/x") == (
        "repos/compare-commits",
        {"owner": "o", "repo": "r", "base": "main", "head": "learnbot/x"},
    )


def test_nullable_is_rewritten() -> None:
    converted = github_spec.to_json_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": True, "enum": ["x"]},
                "b": {"$ref": "#/components/schemas/label", "nullable": True},
                "nullable": {"type": "boolean"},
            },
        }
    )
    props = converted["properties"]
    assert props["a"] == {"type": ["string", "null"], "enum": ["x", None]}
    assert props["b"] == {"anyOf": [{"type": "null"}, {"$ref": "#/definitions/label"}]}
    assert props["nullable"] == {"type": "boolean"}


def test_github_examples_validate_except_the_known_incomplete_ones() -> None:
    assert SPEC is not None
    failing = set()
    for op_id, op in SPEC.operations.items():
        for status, response in op.responses.items():
            content = (response.get("content") or {}).get("application/json") or {}
            for example in (content.get("examples") or {}).values():
                value = SPEC._resolve(example)["value"]
                if SPEC.validate_response(op_id, int(status), value):
                    failing.add((op_id, status))
    assert failing == KNOWN_BAD_EXAMPLES


def test_find_shared_github_honours_the_variable(tmp_path: Any) -> None:
    assert github_spec.find_shared_github({"LEARNBOT_SHARED_GITHUB": str(tmp_path)}) is None
    (tmp_path / github_spec.SPEC_FILE).write_text("{}")
    assert github_spec.find_shared_github({"LEARNBOT_SHARED_GITHUB": str(tmp_path)}) == tmp_path
