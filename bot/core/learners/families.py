"""The trainer on a family's cases (001/002): the family-wide threshold one-case fixes miss.

Each case of the family is a labeled example: its label is its `expect` (`fire` is
positive), its features the values its triggers measured, one per parameter every case of
the family reads. The thresholds are fitted and verified like an agent's (k-fold held-out
accuracy, at most one fold per case). A family-wide change may fix several cases and break
an unprotected one that no series of one-case fixes could get past (each of those would
break it alone); the body names that trade-off, and the gate judges held-out accuracy and
the protected cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.evaluate import evaluate
from bot.core.learners import Candidate, Context, configs, trainer
from bot.model import Case, Parameter
from bot.model.proposal import Change

PREFIX = "trainer/family/"
MIN_CASES = 4


@dataclass(frozen=True)
class FamilyFit:
    changes: tuple[Change, ...]
    trained: trainer.Trained
    cases: tuple[str, ...]
    fixed: tuple[str, ...]
    broken: tuple[str, ...]
    features: tuple[trainer.Feature, ...]
    parameters: tuple[Parameter, ...]


def features(cases: Sequence[Case]) -> tuple[trainer.Feature, ...]:
    """The trigger thresholds every case of the family reads, with their comparison."""
    common: dict[str, str] | None = None
    for case in cases:
        found = {c.threshold: c.op for c in case.triggers}
        common = found if common is None else {r: o for r, o in common.items() if found.get(r) == o}
    return tuple(trainer.Feature(ref, ref, op) for ref, op in sorted((common or {}).items()))


def fit(
    context: Context, family: str, fitter: trainer.Fitter, settings: Mapping[str, object]
) -> FamilyFit | str:
    """The family-wide thresholds and what they fix and break, or why there are none."""
    cases = tuple(c for _, c in sorted(context.cases.items()) if c.family == family)
    minimum = int(settings.get("min_cases", MIN_CASES))  # type: ignore[call-overload]
    if len(cases) < minimum:
        return f"family {family!r} has {len(cases)} case(s), {minimum} needed"
    chosen = features(cases)
    if not chosen:
        return f"the cases of family {family!r} share no trigger threshold"
    rows, labels = [], []
    for case in cases:
        measured = {
            m.ref: m.value
            for m in evaluate(
                case, context.params, context.snapshots[case.snapshot_sha256]
            ).triggers
        }
        rows.append({f.name: measured.get(f.parameter) for f in chosen})
        labels.append(case.expect)
    x, y, _ = trainer.matrix(rows, labels, chosen, "fire")
    if len(y) < minimum:
        return f"family {family!r}: {len(y)} case(s) measured every threshold, {minimum} needed"
    parameters = tuple(context.params.parameter(f.parameter) for f in chosen)
    folds = min(configs.TRAINER.of(context.config).folds, len(y))
    trained = trainer.train(x, y, features=chosen, parameters=parameters, fitter=fitter, k=folds)
    changes = tuple(
        Change(
            f.parameter.partition(".")[0],
            f"parameters.{p.name}",
            p.value,
            trained.values[f.parameter],
        )
        for f, p in zip(chosen, parameters, strict=True)
        if round(trained.values[f.parameter] - float(p.value), 9) != 0
    )
    fixed, broken = _effects(context, cases, changes)
    return FamilyFit(
        changes, trained, tuple(c.id for c in cases), fixed, broken, chosen, parameters
    )


def _effects(
    context: Context, cases: Sequence[Case], changes: Sequence[Change]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(cases the change fixes, cases it breaks) among every case that reads what it changes."""
    after = context.params.apply(changes)
    readers = {i for c in changes for i in context.params.readers(c.key, context.cases.values())}
    fixed, broken = [], []
    for case_id in sorted(readers | {c.id for c in cases}):
        case = context.cases[case_id]
        snapshot = context.snapshots[case.snapshot_sha256]
        was = evaluate(case, context.params, snapshot).passed
        now = evaluate(case, after, snapshot).passed
        if now and not was:
            fixed.append(case_id)
        elif was and not now:
            broken.append(case_id)
    return tuple(fixed), tuple(broken)


def rationale(family: str, found: FamilyFit) -> str:
    trained = found.trained
    text = (
        f"Fit family {family}'s thresholds to its {len(found.cases)} cases (each case's expect "
        f"is its label): held-out accuracy {trained.before:.3f} -> {trained.after:.3f} "
        f"({trained.folds}-fold); fixes {', '.join(found.fixed) or 'none'}."
    )
    if found.broken:
        text += (
            f" Trade-off: it breaks {', '.join(found.broken)} (unprotected), which every "
            "one-case fix would break alone; the family is better off as a whole."
        )
    return text


def candidate(family: str, found: FamilyFit, context: Context) -> Candidate:
    rows = tuple(
        {
            "feature": f.name,
            "rule": f"measured {f.op} value",
            "old": f"{float(p.value):g}",
            "new": f"{float(found.trained.values[f.parameter]):g}",
            "importance": f"{found.trained.importances[f.name]:.3f}",
        }
        for f, p in zip(found.features, found.parameters, strict=True)
    )
    readers = {
        i for c in found.changes for i in context.params.readers(c.key, context.cases.values())
    }
    return Candidate(
        "family_thresholds",
        found.changes,
        rationale(family, found),
        impact=tuple(sorted(readers)),
        explanation=rows,
    )
