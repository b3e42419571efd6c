"""Custom evaluators: `package.module:function`, imported from the repository being evaluated.

A function with a `seed` parameter is stochastic: every replay passes it a seed (the
configured `sandbox.seeds`); any other function is deterministic and is called without one.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.core.evaluate import Evaluator, Seeded
from bot.model import Case, Config

DEFAULT = "default"


class EvaluatorImportError(Exception):
    """A custom evaluator that could not be imported; raised when the case is evaluated."""


def _broken(message: str) -> Evaluator:
    def evaluator(*_: Any) -> Any:
        raise EvaluatorImportError(message)

    return evaluator


def resolve(cases: Iterable[Case], config: Config, root: Path) -> dict[str, Evaluator]:
    """Evaluators by case id for the cases that name one (or all, when the config has a default)."""
    chosen: dict[str, Evaluator] = {}
    imported: dict[str, Evaluator] = {}
    for case in cases:
        spec = _spec(case, config.evaluators)
        if spec is None:
            continue
        if spec not in imported:
            imported[spec] = load(spec, root)
        chosen[case.id] = imported[spec]
    return chosen


def _spec(case: Case, named: Mapping[str, str]) -> str | None:
    if case.evaluator is None:
        return named.get(DEFAULT)
    return case.evaluator if ":" in case.evaluator else named[case.evaluator]


def load(spec: str, root: Path) -> Evaluator:
    """Import `package.module:function` with the repository root importable."""
    module_name, _, function = spec.partition(":")
    added = str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
        found = getattr(module, function)
    except Exception as exc:  # an import runs the team's code: report anything it raises
        return _broken(f"cannot import evaluator {spec}: {type(exc).__name__}: {exc}")
    finally:
        if added:
            sys.path.remove(str(root))
    if not callable(found):
        return _broken(f"evaluator {spec} is not callable")
    if _takes_seed(found):
        return Seeded(found)
    evaluator: Evaluator = found
    return evaluator


def _takes_seed(function: Callable[..., Any]) -> bool:
    """A function with a `seed` parameter is stochastic: it is replayed under every seed."""
    try:
        return "seed" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # some builtins have no signature: deterministic then
        return False
