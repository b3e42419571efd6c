"""The backtest learner: the search's candidates, and why each knob that gave nothing gave it.

Single knobs and a spent budget are covered with the search in test_search.py.
"""

from __future__ import annotations

from bot.core import sandbox
from bot.core.learners import Candidates, Context
from bot.core.learners import backtest as learner
from bot.model import Config
from tests.builders import case, event, parameter, policy, snapshot
from tests.core.test_search import SPIKE, ops_case, replay_of


def _ranked(subject_id: str, replay: sandbox.Replay) -> Candidates:
    context = Context(Config(), replay.cases, replay.params, replay.snapshots, (), at=0)
    return learner.ranked(context, subject_id, "failure_x")


def test_backtest_learner_names_a_knob_left_out_of_the_passing_pairs() -> None:
    snap = snapshot([event(2, "metric", values={"latency_ms": 450, "errors": 3})])
    subject = ops_case("both_short", snap.sha256)
    ranked = _ranked("both_short", replay_of([subject], snap, SPIKE))
    assert [c.proposal_type for c in ranked.items][:1] == ["combined_adjustment"]
    assert [(d.description, d.reason) for d in ranked.dropped] == [
        (
            "window ops.window_days",
            "no move within its bounds alone makes the case pass, nor does any pair with it "
            "of the fewest steps",
        )
    ]


def test_backtest_learner_says_when_neither_one_knob_nor_two_make_the_case_pass() -> None:
    snap = snapshot([event(1, term="x")])
    tight = policy(parameters={"min_count": parameter(3, 3, 10), "window_days": parameter(7, 7, 7)})
    subject = case("c", snap.sha256)
    ranked = _ranked("c", replay_of([subject], snap, tight))
    assert ranked.items == ()
    reason = "no move within its bounds makes the case pass, alone or with one other knob"
    assert [(d.description, d.reason) for d in ranked.dropped] == [
        ("threshold p.min_count", reason),
        ("window p.window_days", reason),
    ]
