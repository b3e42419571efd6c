"""Hypothesis profiles for the fuzzing suite.

`ci` (the default): a fixed seed and few examples, so the suite stays well under a minute on
two cores and every run tries the same inputs. `long`, for local runs, tries many more, with
fresh randomness: `LEARNBOT_FUZZ=long python -m pytest tests/fuzz`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]

settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, suppress_health_check=_SLOW_OK
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK, print_blob=True
)
settings.load_profile(os.environ.get("LEARNBOT_FUZZ", "ci"))


def scaled(examples: int) -> int:
    """`examples` under the ci profile, fifty times more under long (for the slow targets)."""
    return examples * (50 if os.environ.get("LEARNBOT_FUZZ") == "long" else 1)
