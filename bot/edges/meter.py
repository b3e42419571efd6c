"""Measure what a replay costs: wall time and peak memory (the core reads no clock)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from bot.model.cost import Cost

T = TypeVar("T")


def measure(work: Callable[[], T], trace_memory: bool = True) -> tuple[T, Cost]:
    """Run `work` once; its wall time in ms and (when traced) the peak memory it allocated in KB."""
    if not trace_memory:
        began = time.perf_counter()
        result = work()
        return result, Cost(round((time.perf_counter() - began) * 1000, 3), 0.0)
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        began = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if started:
            tracemalloc.stop()
    return result, Cost(round(elapsed * 1000, 3), round(max(0, peak - before) / 1024, 1))
