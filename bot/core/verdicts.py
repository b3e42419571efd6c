"""Fired, score and confidence of every case of a batch at once, from its measured columns.

The rules are evaluate.py's; each is computed for all cases with numpy instead of case by
case, and gives the same values (scores are rounded by Python's `round`, as before).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bot.core.measures import Bools, Measures
from bot.core.partition import Ints
from bot.core.results import HIGH, LOW, MED
from bot.core.segments import Floats

HIGH_MARGIN, MED_MARGIN = 0.25, 0.10
CONFIDENCES = (LOW, MED, HIGH)


class Verdicts(NamedTuple):
    fired: Bools
    score: Floats  # of a case that does not abstain
    confidence: npt.NDArray[np.intp]  # indexes of CONFIDENCES


def decide(owner: Ints, trigger: Bools, measures: Measures, fire: Bools, cases: int) -> Verdicts:
    """Each case's verdict from its conditions' columns (`owner`: each condition's case)."""
    met = measures.met
    triggers = np.bincount(owner[trigger], minlength=cases)
    conditions = np.bincount(owner, minlength=cases)
    met_triggers = np.bincount(owner[trigger & met], minlength=cases)
    met_falsifiers = np.bincount(owner[~trigger & met], minlength=cases)
    fired = (met_triggers == triggers) & (met_falsifiers == 0)
    agreeing = met_triggers + (conditions - triggers - met_falsifiers)
    score = np.where(fired, 0.0, 1.0)
    if fire.any():
        score[fire] = _shares(agreeing[fire], conditions[fire])
    return Verdicts(fired, score, _confidence(owner, trigger, measures, fired, conditions))


def _shares(agreeing: Ints, total: Ints) -> Floats:
    """round(agreeing / total, 6), computed once per distinct pair."""
    stride = int(total.max()) + 1
    pairs, inverse = np.unique(agreeing * stride + total, return_inverse=True)
    rounded = [round(p // stride / (p % stride), 6) for p in pairs.tolist()]
    return np.array(rounded, dtype=np.float64)[inverse]


def _confidence(
    owner: Ints, trigger: Bools, measures: Measures, fired: Bools, conditions: Ints
) -> npt.NDArray[np.intp]:
    """HIGH / MED / LOW from the decisive margin (see evaluate.py)."""
    has, value, threshold = measures.has, measures.value, measures.threshold
    distance = np.abs(np.where(has, value, 0.0) - threshold)
    margin = np.where(has, distance / np.maximum(np.abs(threshold), 1e-9), np.inf)
    cases = fired.size
    deciding = fired[owner] | (trigger != measures.met)
    weak = np.bincount(owner[deciding & (~has | (measures.matched == 0))], minlength=cases)
    lowest = np.full(cases, np.inf)
    np.minimum.at(lowest, owner, margin)
    highest = np.full(cases, -np.inf)
    np.maximum.at(highest, owner[deciding], margin[deciding])
    decisive = np.where(fired, lowest, highest)
    level = (decisive >= MED_MARGIN).astype(np.intp) + (decisive >= HIGH_MARGIN)
    return np.where((weak > 0) | (conditions == 0), 0, level)
