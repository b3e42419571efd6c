"""Trailers: what a proposal commit declares is built and parsed in one place."""

from __future__ import annotations

from bot.model import trailers
from bot.model.trailers import ProposalTrailers

DECLARED = ProposalTrailers(
    proposal_id="proposal_1",
    failure_id="failure_a_1",
    report_sha256="ab" * 32,
    learner="weights",
    proposal_type="weight_adjustment",
    subject="weights/w",
    changes=("w.a", "w.b"),
)


def test_trailers_round_trip_through_a_commit_message() -> None:
    message = "title\n\nwhy it changes\n\n" + "\n".join(DECLARED.lines()) + "\n"
    parsed = trailers.parse(message)
    assert parsed[trailers.CHANGE] == ("w.a", "w.b")
    assert ProposalTrailers.parse(parsed) == DECLARED


def test_trailers_only_the_last_paragraph_counts() -> None:
    assert trailers.parse("Learnbot-Proposal: p\n") == {}
    assert trailers.parse("t\n\nLearnbot-Proposal: p\n\nplain text: here too") == {}
    assert trailers.parse("t\n\nnot a key!: x\nLearnbot-Type: t") == {"Learnbot-Type": ("t",)}


def test_trailers_without_a_proposal_declare_none() -> None:
    assert ProposalTrailers.parse({trailers.LEDGER: ("3 entries through abc",)}) is None
    assert ProposalTrailers.parse({}) is None
    minimal = ProposalTrailers.parse({trailers.PROPOSAL: ("p",)})
    assert minimal == ProposalTrailers("p")


def test_trailers_ledger_line_is_found_by_its_key() -> None:
    message = f"learnbot: record\n\n{trailers.ledger_line(2, 'abc', 'f' * 64)}\n"
    assert trailers.parse(message) == {
        trailers.LEDGER: (f"2 entries through abc, head {'f' * 64}",)
    }
