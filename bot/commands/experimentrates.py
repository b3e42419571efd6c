"""The experiments on the dashboard: success rates per learner and proposal type, and the
proposals the gate refused this run."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.core import experiments, jsonline
from bot.core.pipeline import Outcome
from bot.edges import render
from bot.edges.forge import PullRequest
from bot.model import Config
from bot.model.entries import Recorded

REFUSED = re.compile(r"<!-- learnbot:experiments (\{.*?\}) -->", re.DOTALL)


def as_pulls(found: Sequence[PullRequest]) -> list[experiments.Pull]:
    """Learnbot's proposals (metadata with a proposal id) as the registry sees them; a labels
    pull request imports examples, it replays no candidate, so it is no experiment."""
    return [
        experiments.Pull(p.number, p.branch, p.state, p.metadata)
        for p in found
        if p.metadata.get("proposal_id")
    ]


def dashboard_section(
    entries: Sequence[Recorded], pulls: Sequence[PullRequest], templates: Sequence[Path]
) -> str:
    """The dashboard's experiments section: success rate per learner and per proposal type.

    Only decided experiments count: what this run opens or closes as superseded never changes it,
    so a run with nothing new leaves the dashboard as it was.
    """
    found = experiments.collect(entries, as_pulls(pulls))
    rates = [
        {"by": by, **rate.as_dict()}
        for by in ("learner", "type")
        for rate in experiments.rates(found, by)
        if rate.decided
    ]
    context = {"rates": rates}
    return render.render("experiments.md.j2", context, dirs=templates)


def refused_now(outcomes: Sequence[Outcome], at: str) -> list[dict[str, Any]]:
    """This run's candidates that the gate refused, as the registry keeps them."""
    return [
        experiments.refused_record(
            evaluation.as_dict(),
            proposal_id=evaluation.proposal_id,
            subject=outcome.subject,
            learner=outcome.learner,
            proposal_type=evaluation.candidate.proposal_type,
            evidence=evaluation.evidence,
            at=at,
        )
        for outcome in outcomes
        for evaluation in outcome.refused
    ]


def kept_refused(body: str | None) -> list[dict[str, Any]]:
    """The refused candidates a dashboard body keeps (none when it keeps none, or is edited)."""
    found = REFUSED.search(body or "")
    if not found:
        return []
    try:
        value = jsonline.loads(found.group(1).encode("utf-8"))
    except jsonline.LineError:
        return []
    records = value.get("refused") if isinstance(value, dict) else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def with_refused(
    config: Config, body: str, previous: str | None, fresh: Sequence[Mapping[str, Any]]
) -> str:
    """The dashboard body carrying the refused candidates (kept before, plus this run's) in
    hidden metadata; the oldest are let go when the body would pass its limit."""
    if not config.experiments.gate_rejected:
        return body
    records = experiments.remember(kept_refused(previous), fresh, config.experiments.keep)
    while True:
        text = json.dumps({"refused": records}, sort_keys=True, separators=(",", ":"))
        marker = f"<!-- learnbot:experiments {text.replace('--', '- -')} -->"
        if len(body) + len(marker) + 1 <= config.dashboard.body_limit or not records:
            return f"{body.rstrip()}\n{marker}\n" if records else body
        records = records[1:]
