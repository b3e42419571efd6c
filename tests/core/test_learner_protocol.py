"""The registered learners as the pipeline sees them: subjects, candidates or a skip, evidence.

Each learner is driven through its `Learner` methods on a small state built here, with no
files: what it reads arrives in the context, as the edges would load it.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from bot.core.history import History
from bot.core.learners import (
    Candidate,
    Candidates,
    Context,
    Skip,
    failure_id,
    forecasts,
    karma,
    skills,
    weighting,
    weights,
)
from bot.core.learners.registry import LEARNERS
from bot.core.params import Params
from bot.model import Config, Forecast, Policy, Position, format_time, parse_time
from bot.model.entries import Recorded
from bot.model.proposal import Change
from bot.model.report import Consistency, Objective
from tests.builders import promotion, rollback, sealed

DAY = 86400
NOW = parse_time("2026-01-20T00:00:00Z")
DOMAINS = ("macro", "onchain", "sentiment", "technical")


def _weights_policy(**extra: Any) -> Policy:
    parameters = {d: {"value": 0.25, "min": 0.05, "max": 0.4, "step": 0.0001} for d in DOMAINS}
    data = {"name": "conviction_weights", "version": 1, "kind": "weights"}
    return Policy.from_dict(
        "policies/conviction_weights.yaml", {**data, "parameters": parameters, **extra}
    )


def _karma_policy(as_of: str | None = None) -> Policy:
    parameters = {p: {"value": 0.0, "min": -1, "max": 1, "step": 0.000001} for p in ("a", "b")}
    data: dict[str, Any] = {"name": "producer_karma", "version": 1, "kind": "karma"}
    if as_of:
        data["as_of"] = as_of
    return Policy.from_dict("policies/producer_karma.yaml", {**data, "parameters": parameters})


def _positions(count: int = 60, *, signal: str = "technical") -> tuple[Position, ...]:
    """Positions whose outcome follows one domain's score: that domain should gain weight."""
    found = []
    for i in range(count):
        score = math.sin(i * 1.7)
        scores = {
            d: (score if d == signal else math.cos(i * (2.3 + k))) for k, d in enumerate(DOMAINS)
        }
        closed = NOW - (count - i) * DAY // 3
        found.append(
            Position(
                f"p{i}",
                closed - DAY,
                closed,
                10.0 if score > 0 else -10.0,
                scores,
                "bull",
                ("a",) if i % 2 else ("a", "ghost"),
            )
        )
    first = Position("p-old", NOW - 201 * DAY, NOW - 200 * DAY, 1.0, {}, "bull", ("a",))
    return (first, *found)


def _context(
    *policies: Policy, inputs: dict[str, tuple[Any, ...]] | None = None, **extra: Any
) -> Context:
    return Context(
        config=Config(),
        cases={},
        params=Params({p.name: p for p in policies}),
        snapshots={},
        failures=(),
        at=NOW,
        inputs=inputs or {},
        **extra,
    )


def test_learner_registry_names_match_and_types_are_declared() -> None:
    for name, learner in LEARNERS.items():
        assert learner.name == name
        assert len(set(learner.proposal_types)) == len(learner.proposal_types)


def test_learner_candidate_rank_follows_the_declared_order() -> None:
    a = Candidate("y", (Change("p", "parameters.a", 1, 2),), "r")
    b = Candidate("x", (Change("p", "parameters.a", 1, 3),), "r")
    assert a.rank(("y", "x")) < b.rank(("y", "x"))
    with pytest.raises(ValueError, match="declared: none"):
        a.rank(())
    assert failure_id("l", "s", a) == failure_id("l", "s", a).lower()
    assert failure_id("l", "s", a) != failure_id("l", "t", a)


def test_learner_context_reads_inputs_by_name() -> None:
    context = _context(inputs={"positions": (1, 2), "skills": (("a.md", "x"),)})
    assert context.lines(weights.POSITIONS) == (1, 2)
    assert context.texts(skills.SKILL_FILES) == {"a.md": "x"}
    assert context.lines(forecasts.FORECASTS) == ()
    assert context.values_at("c", "p") == {}


