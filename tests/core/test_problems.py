from __future__ import annotations

from bot.core.problems import root_causes
from bot.model import Problem


def test_root_causes_names_the_cases_an_invalid_policy_left_out_once() -> None:
    first = Problem("policies/p.yaml", 3, "/version", "missing")
    second = Problem("policies/p.yaml", 9, "/parameters/x/value", "out of bounds")
    found = root_causes([second, first, first], {"policies/p.yaml": [f"c{i}" for i in range(7)]})
    assert [p.line for p in found] == [3, 9]
    assert found[0].message == (
        "missing (7 case(s) that use it left out until it is fixed: c0, c1, c2, c3, c4, ...)"
    )
    assert found[1] == second


def test_root_causes_reports_a_changed_snapshot_on_its_first_case_only() -> None:
    message = "snapshot d.jsonl has sha256 b, the case pins a"
    same = [Problem(f"cases/{n}.yaml", 5, "/snapshot/sha256", message) for n in "zab"]
    other = Problem("cases/q.yaml", 5, "/snapshot/sha256", "snapshot e.jsonl has sha256 c")
    found = root_causes([*same, other], {})
    assert [p.path for p in found] == ["cases/a.yaml", "cases/q.yaml"]
    assert found[0].message == message + " (also pinned by 2: b, z)"
    assert found[1] == other
