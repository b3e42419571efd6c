"""A proposal (000, component 2): exactly one bounded change, with its id derived from content."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from bot.core import canonical
from bot.core.learners import Candidate
from bot.core.params import Params
from bot.model import Case, Policy
from bot.model.proposal import Change


def evidence_digest(case_ids: Iterable[str], cases: Mapping[str, Case], params: Params) -> str:
    """What a proposal was validated on: the replayed cases, their snapshots, their parameters.

    Versions are left out on purpose: a rollback bumps the version without changing the
    evidence, so the proposal it rolled back keeps its id and stays known-bad.
    """
    chosen = [cases[i] for i in sorted(case_ids)]
    refs = sorted({ref for case in chosen for ref in case.refs()})
    policies = sorted({name for case in chosen for name in case.policies()})
    return canonical.digest(
        {
            "cases": {
                c.id: {k: v for k, v in dataclasses.asdict(c).items() if k != "path"}
                for c in chosen
            },
            "parameters": {ref: params.value(ref) for ref in refs},
            "registrations": {
                name: {key: r.active for key, r in params.policies[name].registrations.items()}
                for name in policies
            },
        }
    )


def proposal_id(source_failure_id: str, candidate: Candidate, evidence: str) -> str:
    """Derived from content: the same change for the same failure on the same evidence."""
    content = {
        "failure": source_failure_id,
        "type": candidate.proposal_type,
        "changes": [dataclasses.asdict(c) for c in candidate.changes],
        "moves": [list(m) for m in candidate.moves],
        "evidence": evidence,
    }
    return f"proposal_{canonical.short_digest(content)}"


def versions(
    changes: Sequence[Change], policies: Mapping[str, Policy]
) -> dict[str, tuple[int, int]]:
    """Every changed policy's version bump."""
    return {
        name: (policies[name].version, policies[name].version + 1)
        for name in sorted({c.policy for c in changes})
    }
