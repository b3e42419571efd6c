"""The review of a proposal branch, shared by check, run and promote: re-derive, replay, gate.

Nothing on the branch is trusted: the changes come from the diff against the merge base,
the declared keys from the proposal's commit trailers, the subject from the branch name,
the learner (and so its gate rules) from the `Learnbot-Learner` trailer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.commands import learners, planning
from bot.commands.evaluation import Evaluated
from bot.commands.workspace import Workspace
from bot.config import Settings
from bot.core import pipeline, scope
from bot.core.history import History
from bot.core.learners import Candidate, configs
from bot.core.learners.registry import LEARNERS
from bot.edges import evaluators, render, yamldoc
from bot.edges.forge import Check
from bot.edges.gitrepo import Clone
from bot.errors import StateError
from bot.model import trailers as trailer
from bot.model.trailers import ProposalTrailers


@dataclass(frozen=True)
class Review:
    """The outcome of checking one head commit."""

    success: bool
    title: str
    summary: str
    derived: scope.Derived
    judged: pipeline.Evaluation | None = None
    problems: tuple[str, ...] = ()  # what is out of scope (no replay was made then)


def review(
    clone: Clone,
    evaluated: Evaluated,
    *,
    base: str,
    head: str,
    branch: str,
    settings: Settings,
    known: pipeline.Evaluation | None = None,
    trailers: ProposalTrailers | None = None,
    history: History | None = None,
) -> Review:
    """Check `head` (a proposal branch) against `base` (the default branch head).

    `known` is a replay the caller already made of exactly these changes on this base (the
    run that just pushed them): the scope is still re-derived, the replay is not repeated.
    """
    derived, declared, found = _derive(clone, evaluated, base=base, head=head, trailers=trailers)
    context = {
        "problems": found,
        "changes": [c.describe() for c in derived.changes],
        "base": base,
        "head": head,
    }
    if found:
        summary = _render(_templates(clone, base), {**context, "sandbox": None})
        return Review(
            False, f"Out of scope: {found[0]}"[:250], summary, derived, problems=tuple(found)
        )
    subject = branch.removeprefix(evaluated.state.config.pull_requests.branch_prefix)
    assert declared is not None  # a branch without one is out of scope
    kind = declared.proposal_type or "re-derived"
    candidate = Candidate(kind, derived.changes, "re-derived from the diff", moves=derived.moves)
    learner = LEARNERS.get(declared.learner)
    if learner is None:
        name = declared.learner or "none"
        problem = f"the {trailer.LEARNER} trailer names no registered learner ({name})"
        summary = _render(
            _templates(clone, base), {**context, "problems": [problem], "sandbox": None}
        )
        return Review(
            False, f"Out of scope: {problem}"[:250], summary, derived, problems=(problem,)
        )
    if known is not None and _same_change(known.candidate, candidate):
        judged = known
    else:
        looked, _ = learners.context(evaluated, learner, history or History(), clone.read_at)
        judged = pipeline.judge(
            candidate,
            declared.failure_id,
            planning.setting(evaluated),
            learner.rules(),
            measure=learner.measure(looked, subject),
            source_case=subject if subject in evaluated.cases else None,
        )
    dirs = _templates(clone, base)
    sandbox = render.render(
        "sandbox.md.j2", {"report": judged.as_dict(), "measured": []}, dirs=dirs
    )
    summary = _render(dirs, {**context, "sandbox": render.Raw(sandbox)})
    verdict = judged.verdict
    title = "Gate passed" if verdict.allowed else f"Gate failed: {verdict.reasons[0]}"
    return Review(verdict.allowed, title[:250], summary, derived, judged)


def _derive(
    clone: Clone,
    evaluated: Evaluated,
    *,
    base: str,
    head: str,
    trailers: ProposalTrailers | None,
) -> tuple[scope.Derived, ProposalTrailers | None, list[str]]:
    """What the diff changes, the proposal's trailers, and everything out of scope."""
    config = evaluated.state.config
    merge_base = clone.merge_base(base, head)
    changed = clone.changed_files(merge_base, head)
    policies, moves, problems = scope.classify(changed, skills_dir=configs.SKILLS.of(config).path)
    before = {scope.policy_name(p): _parse(clone, merge_base, p) for p in policies}
    after = {scope.policy_name(p): _parse(clone, head, p) for p in policies}
    derived = scope.derive(before, after, moves, problems)
    if trailers is None:
        trailers = proposal_trailers(clone, merge_base, head)[1]
    found = [*derived.problems, *scope.bound_problems(derived, evaluated.state.policies)]
    found += scope.weight_problems(after)
    found += _moved_underneath(clone, merge_base, base, changed)
    undeclared = scope.undeclared(derived, trailers.changes if trailers else ())
    found += [f"{key}: changed but not declared by the proposal" for key in undeclared]
    if trailers is None:
        found.append(f"no commit on the branch carries a {trailer.PROPOSAL} trailer")
    if not derived.changes and not derived.moves:
        found.append("the branch changes no learned value")
    return derived, trailers, found


def _moved_underneath(
    clone: Clone, merge_base: str, base: str, changed: list[tuple[str, str, str]]
) -> list[str]:
    """Files the branch changes that the base changed too since the branch was cut.

    Git would merge the two (a version bump on both sides merges as one), so the merged file
    is not what the replay judged: the branch must be brought up to date first.
    """
    if merge_base == base:
        return []
    ours = {path for _, old, new in changed for path in (old, new)}
    theirs = {path for _, old, new in clone.changed_files(merge_base, base) for path in (old, new)}
    return [
        f"{path}: changed on the base branch since this branch was cut; "
        "bring the branch up to date (learnbot promote rebuilds its own branches)"
        for path in sorted(ours & theirs)
    ]


def _same_change(a: Candidate, b: Candidate) -> bool:
    return (set(a.changes), set(a.moves)) == (set(b.changes), set(b.moves))


def _parse(clone: Clone, sha: str, path: str) -> dict[str, Any]:
    data = clone.read_at(sha, path)
    if data is None:
        raise StateError(f"{path}: missing at {sha[:12]}")
    parsed = yamldoc.parse_bytes(data, path=path).data
    if not isinstance(parsed, dict):
        raise StateError(f"{path}: not a policy at {sha[:12]}")
    return parsed


def proposal_trailers(
    clone: Clone, merge_base: str, head: str
) -> tuple[str | None, ProposalTrailers | None]:
    """The newest commit on a branch that carries a proposal, and its trailers."""
    for sha in reversed(clone.first_parents(merge_base, head)):
        declared = ProposalTrailers.parse(clone.info(sha).trailers)
        if declared is not None:
            return sha, declared
    return None, None


def _render(dirs: tuple[Path, ...], context: dict[str, Any]) -> str:
    return render.render("check.md.j2", context, dirs=dirs)


def _templates(clone: Clone, base: str) -> tuple[Path, ...]:
    """The templates of the default branch, never the checkout's: in the check, the working
    tree holds the pull request being judged (#18)."""
    return render.template_dirs(evaluators.code_tree(clone.repo, base))


def as_check(workspace: Workspace, outcome: Review) -> Check:
    return Check(
        workspace.config.checks.name,
        outcome.success,
        outcome.title,
        outcome.summary,
        base=workspace.base,
    )
