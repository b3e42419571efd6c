"""Custom evaluators: `package.module:function`, imported from the tree being evaluated.

A function with a `seed` parameter is stochastic: every replay passes it a seed (the
configured `sandbox.seeds`); any other function is deterministic and is called without one.

When a commit is evaluated (the default branch, in `check`, `run` and `promote`), its Python
files are read from git objects, never from the working tree: a pull request's checkout must
not decide which code judges it (#18). Each import is isolated: a module of the repository
imported for one tree is not reused for another.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import git

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


def needed(cases: Iterable[Case], config: Config) -> bool:
    """Whether any case is judged by a custom evaluator."""
    return any(_spec(case, config.evaluators) is not None for case in cases)


def code_tree(repo: git.Repo, sha: str) -> Path:
    """The Python files and templates of commit `sha`, written once under the git directory:
    what decides how a commit is judged comes from that commit, never from a checkout."""
    root = Path(repo.git_dir) / "learnbot" / "trees" / sha
    if root.is_dir():
        return root
    staging = root.with_name(f"{sha}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for item in repo.commit(sha).tree.traverse():
        if isinstance(item, git.Blob) and _is_code(str(item.path)):
            target = staging / str(item.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data_stream.read())
    staging.mkdir(parents=True, exist_ok=True)
    try:
        staging.rename(root)
    except OSError:  # another process wrote it first: same commit, same files
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _is_code(path: str) -> bool:
    return path.endswith(".py") or (path.startswith("templates/") and path.endswith(".j2"))


def load(spec: str, root: Path) -> Evaluator:
    """Import `package.module:function` from `root` (isolated when the module lives there)."""
    module_name, _, function = spec.partition(":")
    try:
        with _importable(root, module_name.split(".")[0]):
            module = importlib.import_module(module_name)
        found = getattr(module, function)
    except Exception as exc:  # an import runs the team's code: report anything it raises
        return _broken(f"cannot import evaluator {spec}: {type(exc).__name__}: {exc}")
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


@contextlib.contextmanager
def _importable(root: Path, top: str) -> Iterator[None]:
    """`root` first on sys.path; a package of the repository imported afresh and forgotten
    afterwards (its functions keep their modules), so another tree's copy is never reused."""
    own = (root / f"{top}.py").is_file() or (root / top).is_dir()
    mine = [k for k in sys.modules if k == top or k.startswith(f"{top}.")] if own else []
    saved = {k: sys.modules.pop(k) for k in mine}
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(root))
        if own:
            for key in [k for k in sys.modules if k == top or k.startswith(f"{top}.")]:
                del sys.modules[key]
            sys.modules.update(saved)
