"""`learnbot run` and `learnbot check` scenarios, each on the local forge and on the fake GitHub."""

from __future__ import annotations

import re

import pytest

from tests.harness import World


def plain(markdown: str) -> str:
    """Markdown with backslash escapes removed, for comparing with plain text."""
    return re.sub(r"\\(.)", r"\1", markdown)


def unlimited(world: World) -> None:
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_new_per_run: 5", "max_new_per_run: 20").replace(
            "max_open: 10", "max_open: 20"
        ),
        "room for every proposal",
    )


def test_first_run_opens_one_pull_request_per_fixable_failure(world: World) -> None:
    unlimited(world)
    result = world.run()
    assert result.code == 0, result.err
    pulls = world.open_pulls()
    assert sorted(pulls) == [
        "learnbot/cv_eth_accumulation",
        "learnbot/it_wire_fraud",
        "learnbot/judges/inbox_triage_judges",
        "learnbot/karma/producer_karma",
        "learnbot/mo_stale_hype",
        "learnbot/rollout/insights_writer",
        "learnbot/skills",
        "learnbot/te_airdrop_season",
        "learnbot/te_digital_doppelganger",
        "learnbot/te_slow_burn",
        "learnbot/trainer/inbox_triage",
        "learnbot/weights/conviction_weights",
    ]
    wire = pulls["learnbot/it_wire_fraud"]
    assert wire["title"] == (
        "learnbot(inbox_triage): threshold adjustment for it_wire_fraud "
        "(inbox_triage.risk_threshold: 70 -> 68)"
    )
    assert "learnbot" in wire["labels"]
    assert (
        "**Passes the gate.**" in wire["body"] and "### Promote, reject, roll back" in wire["body"]
    )
    assert "<!-- learnbot:metadata {" in wire["body"]
    (check,) = world.checks(wire["head_sha"])
    assert (
        check["name"] == "learnbot/stabilization"
        and check["success"]
        and check["title"] == "Gate passed"
    )
    (board,) = world.dashboards()
    assert "it\\_lookalike\\_domain" in board["body"] or "`it_lookalike_domain`" in board["body"]
    assert "API requests:" in result.err


def test_second_run_makes_zero_write_requests(world: World) -> None:
    unlimited(world)
    assert world.run().code == 0
    world.reset_log()
    before = world.pulls()
    second = world.run()
    assert second.code == 0
    assert world.writes() == []
    assert world.pulls() == before
    assert "dashboard: #" in second.err and "unchanged" in second.err
    assert re.search(r"API requests: \d+ reads, 0 writes", second.err)


def test_changed_evidence_updates_the_same_pull_request(world: World) -> None:
    world.run()
    old = world.open_pulls()["learnbot/it_wire_fraud"]
    world.change_main(
        "cases/it_password_reset.yaml",
        lambda t: t.replace("A genuine password reset", "A genuine password-reset mail"),
        "clarify a protected case",
    )
    world.run()
    new = world.open_pulls()["learnbot/it_wire_fraud"]
    assert new["number"] == old["number"]
    assert new["head_sha"] != old["head_sha"]
    assert re.search(r'"proposal_id":"(\w+)"', new["body"]).group(1) != re.search(  # type: ignore[union-attr]
        r'"proposal_id":"(\w+)"', old["body"]
    ).group(1)
    assert world.checks(new["head_sha"])[0]["success"]
    assert len([p for p in world.pulls() if p["branch"] == "learnbot/it_wire_fraud"]) == 1


def test_unrelated_change_on_main_does_not_touch_pull_requests(world: World) -> None:
    unlimited(world)
    world.run()
    before = world.open_pulls()
    world.change_main(".github/learnbot.yml", lambda t: t + "# a comment\n", "a comment")
    world.reset_log()
    world.run()
    assert world.open_pulls() == before
    (board,) = world.dashboards()
    assert all(
        w == f"PATCH /repos/octo-org/learning/issues/{board['number']}" for w in world.writes()
    )


