"""Benchmark plumbing (tools.benchmarking) for ``python manage.py bench``.

Each app may define ``<app>/bench.py`` with ``BENCHMARKS``: a list of callables that take
no argument and return a list of ``Figure``. Every figure is measured together with its
baseline in the same run, so the ratio is meaningful on whatever machine runs it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    ratio: float | None = None

    def __post_init__(self) -> None:
        if self.ratio is None and self.baseline:
            self.ratio = self.value / self.baseline


def timed(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> list[float]:
    """Wall-clock durations of ``fn`` in milliseconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
