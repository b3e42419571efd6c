"""Run every case; a failing custom evaluator becomes an ERROR result, never a crash."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from bot.core.evaluate import (
    ABSTAIN,
    ERROR,
    HIGH,
    HIT,
    LOW,
    MED,
    MISS,
    UNKNOWN,
    Evaluator,
    Result,
    Seeded,
    evaluate_all,
)
from bot.core.params import Params
from bot.model import Case
from bot.model.snapshot import Snapshot

STATUSES = (HIT, MISS, ABSTAIN, ERROR, UNKNOWN)
CONFIDENCES = (HIGH, MED, LOW)


@dataclass(frozen=True)
class Summary:
    """Counts and rates over one backtest."""

    total: int
    counts: Mapping[str, int]
    failures: int
    pass_rate: float
    avg_score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hit": self.counts[HIT],
            "miss": self.counts[MISS],
            "abstain": self.counts[ABSTAIN],
            "error": self.counts[ERROR],
            "unknown": self.counts[UNKNOWN],
            "failures": self.failures,
            "pass_rate": self.pass_rate,
            "avg_score": self.avg_score,
        }


def run_case(
    case: Case, params: Params, snapshot: Snapshot, evaluator: Evaluator, seed: int = 0
) -> Result:
    """One case under a custom evaluator; the exceptions it raises become an ERROR result.

    A stochastic (`Seeded`) evaluator gets `seed`; every other evaluator ignores it.
    """
    try:
        if isinstance(evaluator, Seeded):
            return coerce(case, evaluator(case, params, snapshot, seed))
        return coerce(case, evaluator(case, params, snapshot))
    except Exception as exc:  # a team's evaluator may raise anything; report it per case
        return Result(
            case.id, ERROR, 0.0, LOW, expect=case.expect, error=f"{type(exc).__name__}: {exc}"
        )


def run(
    cases: Iterable[Case],
    params: Params,
    snapshots: Mapping[str, Snapshot],
    evaluators: Mapping[str, Evaluator] | None = None,
    *,
    seed: int = 0,
) -> tuple[Result, ...]:
    """Every case in id order (stochastic evaluators under `seed`).

    Cases of the built-in evaluator are evaluated together, snapshot by snapshot.
    """
    chosen = evaluators or {}
    ordered = sorted(cases, key=attrgetter("id"))
    shas = [c.snapshot_sha256 for c in ordered]
    if not chosen and len(set(shas)) <= 1:  # one batch, in id order already
        return evaluate_all(ordered, params, snapshots[shas[0]]) if shas else ()
    builtin: dict[str, list[int]] = {}
    for index, case in enumerate(ordered):
        if chosen.get(case.id) is None:
            builtin.setdefault(case.snapshot_sha256, []).append(index)
    found: dict[int, Result] = {}
    for sha256, indexes in builtin.items():
        batch = evaluate_all([ordered[i] for i in indexes], params, snapshots[sha256])
        found.update(zip(indexes, batch, strict=True))
    return tuple(
        found.get(index)
        or run_case(case, params, snapshots[case.snapshot_sha256], chosen[case.id], seed)
        for index, case in enumerate(ordered)
    )


def stochastic(case_ids: Iterable[str], evaluators: Mapping[str, Evaluator]) -> bool:
    """Whether any of these cases has a stochastic evaluator (so seeds can change outcomes)."""
    return any(isinstance(evaluators.get(i), Seeded) for i in case_ids)


def summarize(results: Iterable[Result]) -> Summary:
    """Counts by status, failures (MISS, or ABSTAIN with HIGH confidence), pass rate, mean score.

    Rates are over the cases that could be evaluated: an UNKNOWN case neither passes nor fails.
    """
    listed = list(results)
    counts = {status: sum(r.status == status for r in listed) for status in STATUSES}
    known = [r for r in listed if r.status != UNKNOWN]
    return Summary(
        total=len(listed),
        counts=counts,
        failures=sum(r.failed for r in listed),
        pass_rate=round(counts[HIT] / len(known), 6) if known else 0.0,
        avg_score=round(sum(r.score for r in known) / len(known), 6) if known else 0.0,
    )


def coerce(case: Case, returned: Result | Mapping[str, Any]) -> Result:
    """Accept a Result, or a mapping with status, score and confidence, from an evaluator."""
    if isinstance(returned, Result):
        return returned
    if not isinstance(returned, Mapping):
        raise TypeError(
            f"an evaluator must return a Result or a mapping, not {type(returned).__name__}"
        )
    status = returned.get("status")
    confidence = returned.get("confidence", LOW)
    if status not in (HIT, MISS, ABSTAIN) or confidence not in CONFIDENCES:
        raise ValueError(
            f"status must be HIT, MISS or ABSTAIN and confidence HIGH, MED or LOW: {returned!r}"
        )
    score = float(returned.get("score", 1.0 if status == HIT else 0.0))
    fired = status != ABSTAIN and (status == HIT) == (case.expect == "fire")
    return Result(case.id, status, round(score, 6), confidence, fired=fired, expect=case.expect)
