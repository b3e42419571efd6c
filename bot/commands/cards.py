"""`learnbot cards`: a skill card per case family, policy, producer and label agent (Markdown
or JSON)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.commands import skillcards
from bot.commands.evaluation import Evaluated, evaluate, local_history
from bot.commands.output import print_json, status, to_json
from bot.config import Settings
from bot.core.evaluate import Result
from bot.edges import ledgerfile, render
from bot.edges.gitrepo import GitRepo
from bot.errors import EXIT_INVALID, EXIT_OK, GitError

DAY = 86400


def show(settings: Settings, *, out: Path | None) -> int:
    """Build every card; print them (Markdown, or JSON) and write one file pair each with --out."""
    evaluated = evaluate(settings)
    history, _ = local_history(settings, evaluated)
    week_ago, month_ago = _results_before(settings, evaluated, (7, 30))
    built, problems = skillcards.build(evaluated, history, week_ago, month_ago)
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    dirs = render.template_dirs(settings.repo)
    if out is not None:
        for card in built:
            ledgerfile.write_atomic(
                out / f"{card.key}.json", (to_json(card.as_dict()) + "\n").encode()
            )
            ledgerfile.write_atomic(
                out / f"{card.key}.md", skillcards.render_card(card, dirs).encode()
            )
        status(f"{len(built)} cards written to {out}")
    if settings.as_json:
        print_json([card.as_dict() for card in built])
    elif out is None:
        sys.stdout.write("\n".join(skillcards.render_card(card, dirs) for card in built))
    return EXIT_INVALID if problems or evaluated.problems else EXIT_OK


def _results_before(
    settings: Settings, evaluated: Evaluated, spans: Sequence[int]
) -> list[dict[str, Result] | None]:
    """Every case's result on the commit current `days` ago, per span (None: no such commit)."""
    try:
        repo = GitRepo(settings.repo)
        head = repo.resolve("HEAD")
    except GitError:
        return [None for _ in spans]
    shas = [repo.as_of(head, evaluated.at - days * DAY) for days in spans]
    results = {
        sha: {r.case_id: r for r in evaluate(settings, rev=sha).results}
        for sha in set(shas)
        if sha is not None
    }
    return [results[sha] if sha is not None else None for sha in shas]
