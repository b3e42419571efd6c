"""proposal: what a pull request carries, round-tripped through its documented dict."""

from __future__ import annotations

from bot.model.proposal import Change, Proposal


def test_proposal_round_trips_with_moves_manifest_and_explanation() -> None:
    proposal = Proposal(
        proposal_id="proposal_1",
        created_at="2026-01-01T00:00:00Z",
        source_failure_id="skills_1",
        subject="skills",
        learner="skills",
        proposal_type="skill_lifecycle",
        change_description="Move 1 skill file(s) by score.",
        affected_components=("policies/skills/active/a.md",),
        changes=(),
        versions={},
        expected_delta={"improved_cases": []},
        validation_plan={"sandbox_cases": []},
        evidence_digest="e",
        rent_manifest_draft={"id": "p.x"},
        moves=(("policies/skills/pending/a.md", "policies/skills/active/a.md"),),
        explanation=({"skill": "a.md"},),
    )
    data = proposal.as_dict()
    assert data["moves"] == [
        {"from": "policies/skills/pending/a.md", "to": "policies/skills/active/a.md"}
    ]
    assert data["rent_manifest_draft"] == {"id": "p.x"} and data["explanation"] == [
        {"skill": "a.md"}
    ]
    assert Proposal.from_dict(data) == proposal
    assert proposal.keys == ("policies/skills/pending/a.md",)
    assert proposal.title() == "learnbot(skills): skill lifecycle for skills (1 skill file(s))"


def test_proposal_with_changes_names_them_in_its_title() -> None:
    change = Change("p", "parameters.a", 1, 2)
    proposal = Proposal(
        "proposal_2",
        "t",
        "f",
        "c",
        "backtest",
        "threshold_adjustment",
        "why",
        (),
        (change,),
        {"p": (1, 2)},
        {},
        {},
        "e",
    )
    assert proposal.keys == ("p.a",)
    assert "threshold adjustment for c (" in proposal.title()
    data = proposal.as_dict()
    assert "moves" not in data and "rent_manifest_draft" not in data
    assert Proposal.from_dict(data) == proposal
