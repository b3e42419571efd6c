"""Proposals as pull requests: commit with trailers, rendered body, and the run's actions.

Order of writes for a new or updated proposal: push the branch, post the check on its
commit, then open or edit the pull request. A run killed between any two steps converges
on the next run: commits are deterministic, so pushing again changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.commands.review import as_check, review
from bot.commands.workspace import Workspace
from bot.core import canonical, chart, experiments, reconcile
from bot.core.pipeline import Outcome
from bot.edges import edits, render
from bot.edges.forge import PullRequest, fit_title, mark_superseded, metadata_marker
from bot.model.proposal import Proposal
from bot.model.trailers import ProposalTrailers

TRUNCATION_NOTE = (
    "\n\n_Details truncated to fit the pull request body limit ({omitted:,} characters left out); "
    "the check run and `learnbot sandbox` show them in full._\n"
)


@dataclass(frozen=True)
class Planned:
    """A proposal ready to become a branch and a pull request."""

    outcome: Outcome
    branch: str
    files: Mapping[str, bytes | None]
    content: str
    message: str
    # rendered only for the pull requests a run writes: most of a large run's proposals are
    # held back by the limits, and rendering each body made the run quadratic (#17)
    render_body: Callable[[], str] = field(compare=False, repr=False)

    @cached_property
    def body(self) -> str:
        """The pull request body."""
        return self.render_body()

    @property
    def proposal(self) -> Proposal:
        assert self.outcome.proposal is not None  # only outcomes with a proposal are planned
        return self.outcome.proposal

    def desired(self) -> reconcile.Desired:
        return reconcile.Desired(
            self.branch,
            self.proposal.subject,
            self.proposal.proposal_id,
            self.proposal.source_failure_id,
            self.content,
            self.proposal.keys,
        )


def report_sha256(report: Mapping[str, Any]) -> str:
    """The digest of a report's deterministic part (measured costs left out)."""
    return canonical.digest(report)


def content_digest(files: Mapping[str, bytes | None]) -> str:
    """What a proposal branch holds: its files' digests, path by path."""
    return canonical.digest(
        {
            path: hashlib.sha256(data).hexdigest() if data is not None else None
            for path, data in sorted(files.items())
        }
    )


def commit_message(proposal: Proposal, report_digest: str) -> str:
    declared = ProposalTrailers(
        proposal_id=proposal.proposal_id,
        failure_id=proposal.source_failure_id,
        report_sha256=report_digest,
        learner=proposal.learner,
        proposal_type=proposal.proposal_type,
        subject=proposal.subject,
        changes=proposal.keys,
    )
    lines = "\n".join(declared.lines())
    return f"{proposal.title()}\n\n{proposal.change_description}\n\n{lines}\n"


def plan(
    workspace: Workspace, outcome: Outcome, failure_markdown: Callable[[], str | None]
) -> Planned:
    """A proposal's branch files, commit and (rendered when asked) pull request body."""
    proposal, report = outcome.proposal, outcome.report  # the report is built on each access
    assert proposal is not None and report is not None
    files = edits.branch_files(
        workspace.evaluated.files,
        proposal,
        workspace.evaluated.state.policies,
        parsed=workspace.documents,
    )
    digest = report_sha256(report)
    content = content_digest(files)
    branch = workspace.config.pull_requests.branch_prefix + proposal.subject
    metadata = {
        "proposal_id": proposal.proposal_id,
        "failure_id": proposal.source_failure_id,
        "subject": proposal.subject,
        "learner": proposal.learner,
        "keys": list(proposal.keys),
        "report_sha256": digest,
        "content": content,
        **experiments.metadata(report, proposal.proposal_type, proposal.evidence_digest),
    }
    marker = metadata_marker(metadata)
    return Planned(
        outcome,
        branch,
        files,
        content,
        commit_message(proposal, digest),
        lambda: render_body(workspace, outcome, failure_markdown(), marker),
    )


