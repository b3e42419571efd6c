"""The trainer's pure parts: snapping to the grid, the rule, folds, held-out verification."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from bot.core.learners import trainer
from bot.model import Parameter

RISK = Parameter("risk_min", 75, 40, 95, 1)
KEYWORDS = Parameter("keywords_min", 1, 0, 5, 1)
HALF = Parameter("ratio", 0.5, 0.0, 1.0, 0.05)
FEATURES = (trainer.Feature("risk", "p.risk_min"), trainer.Feature("kw", "p.keywords_min"))


@pytest.mark.parametrize(
    ("split", "parameter", "op", "expected"),
    [
        (64.5, RISK, ">=", 65),  # x > 64.5  <=>  x >= 65 on integers
        (64.0, RISK, ">=", 65),
        (64.5, RISK, "<=", 64),
        (12.0, RISK, ">=", 40),  # clamped to the bounds
        (120.0, RISK, ">=", 95),
        (0.62, HALF, ">=", 0.65),
        (0.62, HALF, "<=", 0.6),
        (1.5, KEYWORDS, ">", 1),
    ],
)
def test_snap_lands_on_the_grid_on_the_rule_side(
    split: float, parameter: Parameter, op: str, expected: float
) -> None:
    assert trainer.snap(split, parameter, op) == expected


def test_predict_needs_every_feature() -> None:
    x = np.array([[80, 2], [80, 0], [60, 3], [65, 2]], dtype=float)
    assert trainer.predict(x, [65, 2], FEATURES).tolist() == [True, False, False, True]
    assert trainer.accuracy(np.array([True, False]), np.array([True, True])) == 0.5


def test_matrix_skips_examples_without_numeric_features() -> None:
    x, y, skipped = trainer.matrix(
        [{"risk": 70, "kw": 1}, {"risk": "high", "kw": 1}, {"risk": 90}, {"risk": 50, "kw": 0}],
        ["bad", "bad", "bad", "ok"],
        FEATURES,
        "bad",
    )
    assert x.tolist() == [[70, 1], [50, 0]] and y.tolist() == [True, False] and skipped == 2


def test_folds_are_deterministic_and_cover_everything() -> None:
    found = trainer.folds(7, 3)
    assert [f.tolist() for f in found] == [[0, 3, 6], [1, 4], [2, 5]]
    assert len(trainer.folds(2, 5)) == 2


def test_train_verifies_on_held_out_folds_with_the_fitter_given() -> None:
    # people decide risk >= 65 and keywords >= 2; the fitter returns the true split points
    grid = [(r, k) for r in range(50, 90, 5) for k in range(0, 4)]
    x = np.array(grid, dtype=float)
    y = (x[:, 0] >= 65) & (x[:, 1] >= 2)
    calls: list[int] = []

    def fitter(xs: np.ndarray, ys: np.ndarray) -> trainer.Fit:
        calls.append(len(ys))
        return trainer.Fit((64.5, 1.5), (0.6, 0.4))

    trained = trainer.train(
        x, y, features=FEATURES, parameters=(RISK, KEYWORDS), fitter=fitter, k=4
    )
    assert trained.values == {"p.risk_min": 65, "p.keywords_min": 2}
    assert trained.after == 1.0
    before = float(np.mean(((x[:, 0] >= 75) & (x[:, 1] >= 1)) == y))
    assert trained.before == round(before, 6)
    assert calls == [24, 24, 24, 24, 32]  # four folds, then the whole set
    assert (trained.folds, trained.examples) == (4, 32)


def test_a_feature_the_model_did_not_use_keeps_its_value() -> None:
    fit = trainer.Fit((None, 2.5), (0.0, 1.0))
    assert trainer.thresholds(fit, [75, 1], FEATURES, (RISK, KEYWORDS)) == [75, 3]


def test_without_scikit_learn_the_trainer_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.core.learners import fitting

    assert fitting.missing() is None
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if the extra were not installed
    assert fitting.missing() == 'the trainer needs scikit-learn: pip install "learnbot[train]"'
    from bot.cli import main
    from tests.repos import ROOT

    main(["learn", "trainer", "--dry-run", "--repo", str(ROOT), "--now", "2026-01-20T00:00:00Z"])
    assert 'trainer: the trainer needs scikit-learn: pip install "learnbot[train]"' in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("op", "fired"),
    [
        (">=", [False, True, True]),
        (">", [False, False, True]),
        ("<=", [True, True, False]),
        ("<", [True, False, False]),
    ],
)
def test_predict_compares_with_each_rule_op(op: str, fired: list[bool]) -> None:
    x = np.array([[1.0], [2.0], [3.0]])
    # 2.0000000001 rounds to the threshold: the rule compares at 9 digits
    assert trainer.predict(x, [2.0000000001], (trainer.Feature("f", "p.f", op),)).tolist() == fired