def test_pull_request_closed_unmerged_is_not_reopened(world: World) -> None:
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    world.close_pull(wire["number"])
    result = world.run()
    assert "learnbot/it_wire_fraud" not in world.open_pulls()
    assert f"closed unmerged in #{wire['number']}: not reopened" in result.out
    assert len([p for p in world.pulls() if p["branch"] == "learnbot/it_wire_fraud"]) == 1
    (board,) = world.dashboards()
    assert f"closed unmerged in \\#&#8203;{wire['number']}" in board["body"]  # no link


def test_superseded_pull_request_is_closed_with_a_comment(world: World) -> None:
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    world.change_main(
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 70", "value: 68").replace("version: 5", "version: 6"),
        "fix it by hand",
    )
    world.run()
    closed = next(p for p in world.pulls() if p["number"] == wire["number"])
    assert closed["state"] == "closed"
    assert world.comments(wire["number"]) == [
        "Closed by learnbot, superseded: the failure is fixed on main."
    ]


def test_limits_hold_and_the_rest_is_listed_on_the_dashboard(world: World) -> None:
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_open: 10", "max_open: 2"),
        "fewer pull requests",
    )
    result = world.run()
    assert len(world.open_pulls()) == 2
    assert result.out.count("held back by the pull request limits") == 10
    (board,) = world.dashboards()
    assert board["body"].count("held back by the pull request limits") == 10


def test_dashboard_is_created_once_and_edited_only_on_change(world: World) -> None:
    unlimited(world)
    world.run()
    world.run()
    assert len(world.dashboards()) == 1
    first = world.dashboards()[0]["body"]
    world.change_main(
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 70", "value: 68").replace("version: 5", "version: 6"),
        "fix it by hand",
    )
    world.reset_log()
    world.run()
    (board,) = world.dashboards()
    assert board["body"] != first and "pass rate 0.714" in board["body"]
    edits = [
        w for w in world.writes() if w.startswith("PATCH") and f"/issues/{board['number']}" in w
    ]
    assert len(edits) == 1


def test_body_over_the_limit_is_truncated_but_keeps_controls_and_metadata(world: World) -> None:
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_new_per_run: 5", "max_new_per_run: 5\n  body_limit: 4000"),
        "small bodies",
    )
    world.run()
    pulls = world.open_pulls().values()
    truncated = [
        p for p in pulls if "Details truncated to fit the pull request body limit" in p["body"]
    ]
    assert truncated, "the example's bodies exceed 4,000 characters"
    for pull in pulls:
        assert len(pull["body"]) <= 4000
        assert "### Promote, reject, roll back" in pull["body"]
        assert pull["body"].rstrip().endswith("-->") and "learnbot:metadata" in pull["body"]
        assert pull["body"].count("<details>") == pull["body"].count("</details>")


def test_untrusted_text_is_escaped_everywhere(world: World) -> None:
    hostile = "Ping @someone <img src=x onerror=alert(1)> [click](https://evil.example) #1 **bold**"
    world.change_main(
        "cases/it_wire_fraud.yaml",
        lambda t: t.replace(
            '"Wire-transfer fraud scored 68, just under the threshold."',
            repr(hostile).replace("'", '"'),
        ),
        "hostile description",
    )
    world.change_main(
        "cases/te_slow_burn.yaml",
        lambda t: t.replace("\"'slow burn' seen often enough\"", '"@octocat [x](http://a.b) <b>"'),
        "hostile trigger name",
    )
    unlimited(world)
    world.run()
    pulls = world.open_pulls()
    texts = [p["body"] for p in pulls.values()] + [d["body"] for d in world.dashboards()]
    texts += [c["summary"] for p in pulls.values() for c in world.checks(p["head_sha"])]
    joined = "\n".join(texts)
    assert "@someone" not in joined and "@octocat" not in joined
    assert "<img" not in joined and "<b>" not in joined
    assert (
        "](https://evil" not in joined
        and "](http://a" not in joined
        and "https://evil" not in joined
    )
    assert "@&#8203;someone" in pulls["learnbot/it_wire_fraud"]["body"]
    assert "\\#&#8203;1 " in pulls["learnbot/it_wire_fraud"]["body"]  # no issue reference