def render_body(
    workspace: Workspace, outcome: Outcome, failure_markdown: str | None, marker: str
) -> str:
    """The PR body, kept under the limit by truncating details (never the controls or metadata)."""
    assert outcome.proposal is not None and outcome.report is not None
    dirs = render.template_dirs(workspace.settings.repo)
    report_md = render.render(
        "sandbox.md.j2", {"report": outcome.report, "measured": []}, dirs=dirs
    )
    rejected = [{"candidate": c, "reason": r} for c, r in outcome.considered]
    details = render.render(
        "pull_request_details.md.j2",
        {
            "sandbox": render.Raw(report_md),
            "failure": render.Raw(failure_markdown) if failure_markdown else None,
            "rejected": rejected,
        },
        dirs=dirs,
    )
    context = {
        "proposal": outcome.proposal.as_dict(),
        "ledger": workspace.config.ledger,
        "check_name": workspace.config.checks.name,
        "runs": workspace.config.sandbox.stabilization_runs,
        "keys": list(outcome.proposal.keys),
        "marker": render.Raw(marker),
        "reviewers": [render.Raw(r) for r in workspace.config.pull_requests.reviewers],
        "chart": _chart(outcome.proposal, workspace),
    }
    limit = workspace.config.pull_requests.body_limit
    body = render.render(
        "pull_request.md.j2", {**context, "details": render.Raw(details)}, dirs=dirs
    )
    if len(body) <= limit:
        return body
    room = max(0, len(details) - (len(body) - limit) - len(TRUNCATION_NOTE) - 40)
    cut = details[:room].rsplit("\n", 1)[0]
    if cut.count("<details>") > cut.count("</details>"):
        cut += "\n\n</details>"
    note = TRUNCATION_NOTE.format(omitted=len(details) - len(cut))
    return render.render(
        "pull_request.md.j2", {**context, "details": render.Raw(cut + note)}, dirs=dirs
    )


def _chart(proposal: Proposal, workspace: Workspace) -> dict[str, Any] | None:
    """The proposal's threshold against measured values, on the default branch's results."""
    found = chart.threshold_chart(proposal.changes, workspace.evaluated.results, proposal.subject)
    if found is None:
        return None
    return {**dataclasses.asdict(found), "low": found.low, "high": found.high}


def existing(
    workspace: Workspace, pull: PullRequest, planned: Mapping[str, Planned]
) -> reconcile.Existing:
    """A forge pull request as the planner sees it (its branch files read from git)."""
    metadata = pull.metadata
    content = str(metadata.get("content", ""))
    edited = False
    if pull.state == "open" and pull.branch in planned:
        head = workspace.clone.remote_sha(pull.branch)
        files = planned[pull.branch].files
        current = {path: workspace.clone.read_at(head, path) if head else None for path in files}
        content = content_digest(current)
        edited = (
            head is not None and workspace.clone.info(head).author_email != workspace.identity.email
        )
    return reconcile.Existing(
        number=pull.number,
        branch=pull.branch,
        state=pull.state,
        proposal_id=str(metadata.get("proposal_id", "")),
        failure_id=str(metadata.get("failure_id", "")),
        content=content,
        keys=tuple(metadata.get("keys", ())),
        edited_by_person=edited,
        rejected=pull.rejected,
    )


def execute(
    workspace: Workspace,
    actions: Sequence[reconcile.Action],
    planned: Mapping[str, Planned],
    found: Sequence[PullRequest] = (),
) -> dict[str, int]:
    """Carry out open / update / close; return the numbers of the pull requests opened."""
    opened: dict[str, int] = {}
    config = workspace.config.pull_requests
    labels = {pr.number: set(pr.labels) for pr in found}
    bodies = {pr.number: pr.body for pr in found}
    for action in actions:
        if action.kind in (reconcile.KEEP, reconcile.UPDATE) and action.number in labels:
            missing = [label for label in config.labels if label not in labels[action.number]]
            if missing:  # e.g. a run killed between opening the pull request and labelling it
                workspace.forge.add_labels(action.number, missing)
        if action.kind == reconcile.OPEN:
            item = planned[action.branch]
            _push(workspace, item)
            pull = workspace.forge.open_pull(
                branch=item.branch,
                base=workspace.default,
                title=fit_title(item.proposal.title()),
                body=item.body,
                labels=config.labels,
                reviewers=config.reviewers,
            )
            opened[item.branch] = pull.number
        elif action.kind == reconcile.UPDATE:
            item = planned[action.branch]
            _push(workspace, item)
            assert action.number is not None
            workspace.forge.update_pull(
                action.number, title=fit_title(item.proposal.title()), body=item.body
            )
        elif action.kind == reconcile.CLOSE:
            assert action.number is not None
            body = bodies.get(action.number)
            workspace.forge.close_pull(
                action.number,
                comment=f"Closed by learnbot, {action.reason}.",
                body=mark_superseded(body, action.reason) if body is not None else None,
            )
            workspace.clone.delete_remote_branch(action.branch)
    return opened


def _push(workspace: Workspace, item: Planned) -> None:
    """Commit on the current base, push (forced with a lease), then post the check."""
    clone = workspace.clone
    sha = clone.commit(
        base=workspace.base,
        files=item.files,
        message=item.message,
        author=workspace.identity,
        at=workspace.evaluated.at,
    )
    current = clone.remote_sha(item.branch)
    if current != sha:
        clone.push(sha, item.branch, lease=current, force=True)
    outcome = review(
        clone,
        workspace.evaluated,
        base=workspace.base,
        head=sha,
        branch=item.branch,
        settings=workspace.settings,
        known=item.outcome.chosen,
        history=workspace.history,
    )
    workspace.forge.post_check(sha, as_check(workspace, outcome), mode=workspace.config.checks.mode)