def test_learner_weights_nudges_toward_the_predictive_domain() -> None:
    policy = _weights_policy()
    context = _context(policy, inputs={"positions": _positions()}, force=True)
    learner = LEARNERS["weights"]
    (subject,) = learner.subjects(context)
    assert subject == "weights/conviction_weights"
    found = learner.candidates(context, subject)
    assert isinstance(found, Candidates)
    (candidate,) = found.items
    assert candidate.proposal_type == "weight_adjustment"
    moved = {c.target: c.new for c in candidate.changes}
    assert moved["parameters.technical"] > 0.25
    assert [row["domain"] for row in candidate.explanation] == sorted(DOMAINS)
    measure = learner.measure(context, subject)
    assert measure is not None
    evidence = measure(candidate)
    assert isinstance(evidence, Objective) and evidence.delta > 0 and evidence.required
    assert learner.sections(context) == ()
    assert learner.rules().rules[0].__class__.__name__ == "ObjectiveImproves"


def test_learner_weights_skips_say_why() -> None:
    learner = LEARNERS["weights"]
    subject = "weights/conviction_weights"
    missing = learner.candidates(_context(), subject)
    assert missing == Skip("no weights policy 'conviction_weights' in policies/")
    assert learner.measure(_context(), subject) is None
    empty = learner.candidates(_context(_weights_policy(), force=True), subject)
    assert empty == Skip("no closed outcomes yet", conclusive=True)


def test_learner_weights_waits_for_its_cadence_and_reverts_after_degrading() -> None:
    policy = _weights_policy(defaults=dict.fromkeys(DOMAINS, 0.25))
    promoted = [
        promotion(
            f"c{i}",
            subject="weights/conviction_weights",
            parent=f"c{i - 1}" if i else "",
            at=format_time(NOW - (3 - i) * 2 * DAY),
        )
        for i in range(3)
    ]
    history = History(sealed(*promoted, rollback("r", "none")))

    def values_at(commit: str, path: str) -> dict[str, float]:
        # each promotion moved weight away from the domain that predicts outcomes
        step = int(commit[1:]) + 1 if commit else 0
        return {d: 0.25 + (0.01 * step if d == "macro" else -0.01 * step / 3) for d in DOMAINS}

    positions = _positions(90)
    context = _context(
        policy, inputs={"positions": positions}, history=history, values_at=values_at
    )
    learner = LEARNERS["weights"]
    assert learner.candidates(context, "weights/conviction_weights") == Skip(
        "not due (every 7 days)"
    )
    forced = Context(**{**context.__dict__, "force": True})
    found = learner.candidates(forced, "weights/conviction_weights")
    assert isinstance(found, Candidates)
    assert found.items[0].proposal_type in ("weights_revert", "weight_adjustment")


def test_learner_weights_revert_is_reported_not_required() -> None:
    policy = _weights_policy(
        defaults={"macro": 0.1, "onchain": 0.3, "sentiment": 0.3, "technical": 0.3}
    )
    context = _context(policy, inputs={"positions": _positions()})
    revert = Candidate(
        "weights_revert",
        tuple(
            Change("conviction_weights", f"parameters.{d}", 0.25, v)
            for d, v in policy.defaults.items()
        ),
        "revert",
    )
    measure = LEARNERS["weights"].measure(context, "weights/conviction_weights")
    assert measure is not None
    evidence = measure(revert)
    assert isinstance(evidence, Objective) and evidence.required is False


def test_learner_karma_proposes_the_ema_and_checks_against_it() -> None:
    context = _context(_karma_policy(), inputs={"positions": _positions(10)})
    learner = LEARNERS["karma"]
    (subject,) = learner.subjects(context)
    found = learner.candidates(context, subject)
    assert isinstance(found, Candidates)
    assert found.notes == ("no entry for producer(s) ghost in policies/producer_karma.yaml",)
    (candidate,) = found.items
    assert [c.key for c in candidate.changes] == ["producer_karma.a", "producer_karma.as_of"]
    assert [row["producer"] for row in candidate.explanation] == ["a"]
    measure = learner.measure(context, subject)
    assert measure(candidate) == Consistency("the karma EMA recomputed from the outcomes", True, "")
    edited = Candidate("karma_update", candidate.changes[1:], "x")
    assert not measure(edited).matches
    assert learner.sections(context) == ()


