"""`learnbot learn NAME --dry-run`: run one learner on demand and show what it would propose."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from bot.commands import learners
from bot.commands.evaluation import evaluate, local_history
from bot.commands.output import print_json, status, table
from bot.config import Settings
from bot.core.pipeline import Outcome
from bot.edges import render
from bot.errors import EXIT_INVALID, EXIT_OK, ConfigError


def learn(settings: Settings, environ: Mapping[str, str], *, name: str, dry_run: bool) -> int:
    """Show one learner's proposal (or why there is none) for the working tree, writing nothing."""
    if not dry_run:
        raise ConfigError("learn only shows: pass --dry-run (learnbot run opens the pull requests)")
    evaluated = evaluate(settings)
    history, read_at = local_history(settings, evaluated)
    found = learners.learn(
        evaluated,
        history,
        read_at,
        only=name,
        force=True,
        templates=render.template_dirs(settings.repo),
    )
    if settings.as_json:
        print_json(
            {
                "learner": name,
                "outcomes": [o.as_dict() for o in found.outcomes],
                "notes": found.notes,
            }
        )
    else:
        for outcome in found.outcomes:
            _show(outcome)
        for section in found.sections:
            sys.stdout.write(section + "\n")
    for note in found.notes:
        status(note)
    for problem in found.problems:
        sys.stderr.write(f"{problem}\n")
    return EXIT_INVALID if found.problems else EXIT_OK


def _show(outcome: Outcome) -> None:
    proposal = outcome.proposal
    if proposal is None:
        sys.stdout.write(f"{outcome.learner}: no proposal: {outcome.reason}\n")
        return
    sys.stdout.write(proposal.title() + "\n\n" + proposal.change_description + "\n\n")
    if proposal.explanation:
        columns = list(proposal.explanation[0])
        sys.stdout.write(
            table(columns, [[row[c] for c in columns] for row in proposal.explanation]) + "\n\n"
        )
    assert outcome.chosen is not None  # a proposal is always built from a chosen evaluation
    rows = [
        (c.name, c.value, c.limit, "pass" if c.passed else "FAIL")
        for c in outcome.chosen.verdict.criteria
    ]
    sys.stdout.write(table(("criterion", "value", "limit", "verdict"), rows) + "\n")
