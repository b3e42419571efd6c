"""The trainer (001/002): labeled examples -> thresholds, verified on held-out examples.

An agent's rule fires when every mapped feature meets its parameter (`feature op value`). A
model (fitted outside the core: scikit-learn is an optional extra) ranks the features and
gives each one a split point in raw units; the split point is snapped to the parameter's
grid within its bounds. The snapped rule is verified by k-fold cross-validation: each fold
is predicted by thresholds fitted on the other folds, and the held-out accuracy is compared
with the current parameters' accuracy on the same examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.model import Parameter


@dataclass(frozen=True)
class Feature:
    """A payload feature and the parameter its threshold lives in."""

    name: str
    parameter: str  # policy.parameter
    op: str = ">="


@dataclass(frozen=True)
class Fit:
    """What a fitted model says: each feature's split point (None: unused) and importance."""

    splits: tuple[float | None, ...]
    importances: tuple[float, ...]


Fitter = Callable[[np.ndarray, np.ndarray], Fit]


@dataclass(frozen=True)
class Trained:
    """The verified result: new values, held-out accuracy before and after, the bundle."""

    values: Mapping[str, float]
    before: float
    after: float
    importances: Mapping[str, float]
    folds: int
    examples: int
    positives: int = 0


def matrix(
    payloads: Sequence[Mapping[str, object]],
    labels: Sequence[str],
    features: Sequence[Feature],
    positive: str,
) -> tuple[np.ndarray, np.ndarray, int]:
    """(X, y, examples left out for a missing or non-numeric feature)."""
    rows, ys, skipped = [], [], 0
    for payload, label in zip(payloads, labels, strict=True):
        values = [payload.get(f.name) for f in features]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            skipped += 1
            continue
        rows.append([float(v) for v in values])  # type: ignore[arg-type]
        ys.append(label == positive)
    x = np.array(rows, dtype=float).reshape(len(rows), len(features))
    return x, np.array(ys, dtype=bool), skipped


def predict(x: np.ndarray, thresholds: Sequence[float], features: Sequence[Feature]) -> np.ndarray:
    """The agent's rule: every feature meets its threshold."""
    fired = np.ones(len(x), dtype=bool)
    for index, (feature, threshold) in enumerate(zip(features, thresholds, strict=True)):
        column = np.round(x[:, index], 9)
        fired &= _compare(column, feature.op, round(threshold, 9))
    return fired


def _compare(column: np.ndarray, op: str, threshold: float) -> np.ndarray:
    if op == ">=":
        return column >= threshold
    if op == ">":
        return column > threshold
    if op == "<=":
        return column <= threshold
    return column < threshold


def accuracy(y: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(y == predicted)) if len(y) else 0.0


def snap(split: float, parameter: Parameter, op: str) -> float:
    """A raw split point on the parameter's grid within its bounds, on the rule's side.

    `x > split` is what a tree means by the upper side: for `>=` the smallest grid value
    above the split, for `<=` the largest at or below it.
    """
    steps = (split - parameter.minimum) / parameter.step
    k = math.floor(steps + 1e-9) + 1 if op in (">=", "<") else math.floor(steps + 1e-9)
    value = parameter.minimum + k * parameter.step
    value = min(max(value, parameter.minimum), parameter.maximum)
    return round(value, 9)


def thresholds(
    fit: Fit, current: Sequence[float], features: Sequence[Feature], parameters: Sequence[Parameter]
) -> list[float]:
    """Each feature's snapped split point (its current value when the model did not use it)."""
    return [
        current[i] if split is None else snap(split, parameters[i], features[i].op)
        for i, split in enumerate(fit.splits)
    ]


def folds(count: int, k: int) -> list[np.ndarray]:
    """Deterministic fold membership: example i is in fold i mod k."""
    indices = np.arange(count)
    return [indices[indices % k == f] for f in range(min(k, count))]


def train(
    x: np.ndarray,
    y: np.ndarray,
    *,
    features: Sequence[Feature],
    parameters: Sequence[Parameter],
    fitter: Fitter,
    k: int,
) -> Trained:
    """Fit on everything for the proposal; verify by k-fold held-out accuracy."""
    current = [float(p.value) for p in parameters]
    held_out = np.zeros(len(y), dtype=bool)
    for fold in folds(len(y), k):
        train_mask = np.ones(len(y), dtype=bool)
        train_mask[fold] = False
        fitted = fitter(x[train_mask], y[train_mask])
        held_out[fold] = predict(
            x[fold], thresholds(fitted, current, features, parameters), features
        )
    full = fitter(x, y)
    values = thresholds(full, current, features, parameters)
    return Trained(
        values={f.parameter: v for f, v in zip(features, values, strict=True)},
        before=round(accuracy(y, predict(x, current, features)), 6),
        after=round(accuracy(y, held_out), 6),
        importances={f.name: round(i, 6) for f, i in zip(features, full.importances, strict=True)},
        folds=len(folds(len(y), k)),
        examples=len(y),
        positives=int(np.sum(y)),
    )
