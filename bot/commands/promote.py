"""`learnbot promote`: record merges, reverts, rejections and manual changes in the ledger.

Runs on every push to the default branch and when a pull request closes. It looks at the
default branch's first-parent chain since learnbot's last ledger commit, so it needs no
particular event and recording twice is impossible. The ledger commit is pushed with
fetch, rebuild and retry: a push that loses a race is redone on top, never lost.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.commands import guard, merges, postmerge, rebuild, tamper
from bot.commands.evaluation import Evaluated, evaluate
from bot.commands.ledger_table import render_table
from bot.commands.output import print_json, status
from bot.commands.review import Review, review
from bot.commands.workspace import Workspace, open_workspace
from bot.config import Settings
from bot.core import backtest, ledger, scope
from bot.core.history import History
from bot.core.promotion import Closed, Decision, Observed, decide
from bot.edges import actions, store, yamldoc
from bot.edges.gitrepo import Clone, PushRejected
from bot.errors import EXIT_OK, EXIT_PROBLEMS, GitError, LedgerError
from bot.model import format_time
from bot.model import trailers as trailer
from bot.model.entries import ManualChange, Promotion, Recorded, Rollback
from bot.model.trailers import ProposalTrailers

_CHANGES_STATE = (Promotion, Rollback, ManualChange)


def promote(settings: Settings, environ: Mapping[str, str]) -> int:
    """Record what happened on the default branch; redo it on top when another push wins."""
    attempt = 0
    while True:
        with _opened(settings, environ) as workspace:
            try:
                return _promote(settings, workspace)
            except PushRejected:
                attempt += 1
                if attempt > workspace.config.git.push_retries:
                    raise GitError(
                        "could not record the ledger: origin kept moving",
                        hint="run learnbot promote again",
                    ) from None
        status(f"origin moved while recording (attempt {attempt}): fetching and redoing it")


@contextlib.contextmanager
def _opened(settings: Settings, environ: Mapping[str, str]) -> Iterator[Workspace]:
    """The workspace; a ledger too broken to extend is reported with the commits that broke it."""
    try:
        with open_workspace(settings, environ) as workspace:
            yield workspace
    except LedgerError:
        clone = Clone(settings.repo)
        tip = f"refs/remotes/origin/{clone.default_branch()}"
        author = store.load_config(clone.files_at(tip), settings.config_path).git.author_email
        tamper.report(settings, tamper.findings(clone, tip, author_email=author), recorded=False)
        raise


def _promote(settings: Settings, workspace: Workspace) -> int:
    evaluated = _Evaluations(workspace)
    commits = [_observe(workspace, sha, evaluated) for sha in merges.unrecorded(workspace)]
    closed = _closed(workspace)
    clock = format_time(workspace.evaluated.at)
    decision = decide([c for c in commits if c is not None], closed, workspace.history, at=clock)
    found = tamper.findings(workspace.clone, workspace.base, author_email=workspace.identity.email)
    tampered = tamper.new_entries(found, workspace.history, at=clock)
    if tampered:
        decision = Decision((*tampered, *decision.entries), decision.bumps)
    entries, tip, new = list(workspace.history.entries), workspace.base, list[Recorded]()
    if decision.entries:
        sealed = _seal(workspace, decision)
        tip = _record(workspace, decision, sealed)
        workspace.clone.push(tip, workspace.default)
        new = list(History.read(ledger.entries(sealed)).entries)
        entries += new
        _announce(workspace, new, tip)
    else:
        status("nothing new to record")
    reverts = postmerge.open_reverts(workspace, entries, onto=tip)
    if any(isinstance(e, _CHANGES_STATE) for e in new):
        rebuild.rebuild_open(workspace, tip=tip, entries=entries)
    unverified = [e for e in new if isinstance(e, Promotion) and not e.verified]
    postmerge.report_unverified(settings, workspace, unverified, reverts)
    recorded = {(e.commit, e.file) for e in tampered}
    tamper.report(settings, [f for f in found if (f.sha, f.path) in recorded], recorded=True)
    outputs = {"entries": str(len(new))} | ({"commit": tip} if new else {})
    actions.set_outputs(settings.output_path, outputs)
    if settings.as_json:
        lines = [e.to_dict() for e in new]
        print_json({"entries": lines, "commit": tip if new else None, "reverts": reverts})
    elif new:
        sys.stdout.write(render_table(new) + "\n")
    return EXIT_PROBLEMS if unverified or tampered else EXIT_OK


def _announce(workspace: Workspace, new: Sequence[Recorded], tip: str) -> None:
    moved = workspace.clone.sync_worktree(workspace.default)
    noun = "entry" if len(new) == 1 else "entries"
    moved_note = f"; fast-forwarded the checked-out {workspace.default}" if moved else ""
    status(f"recorded {len(new)} ledger {noun} in {tip[:12]}{moved_note}")


class _Evaluations:
    """Each commit backtested at most once per run (a merge's parent is the commit before it)."""

    def __init__(self, workspace: Workspace) -> None:
        self.settings = workspace.settings
        self.done: dict[str, Evaluated] = {workspace.base: workspace.evaluated}

    def at(self, sha: str) -> Evaluated:
        if sha not in self.done:
            self.done[sha] = evaluate(self.settings, rev=sha)
        return self.done[sha]


def _observe(workspace: Workspace, sha: str, evaluated: _Evaluations) -> Observed | None:
    clone = workspace.clone
    info = clone.info(sha)
    if merges.is_ledger_commit(workspace, info):
        return None
    first = info.parents[0] if info.parents else None
    head, trailers, reverts = merges.merged(workspace, sha, info)
    changed = [p for _, _, p in clone.changed_files(first, sha)] if first else []
    learned = tuple(
        sorted(p for p in changed if p.startswith((scope.POLICY_DIR, f"{store.CASE_DIR}/")))
    )
    if trailers is None and reverts is None and not learned:
        return None
    pr = (
        merges.merged_pull(workspace, info.subject, sha, trailers) if trailers is not None else None
    )
    if trailers is not None and pr is None:
        status(
            f"{sha[:12]} carries a {trailer.PROPOSAL} trailer but is no pull request's merge "
            "for that proposal: recorded as a manual change"
        )
        head, trailers = None, None
    imported = merges.labels_import(workspace, sha, info) if trailers is None else None
    if imported is not None:
        pr = merges.merged_pull(workspace, info.subject, sha, None)
    review = (
        _review(workspace, evaluated.at(first), sha, trailers)
        if trailers is not None and first
        else None
    )
    names = sorted({scope.policy_name(p) for p in learned if scope.is_policy_file(p)})
    before = _policies(workspace, first, names)
    after = _policies(workspace, sha, names)
    return Observed(
        sha=sha,
        at=format_time(info.committed_at),
        author=info.author,
        subject=info.subject,
        proposal=trailers,
        proposal_head=head,
        reverts=reverts,
        pr=pr,
        approvers=workspace.forge.approvers(pr) if pr is not None else (),
        versions_before=_versions(before),
        versions_after=_versions(after),
        changed=learned,
        pass_rate=backtest.summarize(evaluated.at(sha).results).pass_rate,
        gate=_gate(review),
        verification=postmerge.verify_merge(
            workspace, review, parent=first, tip=_tip(workspace, info, pr)
        )
        if trailers is not None and first
        else None,
        changes=trailers.changes if trailers else (),
        parent=first,
        values=_values(before, after),
        forced=tuple(info.trailers.get(guard.FORCED_TRAILER, ())),
        labels=imported,
        examples=_added_lines(workspace, first, sha, learned) if imported else 0,
    )


def _added_lines(workspace: Workspace, first: str | None, sha: str, paths: Any) -> int:
    total = 0
    for path in paths:
        before = workspace.clone.read_at(first, path) if first else None
        after = workspace.clone.read_at(sha, path) or b""
        total += after.count(b"\n") - (before or b"").count(b"\n")
    return total


def _policies(workspace: Workspace, sha: str | None, names: list[str]) -> dict[str, dict[str, Any]]:
    """The named policies as parsed at a commit (absent ones left out)."""
    found = {}
    for name in names:
        path = scope.policy_path(name)
        data = workspace.clone.read_at(sha, path) if sha else None
        parsed = yamldoc.parse_bytes(data, path=path).data if data is not None else None
        if isinstance(parsed, dict):
            found[name] = parsed
    return found


def _versions(policies: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    return {n: p["version"] for n, p in policies.items() if isinstance(p.get("version"), int)}


def _values(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Every learned value the commit changed: key -> {from, to}."""
    both = sorted(set(before) & set(after))
    derived = scope.derive({n: before[n] for n in both}, {n: after[n] for n in both}, (), ())
    return {c.key: {"from": c.old, "to": c.new} for c in derived.changes}


def _review(
    workspace: Workspace, parent: Evaluated, sha: str, trailers: ProposalTrailers
) -> Review:
    """The merged diff re-derived and replayed on the state it was merged into."""
    branch = workspace.config.pull_requests.branch_prefix + trailers.subject
    return review(
        workspace.clone,
        parent,
        base=parent.revision,
        head=sha,
        branch=branch,
        settings=workspace.settings,
        trailers=trailers,
        history=workspace.history,
    )


def _gate(reviewed: Review | None) -> dict[str, Any] | None:
    """The gate decision for the merged diff, re-derived at merge time."""
    if reviewed is None:
        return None
    verdict = reviewed.judged.verdict.criteria if reviewed.judged else ()
    criteria = [{"name": c.name, "passed": c.passed} for c in verdict]
    return {"allowed": reviewed.success, "title": reviewed.title, "criteria": criteria}


def _tip(workspace: Workspace, info: Any, pr: int | None) -> str | None:
    """The merged pull request's head: a merge's second parent, or the forge's (squash)."""
    if len(info.parents) == 2:
        return str(info.parents[1])
    if pr is None:
        return None
    return workspace.forge.pull(pr).head_sha or None


def _closed(workspace: Workspace) -> list[Closed]:
    prefix = workspace.config.pull_requests.branch_prefix
    return [
        Closed(p.number, p.head_sha, p.metadata)
        for p in workspace.forge.pull_requests(prefix=prefix)
        if p.rejected and p.metadata.get("proposal_id")
    ]


def _seal(workspace: Workspace, decision: Decision) -> bytes:
    """The new entries, chained after the ledger the workspace has read and verified."""
    entries = workspace.history.entries
    last = entries[-1].seal if entries else None
    tail = ledger.Tail(last.seq, last.sha256) if last else ledger.Tail()
    return ledger.seal(decision.payloads(), tail)[0]


def _head(sealed: bytes) -> str:
    """The sha256 of the last entry just sealed: the ledger head after the commit."""
    return ledger.read_tail(sealed[sealed.rstrip(b"\n").rfind(b"\n") + 1 :]).sha256


def _record(workspace: Workspace, decision: Decision, sealed: bytes) -> str:
    """One commit on the default branch: the ledger extended, and any rollback version bumps."""
    path = workspace.config.ledger
    ledger_bytes = workspace.clone.read_at(workspace.base, path) or b""
    files: dict[str, bytes | None] = {path: ledger_bytes + sealed}
    for name, version in sorted(decision.bumps.items()):
        policy_path = scope.policy_path(name)
        data = workspace.clone.read_at(workspace.base, policy_path)
        if data is None:
            continue
        document = yamldoc.parse_bytes(data, path=policy_path)
        bumped = yamldoc.replace_scalars(document, {"/version": str(version)})
        files[policy_path] = bumped.encode("utf-8")
    kinds = ", ".join(sorted({e.type_ for e in decision.entries}))
    bumped = ", ".join(f"{name} to {v}" for name, v in sorted(decision.bumps.items()))
    why = f"Versions moved forward: {bumped}.\n\n" if bumped else ""
    message = (
        f"learnbot: record {len(decision.entries)} ledger entries ({kinds})\n\n{why}"
        f"{trailer.ledger_line(len(decision.entries), workspace.base, _head(sealed))}\n"
    )
    return workspace.clone.commit(
        base=workspace.base,
        files=files,
        message=message,
        author=workspace.identity,
        at=workspace.evaluated.at,
    )
