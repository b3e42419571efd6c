"""`learnbot loop --dry-run` plans exactly what `run` would do, and says what it describes."""

from __future__ import annotations

import json
from typing import Any

from tests.harness import NOW, World


def _cases(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in actions if "/" not in a["subject"]]


def test_loop_plans_what_run_then_does(world: World) -> None:
    planned = world.learnbot("loop", "--dry-run", "--json", "--now", NOW)
    assert planned.code == 0, planned.err
    plan = json.loads(planned.out)
    same = json.loads(world.learnbot("run", "--dry-run", "--json", "--now", NOW).out)
    assert plan["revision"] == same["base"]
    # the learners' gates include measured replay costs; the backtest plan is exact
    assert _cases(plan["actions"]) == _cases(same["actions"])
    kinds = [a["kind"] for a in plan["actions"]]
    assert kinds.count("open") == 5 and "held" in kinds  # max_new_per_run: 5, the rest held
    held = [a for a in plan["actions"] if a["kind"] == "held"]
    assert all(a["reason"] == "held back by the pull request limits" for a in held)
    assert plan["working_tree_differs"] == []

    assert world.run().code == 0
    opened = {a["branch"] for a in _cases(plan["actions"]) if a["kind"] == "open"}
    assert {b for b in world.open_pulls() if b.count("/") == 1} == opened
    text = world.learnbot("loop", "--dry-run", "--now", NOW).out
    assert "note: the working tree differs" not in text
    assert "pull requests that would be opened, updated, closed: " in text  # the held ones next
    for branch in opened:
        subject = branch.removeprefix("learnbot/")
        assert any(line.startswith(subject) and " keep " in line for line in text.splitlines())


def test_loop_says_when_the_working_tree_is_not_the_default_branch(world: World) -> None:
    path = world.repo / "policies/momentum.yaml"
    path.write_text(path.read_text().replace("value: 48", "value: 60"))
    (world.repo / "cases/extra.yaml").write_text("id: extra\n")
    result = world.learnbot("loop", "--dry-run", "--now", NOW)
    assert (
        "note: the working tree differs from main in cases/extra.yaml, policies/momentum.yaml: "
        "this plan describes main on origin, not the working tree"
    ) in result.out
    assert result.code == 0  # the invalid case is only in the working tree


def test_loop_lists_invalid_files_instead_of_dropping_them(world: World) -> None:
    world.change_main("cases/te_slow_burn.yaml", lambda t: t + "unknown_key: 1\n", "break a case")
    result = world.learnbot("loop", "--dry-run", "--now", NOW)
    assert result.code == 2
    invalid = result.out.split("invalid files (left out of the plan, as run leaves them out):")[1]
    assert "cases/te_slow_burn.yaml" in invalid and "unknown_key" in invalid