def test_learner_karma_without_a_policy_or_new_outcomes() -> None:
    learner = LEARNERS["karma"]
    assert learner.candidates(_context(), "karma/producer_karma") == Skip(
        "no karma policy 'producer_karma' in policies/", conclusive=True
    )
    assert learner.measure(_context(), "karma/producer_karma")(
        Candidate("karma_update", (), "x")
    ).matches
    later = _context(_karma_policy(format_time(NOW)), inputs={"positions": _positions(10)})
    assert learner.candidates(later, "karma/producer_karma") == Skip(
        "no outcomes closed since the last update", conclusive=True
    )


def test_learner_skills_moves_by_score_and_notes_unscored_files() -> None:
    texts = (
        ("policies/skills/pending/a.md", "score: 4\n"),
        ("policies/skills/active/b.md", "no score\n"),
    )
    context = _context(inputs={"skills": texts})
    learner = LEARNERS["skills"]
    assert learner.subjects(context) == ("skills",)
    found = learner.candidates(context, "skills")
    assert isinstance(found, Candidates)
    assert found.notes == ("no score line in policies/skills/active/b.md",)
    (candidate,) = found.items
    assert candidate.moves == (("policies/skills/pending/a.md", "policies/skills/active/a.md"),)
    assert candidate.explanation[0]["to"] == "active"
    assert learner.measure(context, "skills")(candidate).matches
    assert learner.sections(context) == ()
    still = _context(inputs={"skills": texts[1:]})
    assert learner.candidates(still, "skills") == Skip(
        "no skill crossed a threshold",
        conclusive=True,
        notes=("no score line in policies/skills/active/b.md",),
    )


def test_learner_forecasts_only_reports() -> None:
    learner = LEARNERS["forecasts"]
    assert learner.subjects(_context()) == ()
    assert learner.candidates(_context(), "x") == Skip("the forecasts learner only reports")
    assert learner.measure(_context(), "x") is None
    assert learner.sections(_context()) == ()
    assert learner.rules().rules == ()  # an empty AllOf: nothing it proposes could pass
    calls = tuple(
        Forecast(f"f{i}", f"t{i // 2}", "ab"[i % 2], "up", 0.6, i % 3 == 0, "bull", NOW)
        for i in range(8)
    )
    (section,) = learner.sections(_context(inputs={"forecasts": calls}))
    assert section.template == "forecasts.md.j2" and section.context["shadow"] is True


def test_learner_backtest_skips_a_case_that_does_not_fail() -> None:
    learner = LEARNERS["backtest"]
    assert learner.subjects(_context()) == ()
    assert learner.candidates(_context(), "c") == Skip("c does not fail", conclusive=True)
    assert learner.measure(_context(), "c") is None
    assert learner.sections(_context()) == ()


def test_learner_every_learner_is_on_by_default_and_reads_configured_paths() -> None:
    config = Config()
    assert all(learner.enabled(config) for learner in LEARNERS.values())
    assert skills.SKILL_FILES.directories(config) == (
        "policies/skills/pending",
        "policies/skills/active",
        "policies/skills/archived",
    )
    assert weights.POSITIONS.path(config) == karma.POSITIONS.path(config)
    backwards = Position("p", NOW, NOW - DAY, 1.0)
    assert weights.POSITIONS.check(backwards) == ("/closed_at", "p: closed before it opened")
    assert karma.POSITIONS.check(Position("q", NOW - DAY, NOW, 1.0)) is None


def test_learner_karma_without_unknown_producers_has_no_note() -> None:
    known = tuple(
        Position(f"p{i}", NOW - 3 * DAY, NOW - DAY, 1.0, {}, "", ("a",)) for i in range(2)
    )
    found = LEARNERS["karma"].candidates(
        _context(_karma_policy(), inputs={"positions": known}), "k"
    )
    assert isinstance(found, Candidates) and found.notes == ()


