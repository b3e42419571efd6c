"""Model fitting with scikit-learn (the optional `learnbot[train]` extra).

Features are ranked by the configured model (a decision tree of depth <= 5, or a logistic
regression on standardised features, whose coefficients are comparable only there); each
feature's split point is the best single split on it, found in raw units: a depth-one tree
on the raw feature, or the logistic boundary mapped back from standardised units.

Fitting is pure computation (no files, clock or network), so it sits with the learners;
scikit-learn is imported only when a fit runs, so the core loads without the extra.
"""

from __future__ import annotations

import numpy as np

from bot.core.learners.trainer import Fit, Fitter

MISSING = 'the trainer needs scikit-learn: pip install "learnbot[train]"'


def missing() -> str | None:
    """Why the trainer cannot run here (None when scikit-learn is installed)."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return MISSING
    return None


def fitter(model: str, depth: int) -> Fitter:
    """A fitting function for the core trainer."""

    def fit(x: np.ndarray, y: np.ndarray) -> Fit:
        if len(set(y.tolist())) < 2:
            return Fit(
                tuple(None for _ in range(x.shape[1])), tuple(0.0 for _ in range(x.shape[1]))
            )
        if model == "logistic":
            return Fit(_logistic_splits(x, y), _logistic_importances(x, y))
        return Fit(_stump_splits(x, y), _tree_importances(x, y, depth))

    return fit


def _tree_importances(x: np.ndarray, y: np.ndarray, depth: int) -> tuple[float, ...]:
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=min(depth, 5), random_state=0).fit(x, y)
    return tuple(float(v) for v in tree.feature_importances_)


def _stump_splits(x: np.ndarray, y: np.ndarray) -> tuple[float | None, ...]:
    from sklearn.tree import DecisionTreeClassifier

    found: list[float | None] = []
    for column in range(x.shape[1]):
        stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(x[:, [column]], y)
        used = stump.tree_.feature[0] >= 0
        found.append(float(stump.tree_.threshold[0]) if used else None)
    return tuple(found)


def _standardised(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return (x - mean) / scale, mean, scale


def _logistic_importances(x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    from sklearn.linear_model import LogisticRegression

    z, _, _ = _standardised(x)
    model = LogisticRegression(max_iter=1000).fit(z, y)
    weights = np.abs(model.coef_[0])
    total = float(weights.sum()) or 1.0
    return tuple(float(w) / total for w in weights)


def _logistic_splits(x: np.ndarray, y: np.ndarray) -> tuple[float | None, ...]:
    from sklearn.linear_model import LogisticRegression

    z, mean, scale = _standardised(x)
    found: list[float | None] = []
    for column in range(x.shape[1]):
        model = LogisticRegression(max_iter=1000).fit(z[:, [column]], y)
        weight, bias = float(model.coef_[0][0]), float(model.intercept_[0])
        if abs(weight) < 1e-12:
            found.append(None)
            continue
        found.append(float(mean[column] + (-bias / weight) * scale[column]))  # raw units
    return tuple(found)