def test_check_fails_a_branch_that_edits_beyond_the_proposal(world: World) -> None:
    world.run()
    branch = "learnbot/it_wire_fraud"
    world.push_to_branch(
        branch,
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 0.9", "value: 0.95"),
        "also trust more senders",
    )
    result = world.check(branch)
    assert result.code == 1
    head = world.open_pulls()[branch]["head_sha"]
    (check,) = world.checks(head)
    assert not check["success"]
    assert "inbox_triage.trusted_reputation: changed but not declared by the proposal" in plain(
        check["summary"]
    )


def test_check_fails_a_branch_that_touches_a_ledger_or_another_file(world: World) -> None:
    world.run()
    branch = "learnbot/it_wire_fraud"
    world.push_to_branch(
        branch, "ledgers/learning.jsonl", lambda t: t + '{"forged":true}\n', "forge the ledger"
    )
    result = world.check(branch)
    assert result.code == 1
    head = world.open_pulls()[branch]["head_sha"]
    summary = plain(world.checks(head)[0]["summary"])
    assert "ledgers/learning.jsonl: touches the ledger" in summary
    world.push_to_branch(branch, "notes.txt", lambda t: "hi\n", "a stray file")
    world.check(branch)
    head = world.open_pulls()[branch]["head_sha"]
    assert "notes.txt: outside what a proposal may change (added)" in plain(
        world.checks(head)[0]["summary"]
    )


def test_check_passes_an_untouched_proposal_and_a_person_tuned_value(world: World) -> None:
    world.run()
    branch = "learnbot/it_wire_fraud"
    assert world.check(branch).code == 0
    world.push_to_branch(
        branch,
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 68", "value: 67"),
        "a reviewer prefers 67",
    )
    assert (
        world.check(branch).code == 0
    )  # same declared key, still within bounds and passing the gate


def test_reviewers_are_requested_and_statuses_can_replace_check_runs(world: World) -> None:
    if world.fake is not None:
        world.fake.set_permission("alice", "write")
    world.change_main(
        ".github/learnbot.yml",
        lambda t: (
            t.replace(
                "  labels: [learnbot]",
                "  labels: [learnbot, learning]\n  reviewers: [alice, octo-org/ml-team]",
            )
            + "checks:\n  mode: status\n  name: learnbot/gate\n"
        ),
        "reviewers and statuses",
    )
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    assert "Review requested from @alice, @octo-org/ml-team." in wire["body"]
    assert sorted(wire["labels"]) == ["learnbot", "learning"]
    if world.fake is not None:
        # people through pulls/request-reviewers; the team stays an @-mention in the body
        assert world.fake.requested_reviewers(wire["number"]) == ["alice"]
        (status,) = world.fake.statuses(wire["head_sha"])
        assert (status["context"], status["state"], status["description"]) == (
            "learnbot/gate",
            "success",
            "Gate passed",
        )
        assert world.fake.check_runs(wire["head_sha"]) == []
    else:
        (check,) = world.checks(wire["head_sha"])
        assert check["mode"] == "status" and check["name"] == "learnbot/gate"