def test_learner_weights_nothing_moves_without_a_signal() -> None:
    flat = tuple(
        Position(
            f"p{i}",
            NOW - 2 * DAY,
            NOW - DAY + i,
            1.0 if i % 2 else -1.0,
            dict.fromkeys(DOMAINS, 0.0),
        )
        for i in range(30)
    )
    old = Position("old", NOW - 300 * DAY, NOW - 299 * DAY, 1.0)
    context = _context(_weights_policy(), inputs={"positions": (old, *flat)}, force=True)
    assert LEARNERS["weights"].candidates(context, "weights/conviction_weights") == Skip(
        "no domain weight moved by a whole step", conclusive=True
    )


def test_learner_weights_reverts_after_consecutive_degrading_promotions() -> None:
    defaults = {"technical": 0.3, "onchain": 0.25, "sentiment": 0.25, "macro": 0.2}
    policy = _weights_policy(defaults=defaults)
    subject = "weights/conviction_weights"
    times = [NOW - 25 * DAY, NOW - 20 * DAY, NOW - 15 * DAY]
    entries: list[Recorded] = [
        promotion(f"after{i}", subject=subject, parent=f"before{i}", at=format_time(t))
        for i, t in enumerate(times)
    ]
    entries += [
        promotion("k", subject="karma/x", parent="j", at=format_time(NOW)),
        promotion("undone", subject=subject, parent="p", at=format_time(NOW)),
        rollback("r", "undone"),
        promotion("first", subject=subject, at=format_time(NOW)),
    ]
    good = {"technical": 0.4, "macro": 0.2, "onchain": 0.2, "sentiment": 0.2}
    bad = {"technical": 0.05, "macro": 0.3167, "onchain": 0.3167, "sentiment": 0.3166}

    def values_at(commit: str, path: str) -> dict[str, float]:
        return good if commit.startswith("before") else bad

    context = _context(
        policy,
        inputs={"positions": _positions(90)},
        history=History.of(entries),
        values_at=values_at,
    )
    found = LEARNERS["weights"].candidates(context, subject)
    assert isinstance(found, Candidates)
    (candidate,) = found.items
    assert candidate.proposal_type == "weights_revert"
    assert candidate.explanation[0]["why"].startswith("the last 3 adjustments each degraded")
    assert candidate.rationale.startswith("Revert the domain weights")


def test_learner_weights_objective_ignores_other_policies_changes() -> None:
    policy = _weights_policy()
    context = _context(policy, inputs={"positions": _positions()})
    measure = LEARNERS["weights"].measure(context, "weights/conviction_weights")
    assert measure is not None
    other = Candidate(
        "weight_adjustment", (Change("other", "parameters.technical", 0.25, 0.4),), "x"
    )
    evidence = measure(other)
    assert isinstance(evidence, Objective) and evidence.delta == 0.0


def test_learner_forecasts_ensemble_skips_single_and_split_calls() -> None:
    calls = [
        Forecast("a", "t1", "x", "up", 0.6, True, "bull", NOW),
        Forecast("b", "t2", "x", "up", 0.6, True, "bull", NOW),
        Forecast("c", "t2", "y", "down", 0.6, False, "bull", NOW),
    ]
    assert forecasts.ensemble(calls, activation=1).patterns == ()


def test_learner_describe_rules_and_weights_grid_edges() -> None:
    moved = Candidate("skill_lifecycle", (), "x", moves=(("a/p/x.md", "a/q/x.md"),))
    assert moved.describe() == "skill_lifecycle: a/p/x.md -> a/q/x.md"
    for name in ("karma", "skills"):
        assert LEARNERS[name].rules().rules[0].__class__.__name__ == "MatchesRecomputation"
    # every weight pinned at the ceiling: the remainder cannot be placed, the loop runs out
    pinned = weighting.on_grid({"a": 0.5, "b": 0.5}, step=0.1, floor=0.1, ceiling=0.4)
    assert pinned == {"a": 0.4, "b": 0.4}
    # exact on the grid already: nothing left to place
    assert weighting.on_grid({"a": 0.5, "b": 0.5}, step=0.1, floor=0.0, ceiling=1.0) == {
        "a": 0.5,
        "b": 0.5,
    }
    assert weighting.objective({"a": 1.0}, [], flat_band=0.01) == (0.0, 0.0)
