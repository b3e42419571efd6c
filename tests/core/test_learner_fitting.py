"""The trainer's models (scikit-learn): split points in raw units and feature importances."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.learners import fitting

# column 0 decides (positive from 30 up), column 1 is noise, column 2 never varies
X = np.array([[float(v), float((v * 7) % 5), 3.0] for v in range(10, 50, 2)])
Y = X[:, 0] >= 30


def test_fitting_one_class_has_no_split_and_no_importance() -> None:
    for model in ("tree", "logistic"):
        fit = fitting.fitter(model, 3)(X, np.zeros(len(X), dtype=bool))
        assert fit.splits == (None, None, None)
        assert fit.importances == (0.0, 0.0, 0.0)


def test_fitting_tree_splits_each_feature_in_raw_units() -> None:
    fit = fitting.fitter("tree", 3)(X, Y)
    split, _, unused = fit.splits
    assert split == pytest.approx(29.0)  # halfway between 28 (negative) and 30 (positive)
    assert unused is None  # a constant column offers no split
    assert fit.importances[0] == pytest.approx(1.0)
    assert fit.importances[1:] == (0.0, 0.0)


def test_fitting_tree_depth_is_capped_at_five() -> None:
    # a label no shallow tree separates: deeper trees use the noise column more
    y = (X[:, 0] >= 30) ^ (X[:, 1] >= 2)
    shallow = fitting.fitter("tree", 1)(X, y).importances
    capped = fitting.fitter("tree", 50)(X, y).importances
    assert capped == fitting.fitter("tree", 5)(X, y).importances
    assert shallow != capped


def test_fitting_logistic_maps_the_boundary_back_to_raw_units() -> None:
    fit = fitting.fitter("logistic", 3)(X, Y)
    split, _, unused = fit.splits
    assert split is not None and 26.0 < split < 32.0
    assert unused is None  # no weight on a constant column: no boundary
    assert sum(fit.importances) == pytest.approx(1.0)
    assert fit.importances[0] > 0.5 and fit.importances[2] == 0.0


def test_fitting_is_deterministic() -> None:
    for model in ("tree", "logistic"):
        assert fitting.fitter(model, 3)(X, Y) == fitting.fitter(model, 3)(X, Y)