def test_request_cost_of_a_run(world: World) -> None:
    """What the README documents: reads and writes per run and per new pull request."""
    if world.fake is None:
        pytest.skip("API requests are GitHub's: the local forge makes none")
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("max_new_per_run: 5", "max_new_per_run: 1"),
        "one at a time",
    )
    world.run()  # one new pull request, the dashboard and the review queue created
    operations = [r.operation_id for r in world.fake.requests]
    assert operations.count("pulls/create") == 1 and operations.count("issues/create") == 2
    per_pull = [
        op
        for op in operations
        if op in ("checks/list-for-ref", "checks/create", "pulls/create", "issues/add-labels")
    ]
    assert len(per_pull) == 4  # 1 read + 3 writes for each new pull request
    world.reset_log()
    world.run()  # the next one
    operations = [r.operation_id for r in world.fake.requests]
    writes = [r for r in world.fake.requests if r.method != "GET"]
    assert len(writes) == 4  # check run, pull request, labels, dashboard edit
    assert sorted(
        set(operations) - {"checks/create", "pulls/create", "issues/add-labels", "issues/update"}
    ) == [
        "checks/list-for-ref",
        "issues/list-for-repo",
        "pulls/list",
        "repos/get",
    ]


def test_check_a_pull_request_by_number(world: World) -> None:
    world.run()
    pull = world.open_pulls()["learnbot/it_wire_fraud"]
    result = world.learnbot("check", "--pr", str(pull["number"]), "--now", "2026-01-20T00:00:00Z")
    assert result.code == 0, result.err
    assert f"learnbot/it_wire_fraud at {pull['head_sha'][:12]}: Gate passed" in result.out


def test_a_pull_request_learnbot_closed_itself_is_not_a_rejection(world: World) -> None:
    world.run()
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    fix = world.change_main(
        "policies/inbox_triage.yaml",
        lambda t: t.replace("value: 70", "value: 68").replace("version: 5", "version: 6"),
        "fix it by hand",
    )
    world.run()  # closes the pull request as superseded
    world.learnbot("promote")
    assert [e["type"] for e in world.ledger()] == ["manual_change"]  # no rejection recorded
    world.revert(fix)  # the failure comes back with the same evidence
    world.run()
    reopened = world.open_pulls()["learnbot/it_wire_fraud"]
    assert reopened["number"] != wire["number"]


def test_a_configured_branch_prefix_names_the_branches_run_opens_and_prs_lists(
    world: World,
) -> None:
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace(
            "  labels: [learnbot]\n", "  labels: [learnbot]\n  branch_prefix: bot/\n"
        ),
        "use bot/ branches",
    )
    world.run()
    branches = set(world.open_pulls())
    assert "bot/it_wire_fraud" in branches
    assert all(b.startswith("bot/") for b in branches)
    listed = world.learnbot("prs")
    assert listed.code == 0, listed.err
    assert "bot/it_wire_fraud" in listed.out


def test_a_reviewer_who_cannot_review_is_a_warning_not_a_failed_run(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    if world.fake is None:
        pytest.skip("review requests are GitHub's: the local forge records the reviewers")
    world.change_main(
        ".github/learnbot.yml",
        lambda t: t.replace("  labels: [learnbot]", "  labels: [learnbot]\n  reviewers: [mallory]"),
        "a reviewer who is not a collaborator",
    )
    assert world.run().code == 0
    wire = world.open_pulls()["learnbot/it_wire_fraud"]
    assert world.fake.requested_reviewers(wire["number"]) == []
    assert "Reviews may only be requested from collaborators" in caplog.text


def test_proposal_body_charts_the_source_case_and_neighbours_against_both_thresholds(
    world: World,
) -> None:
    world.run()
    body = world.open_pulls()["learnbot/it_wire_fraud"]["body"]
    chart = body.split("```mermaid\n", 1)[1].split("```", 1)[0]
    lines = chart.splitlines()
    assert lines[0] == "xychart-beta"
    axis = next(line for line in lines if "x-axis" in line)
    assert '"it_wire_fraud - source"' in axis and axis.count('"') == 2 * 6  # six inbox cases
    bars = next(line for line in lines if "bar [" in line)
    values = [float(v) for v in bars.split("[", 1)[1].rstrip("]").split(",")]
    assert values == sorted(values)
    old, new = (line for line in lines if "line [" in line)
    assert set(old.split("[", 1)[1].rstrip("]").split(", ")) == {"70.0000"}
    assert set(new.split("[", 1)[1].rstrip("]").split(", ")) == {"68.0000"}
