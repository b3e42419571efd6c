"""`learnbot cards` on the example state and on a history built in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.harness import World
from tests.repos import commit_all, make_repo


def test_cards_name_a_weakness_for_every_family_with_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r")
    assert main(["backtest", "--repo", str(root), "--json"]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert main(["cards", "--repo", str(root), "--json", "--now", "2026-01-16T00:00:00Z"]) == 0
    found = {(c["kind"], c["name"]): c for c in json.loads(capsys.readouterr().out)}
    failing = {r["case_id"] for r in results if r["status"] in ("MISS", "ABSTAIN")}
    families = {"cv": "conviction", "it": "inbox_triage", "mo": "momentum", "te": "term_emergence"}
    for prefix, family in families.items():
        card = found[("family", family)]
        assert any(c.startswith(prefix) for c in failing)
        assert card["weaknesses"], family
        assert card["failure_modes"], family
    abstains = found[("family", "term_emergence")]["weaknesses"]
    assert any(w.startswith("frequent abstains: 1 case(s)") for w in abstains)
    crl = {t["objective"]: t for t in found[("family", "inbox_triage")]["trends"]}["crl"]
    assert crl["now"] is not None and crl["delta_7d"] is not None  # from runs.jsonl
    assert {k for k, _ in found} == {"family", "policy", "producer", "agent"}
    agent = found[("agent", "inbox_triage")]  # the label learners' agent: judges and its rule
    assert any(s.startswith("reliable judge gpt-4") for s in agent["strengths"])
    assert any(w.startswith("unreliable judge gpt-35-turbo") for w in agent["weaknesses"])
    assert any(w.startswith("misses: the rule stays quiet") for w in agent["weaknesses"])
    assert {t["objective"] for t in agent["trends"]} >= {"rule_accuracy", "judge_agreement"}
    assert ("policy", "conviction_weights") in found
    assert ("policy", "inbox_triage") not in found  # the same cases as the family of that name
    weak = found[("producer", "sentiment_scan")]["weaknesses"]
    assert any(w.startswith("low win rate") for w in weak)


def test_cards_trend_compares_with_the_commit_current_7_days_ago(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "r", date="2026-01-10T00:00:00Z")
    policy = root / "policies/inbox_triage.yaml"
    policy.write_text(policy.read_text().replace("value: 70", "value: 68", 1))
    commit_all(root, "lower the risk threshold", date="2026-01-20T00:00:00Z")
    out = tmp_path / "cards"
    code = main(["cards", "--repo", str(root), "--out", str(out), "--now", "2026-01-21T00:00:00Z"])
    assert code == 0
    card = json.loads((out / "family-inbox_triage.json").read_text())
    trend = {t["objective"]: t for t in card["trends"]}["pass_rate"]
    assert trend["delta_7d"] == pytest.approx(1 / 6, abs=1e-6)  # it_wire_fraud now passes
    assert trend["delta_30d"] is None  # no commit that old
    markdown = (out / "family-inbox_triage.md").read_text()
    assert markdown.startswith("## family `inbox_triage`") and "+0.167" in markdown
    assert capsys.readouterr().out == ""  # --out alone prints no cards


def test_the_dashboard_links_each_component_to_its_card_in_full(world: World) -> None:
    assert world.run().code == 0
    (board,) = world.dashboards()
    body = board["body"]
    for kind, name in (("family", "inbox_triage"), ("producer", "sentiment_scan")):
        anchor = f"card-{kind}-{name}"
        assert f"| [{kind} `{name}`](#{anchor}) |" in body
        assert f'<a id="{anchor}"></a>\n\n#### {kind} `{name}`' in body
    assert "| [agent `inbox_triage`](#card-agent-inbox_triage) |" in body
    card = body[body.index('<a id="card-agent-inbox_triage">') :]
    assert "reliable judge gpt" in card and "**Failure modes**" in card
