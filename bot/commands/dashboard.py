"""The dashboard issue: one, found by its label, rewritten only when its text changes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.commands import experimentrates, postmerge
from bot.commands.workspace import Workspace
from bot.core import backtest, reconcile
from bot.core.learners import configs
from bot.core.pipeline import Outcome
from bot.edges import render
from bot.model import format_time
from bot.model.entries import Promotion, Rollback, seq

MARKER = "<!-- learnbot:dashboard -->"
_LISTS = ("open_prs", "no_proposal", "waiting", "unbumped", "deferred")
_KEEP = (None, 100, 30, 10, 3, 1)  # items shown per list, tried in turn until the body fits
_WAITING = (reconcile.HELD, reconcile.BLOCKED, reconcile.REJECTED, reconcile.EDITED)


def _versions(entry: Promotion | Rollback) -> str:
    return ", ".join(f"{name} {a} -> {b}" for name, (a, b) in sorted(entry.versions.moves.items()))


def render_dashboard(
    workspace: Workspace,
    outcomes: Sequence[Outcome],
    actions: Sequence[reconcile.Action],
    numbers: Mapping[str, int],
    extra: Sequence[str] = (),
    *,
    deferred: Sequence[str] = (),
) -> str:
    """The dashboard text for this run (same state and clock -> same text), within the limit."""
    context = _context(workspace, outcomes, actions, numbers, extra)
    context["deferred"] = list(deferred)
    context["max_failures"] = configs.BACKTEST.of(workspace.config).max_failures
    return _fit(workspace, context)


def _context(
    workspace: Workspace,
    outcomes: Sequence[Outcome],
    actions: Sequence[reconcile.Action],
    numbers: Mapping[str, int],
    extra: Sequence[str],
) -> dict[str, Any]:
    evaluated = workspace.evaluated
    config = workspace.config
    summary = backtest.summarize(evaluated.results)
    at = format_time(evaluated.at)
    trend = [*workspace.history.trend(config.dashboard.trend_points - 1), (at, summary.pass_rate)]
    by_branch = {config.pull_requests.branch_prefix + o.subject: o for o in outcomes}
    open_prs: list[dict[str, Any]] = []
    for action in actions:
        if (
            action.kind in (reconcile.KEEP, reconcile.UPDATE, reconcile.OPEN, reconcile.EDITED)
            and action.branch in numbers
        ):
            outcome = by_branch.get(action.branch)
            change = (
                "; ".join(c.describe() for c in outcome.proposal.changes)
                if outcome and outcome.proposal
                else "-"
            )
            gate = "passes" if outcome and outcome.proposal else "not re-evaluated this run"
            open_prs.append(
                {
                    "number": numbers[action.branch],
                    "subject": action.subject,
                    "change": change,
                    "gate": gate,
                }
            )
    context = {
        "revision": evaluated.revision,
        "at": at,
        "default_branch": render.Raw(re.sub(r"[^A-Za-z0-9._/-]", "", workspace.default)),
        "summary": summary.as_dict(),
        "unknown": [
            {"case": r.case_id, "missing": r.missing} for r in evaluated.results if r.missing
        ],
        "trend": trend,
        "trend_labels": [
            render.Raw(re.sub(r"[^0-9: -]", "", label))  # inside a code block: no escaping
            for label in trend_labels([t for t, _ in trend])
        ],
        "open_prs": sorted(open_prs, key=lambda p: int(p["number"])),
        "no_proposal": [
            {
                "subject": o.subject,
                "reason": o.reason,
                "rejected": [{"candidate": c, "reason": r} for c, r in o.considered[:5]],
            }
            for o in outcomes
            if o.proposal is None
        ],
        "waiting": [
            {"subject": a.subject, "reason": a.reason} for a in actions if a.kind in _WAITING
        ],
        "recent": [
            {
                "seq": seq(e),
                "type": e.type_,
                "subject": e.subject,
                "pr": e.pr,
                "versions": _versions(e),
            }
            for e in workspace.history.recent_changes(10)
        ],
        "unverified": _unverified(workspace),
        "unbumped": [
            {"commit": e.commit, "author": e.author, "files": list(e.files)}
            for e in workspace.history.unbumped()
        ],
        "extra": [render.Raw(section) for section in extra],
        "marker": render.Raw(MARKER),
    }
    return context


def _fit(workspace: Workspace, context: Mapping[str, Any]) -> str:
    """The dashboard under `dashboard.body_limit`: long lists are cut to their first items with
    a note, then the learners' sections; GitHub refuses a body over 65,536 characters (#18)."""
    limit = workspace.config.dashboard.body_limit
    dirs = render.template_dirs(workspace.settings.repo)
    for keep in _KEEP:
        shown = _collapsed(context, keep)
        text = render.render("dashboard.md.j2", shown, dirs=dirs)
        if len(text) <= limit:
            return text
    shown["more"]["extra"] = len(shown["extra"])
    shown["extra"] = []
    text = render.render("dashboard.md.j2", shown, dirs=dirs)
    if len(text) <= limit:
        return text
    cut = "\n\n_The rest is cut to keep this issue under the body limit._\n\n"
    return text[: limit - len(cut) - len(MARKER) - 1] + cut + MARKER + "\n"


def _collapsed(context: Mapping[str, Any], keep: int | None) -> dict[str, Any]:
    shown = {**context, "more": dict.fromkeys((*_LISTS, "extra"), 0)}
    if keep is None:
        return shown
    for key in _LISTS:
        items = context[key]
        if len(items) > keep:
            shown[key] = items[:keep]
            shown["more"][key] = len(items) - keep
    return shown


def _unverified(workspace: Workspace) -> list[dict[str, Any]]:
    """Promotions the ledger records as not verified, newest first, and whether they stand."""
    history = workspace.history
    standing = {e.commit for e in postmerge.pending(history.entries)}
    return [
        {
            "seq": seq(e),
            "subject": e.subject,
            "pr": e.pr,
            "reasons": list(e.reasons),
            "now": "on the default branch: see its revert pull request"
            if e.commit in standing
            else "rolled back",
        }
        for e in reversed(history.of_kind(Promotion))
        if not e.verified
    ][:10]


def update(workspace: Workspace, body: str, refused: Sequence[Mapping[str, Any]] = ()) -> str:
    """Create the dashboard once; edit it only when the text changed. Returns what happened.

    `refused`: this run's candidates the gate refused, kept with the earlier ones."""
    config = workspace.config.dashboard
    if not config.enabled:
        return "disabled"
    found = workspace.forge.find_issue(label=config.label)
    body = experimentrates.with_refused(
        workspace.config, body, found.body if found else None, refused
    )
    if found is None:
        created = workspace.forge.create_issue(title=config.title, body=body, labels=[config.label])
        return f"created #{created.number}"
    if found.body.strip() == body.strip():
        return f"#{found.number} unchanged"
    workspace.forge.update_issue(found.number, body=body)
    return f"#{found.number} updated"


def trend_labels(times: Sequence[str]) -> list[str]:
    """The chart's x-axis: each point's date, with its time where a date repeats (#16)."""
    dates = [t[:10] or "?" for t in times]
    return [
        f"{d} {t[11:16]}" if dates.count(d) > 1 and t[11:16] else d
        for d, t in zip(dates, times, strict=True)
    ]
