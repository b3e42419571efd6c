"""The watch after a promotion (001, 004): the active values' online metrics after the merge
against those before it, for `watch_days`; a significant regression asks for a revert.

Only the control arm counts: it is the traffic the policy's active values decide, before the
merge with the old values and after it with the new ones. A rollout's stage steps change no
active value; the rollout learner keeps comparing the arms at every stage instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.learners.configs import RolloutLearnerConfig
from bot.core.learners.rollout import Measured, measure, rules
from bot.model import Sample, parse_time
from bot.model.entries import Promotion, Recorded, Rollback, seq
from bot.model.rollout import CANDIDATE, CONTROL

REGRESSED, HOLDING, WATCHING = "regressed", "holding", "watching"
_DAY = 86400


@dataclass(frozen=True)
class Watched:
    """One promoted policy under watch: its ledger entry and what the metrics say so far."""

    entry: Promotion
    policy: str
    verdict: str
    reason: str
    before: int
    after: int
    measured: tuple[Measured, ...] = ()
    # without online metrics: the current cases replayed under the values before and after
    backtest: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": seq(self.entry),
            "commit": self.entry.commit,
            "pr": self.entry.pr,
            "at": self.entry.at,
            "policy": self.policy,
            "verdict": self.verdict,
            "reason": self.reason,
            "samples": {"before": self.before, "after": self.after},
            "metrics": [m.as_dict() for m in self.measured],
            "backtest": dict(self.backtest) if self.backtest is not None else None,
        }


def under_watch(entries: Sequence[Recorded], *, now: int, days: int) -> list[tuple[Promotion, str]]:
    """(promotion, policy) for every promotion in its watch period that changed active values."""
    reverted = {e.reverted for e in entries if isinstance(e, Rollback)}
    found = []
    for entry in entries:
        if not isinstance(entry, Promotion) or entry.commit in reverted:
            continue
        at = parse_time(entry.at)
        if not at <= now < at + days * _DAY:
            continue
        keys = [k for k in entry.values if k.count(".") == 1]  # policy.parameter
        found += [(entry, name) for name in sorted({k.split(".", 1)[0] for k in keys})]
    return found


def judge(
    entry: Promotion,
    policy: str,
    samples: Sequence[Sample],
    config: RolloutLearnerConfig,
) -> Watched:
    """Compare the control arm after the merge with the same span before it."""
    at = parse_time(entry.at)
    span = config.watch_days * _DAY
    control = [s for s in samples if s.arm == CONTROL]
    # the measuring code compares a control arm with a candidate arm: before is the control
    before = [Sample(s.ts, CONTROL, s.metrics) for s in control if at - span <= s.ts < at]
    after = [Sample(s.ts, CANDIDATE, s.metrics) for s in control if at <= s.ts < at + span]
    measured = tuple(measure(rule, [*before, *after], config) for rule in rules(config.metrics))
    counts = len(before), len(after)
    regressed = [m for m in measured if m.outcome == "regressed"]
    if regressed:
        worst = "; ".join(f"{m.metric} {m.improvement:+.1%} (p={m.p_value:.4f})" for m in regressed)
        return Watched(
            entry, policy, REGRESSED, f"worse after the merge: {worst}", *counts, measured=measured
        )
    if any(m.outcome == "too few samples" for m in measured):
        reason = f"too few samples yet (needs {config.min_samples} before and after the merge)"
        return Watched(entry, policy, WATCHING, reason, *counts, measured=measured)
    return Watched(entry, policy, HOLDING, "no significant regression", *counts, measured=measured)
