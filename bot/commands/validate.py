"""`learnbot validate`: check every policy, case, snapshot and the config."""

from __future__ import annotations

import hashlib
import sys

from bot.commands.output import print_json, status
from bot.commands.runloss import losses
from bot.config import Settings
from bot.core import events
from bot.core.learners import configs
from bot.core.learners.catalog import INPUTS
from bot.edges import actions, inputs, labels, outcomes, store
from bot.edges.files import Files, WorktreeFiles
from bot.errors import EXIT_INVALID, EXIT_OK
from bot.model import Problem
from bot.model.config import ObjectiveConfig
from bot.model.inputs import Input


def validate(settings: Settings) -> int:
    """Check every state file of the working tree; report every problem."""
    files = WorktreeFiles(settings.repo)
    state = store.load(files, config_path=settings.config_path)
    found = [*state.problems, *snapshot_problems(files)]
    for declared in _declared_inputs():
        found += inputs.load(files, state.config, declared)[1]
    found += run_problems(files, state.config.objective)
    found += labels.problems(files, configs.LABELS.of(state.config).path)
    problems = sorted(set(found))
    if settings.as_json:
        print_json({"ok": not problems, "problems": [p.__dict__ for p in problems]})
    else:
        for problem in problems:
            sys.stdout.write(f"{problem}\n")
    if settings.in_actions:
        actions.annotate(problems, sys.stdout)
    checked = len(state.documents)
    status(f"{checked} files checked, {len(problems)} problem(s)")
    return EXIT_INVALID if problems else EXIT_OK


def run_problems(files: Files, objective: ObjectiveConfig) -> list[Problem]:
    """Invalid run-metrics lines, and terms the composite run loss needs that a run lacks."""
    found, problems = outcomes.runs(files, objective.runs)
    return [*problems, *losses(found, objective.weights.as_mapping(), objective.runs)[1]]


def snapshot_problems(files: Files) -> list[Problem]:
    """Line-level problems in every snapshot under cases/data/ (JSONL and Parquet)."""
    found: list[Problem] = []
    for path in files.listdir(store.DATA_DIR, ".jsonl"):
        found.extend(events.problems(files.read(path) or b"", path=path))
    parquet = files.listdir(store.DATA_DIR, ".parquet")
    if parquet:  # columnar files need pyarrow and numpy; line-by-line JSONL needs neither
        from bot.edges import snapshots

        for path in parquet:
            data = files.read(path) or b""
            found.extend(snapshots.read(path, data, hashlib.sha256(data).hexdigest())[1])
    return found


def _declared_inputs() -> list[tuple[Input, ...]]:
    """What each learner reads: the catalog's, or the registry's once it is loaded (a
    repository's own learners register there); importing the registry imports numpy (#17)."""
    registry = sys.modules.get("bot.core.learners.registry")
    if registry is None:
        return list(INPUTS.values())
    return [learner.inputs for learner in registry.LEARNERS.values()]
