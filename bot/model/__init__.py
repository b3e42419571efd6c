"""Frozen value types shared by the core and the edges."""

from __future__ import annotations

from bot.model.config import Config, GateConfig, SandboxConfig
from bot.model.state import (
    Case,
    Condition,
    Match,
    Parameter,
    Policy,
    Problem,
    Registration,
    format_time,
    parse_time,
    policy_of,
)

__all__ = [
    "Case",
    "Condition",
    "Config",
    "GateConfig",
    "Match",
    "Parameter",
    "Policy",
    "Problem",
    "Registration",
    "SandboxConfig",
    "format_time",
    "parse_time",
    "policy_of",
]

from bot.model.outcomes import Forecast, Position, RunMetrics, Sample
from bot.model.rollout import Rollout

__all__ += ["Forecast", "Position", "Rollout", "RunMetrics", "Sample"]
