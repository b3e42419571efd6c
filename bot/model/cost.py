"""What one replay cost as measured: shown as information, never judged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cost:
    """What one replay cost: wall time and peak memory."""

    time_ms: float
    memory_kb: float
