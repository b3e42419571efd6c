"""The learning cache: a failure's search and replay are not redone while nothing they read
has changed (#17: a no-op run re-searched and re-replayed every analysed failure).

The key of a failing case's finding digests everything its search and sandbox replay read:
learnbot's code and version, the failure id, the case, every case its candidates can reach
(the readers of every parameter it reads, the whole policy when the policy has operators or
metrics to switch, and the protected cases; every case under `sandbox.scope: all`)
with their snapshots' sha256, every policy those cases read, the gate, sandbox and backtest
learner settings, the number of cases, the composite run loss inputs when the gate judges
it and the known-bad proposals. Not the run's clock: a replay reads none, and a finding kept
from an earlier run is stamped with this run's time (`pipeline.stamped`). Policies are taken
whole (not parameter by parameter), so a key covers more than the replay reads, never less.
Cases judged by a custom evaluator are never cached: their code may read anything.

Only the backtest learner is cached: it is the one with a subject per failing case; the
other learners look at a few subjects each.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy

import bot
from bot.commands import findings, learners, planning
from bot.commands.evaluation import Evaluated
from bot.commands.learners import Learned, Owns, Step
from bot.commands.output import status
from bot.commands.workspace import Workspace
from bot.config import Settings
from bot.core import pipeline
from bot.core.history import History
from bot.core.learners import configs
from bot.edges import render
from bot.edges.learning_cache import LearningCache

CACHED = "backtest"


@cache
def code_digest() -> str:
    """learnbot's own code: an upgraded or edited learnbot never reuses another's findings."""
    root = Path(bot.__file__).parent
    found = hashlib.sha256(f"{bot.__version__} {numpy.__version__} {sys.version}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json") and path.is_file():
            found.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return found.hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Keys:
    """The key of each failing case's finding in one evaluated tree."""

    evaluated: Evaluated
    shared: pipeline.Setting
    history: History
    _cases: dict[str, str] = field(default_factory=dict)
    _policies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        config = self.evaluated.state.config
        crl = config.gate.max_crl_delta is not None
        self._common = _digest(
            code_digest(),
            str(len(self.evaluated.cases)),  # a report's pass rate over all cases names it
            repr(self.shared.runs),
            repr(config.gate),
            repr(config.sandbox),
            repr(configs.BACKTEST.of(config)),
            repr(config.objective) if crl else "",
            repr(self.shared.run) if crl else "",
            repr(sorted(self.history.known_bad().items())),
        )
        self._failures = {f.case_id: f.failure_id for f in self.evaluated.failures()}

    def key(self, learner: str, subject: str) -> str | None:
        """The key of `subject`'s finding, or None when it is not cached."""
        failure_id = self._failures.get(subject)
        if learner != CACHED or failure_id is None:
            return None
        ids = self._reached(subject)
        if any(i in self.evaluated.evaluators for i in ids):
            return None
        cases = self.evaluated.cases
        policies = sorted({p for i in ids for p in cases[i].policies()})
        return _digest(
            self._common,
            learner,
            subject,
            failure_id,
            *(f"{i}={self._case(i)}" for i in ids),
            *(f"{p}={self._policy(p)}" for p in policies),
        )

    def _reached(self, subject: str) -> tuple[str, ...]:
        """Every case a candidate for `subject` can replay: the readers of what the case reads,
        the whole policy when it has registrations (switches and taus reach every case of it),
        and the protected cases."""
        cases, params = self.evaluated.cases, self.evaluated.params
        if self.evaluated.state.config.sandbox.scope == "all":
            return tuple(sorted(cases))
        readers = self.shared.replay.readers
        case = cases[subject]
        found = {subject, *readers.protected}
        for ref in case.refs():
            found.update(readers.of_ref(ref, params))
        for name in case.policies():
            policy = params.policies.get(name)
            if policy is None or policy.registrations:
                found.update(readers.of_policy(name))
        return tuple(sorted(found))

    def _case(self, case_id: str) -> str:
        if case_id not in self._cases:
            self._cases[case_id] = _digest(repr(self.evaluated.cases[case_id]))
        return self._cases[case_id]

    def _policy(self, name: str) -> str:
        if name not in self._policies:
            policy = self.evaluated.state.policies.get(name)
            self._policies[name] = _digest(repr(policy))
        return self._policies[name]


@dataclass
class Memo:
    """Findings recalled from and kept in a `LearningCache`, counting what was reused."""

    store: LearningCache
    keys: Keys
    reused: int = 0
    learned: int = 0

    def recall(self, learner: str, subject: str, position: int) -> Step | None:
        """The finding kept for this subject in this state, or None (then it is learned)."""
        key = self.keys.key(learner, subject)
        content = self.store.read(key) if key else None
        step = _step(content, learner, subject, position) if content is not None else None
        if step is None or step.outcome is None:
            return None
        self.reused += 1
        return replace(step, outcome=pipeline.stamped(step.outcome, self.keys.shared.at))

    def keep(self, step: Step, subject: str) -> None:
        key = self.keys.key(step.learner, subject)
        if key is None or step.outcome is None:
            return
        self.learned += 1
        self.store.write(key, findings.step_to_dict(step))

    def finish(self) -> str:
        """Let go of the entries no run used for a week; what this run reused, as a line."""
        removed = self.store.prune()
        return self.summary() + (f"; {removed} unused entries removed" if removed else "")

    def summary(self) -> str:
        return (
            f"learning cache: {self.reused} failure(s) reused unchanged, "
            f"{self.learned} searched and replayed"
        )


def _step(content: object, learner: str, subject: str, position: int) -> Step | None:
    """A kept finding, checked to be this subject's (anything else is ignored)."""
    if not isinstance(content, dict):
        return None
    try:
        step = findings.step_from_dict({**content, "position": position})
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    outcome = step.outcome
    if step.learner != learner or outcome is None or outcome.subject != subject:
        return None
    return step


def memo(root: Path | None, evaluated: Evaluated, history: History) -> Memo | None:
    """A memo over the cache in `root` (None: no cache directory, or the cache is off)."""
    if root is None:
        return None
    return Memo(LearningCache(root), Keys(evaluated, planning.setting(evaluated), history))


def learn(
    settings: Settings, workspace: Workspace, *, progress: bool = False, owns: Owns | None = None
) -> Learned:
    """Learn on the workspace's tree, reusing what the cache kept, and say what was reused."""
    evaluated = workspace.evaluated
    kept = memo(settings.cache_dir, evaluated, workspace.history)
    learned = learners.learn(
        evaluated,
        workspace.history,
        workspace.clone.read_at,
        templates=render.template_dirs(settings.repo),
        progress=progress,
        owns=owns,
        memo=kept,
    )
    if kept is not None and kept.reused + kept.learned:
        status(kept.finish())
    return learned
