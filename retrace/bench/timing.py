"""Timing one question: warm-up runs, then repetitions, summarised by median and 95th percentile.

Repetitions stop early once ``budget_s`` is spent (after at least ``MIN_RUNS``, or at twice the budget whatever the
count), and warm-up stops once half the budget is spent; an answer that took longer than the whole budget the
first time is timed by that one run.  So a naive approach that takes minutes per answer does not stretch a run to
hours; the number of runs is reported with the figures.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MIN_RUNS = 3


@dataclass(frozen=True)
class Timing:
    """Milliseconds per answer over ``runs`` timed runs (warm-up excluded)."""

    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "median_ms": round(self.median_ms, 4),
            "p95_ms": round(self.p95_ms, 4),
            "min_ms": round(self.min_ms, 4),
            "max_ms": round(self.max_ms, 4),
        }


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in (0, 1]): a value that was measured, never an interpolation."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarise(samples_s: list[float]) -> Timing:
    if not samples_s:
        raise ValueError("no samples")
    ms = [s * 1000 for s in samples_s]
    return Timing(len(ms), statistics.median(ms), percentile(ms, 0.95), min(ms), max(ms))


async def measure(
    run: Callable[[int], Awaitable[object]],
    *,
    warmup: int,
    repeat: int,
    budget_s: float,
    warm_s: float = 0.0,
    first_s: float | None = None,
) -> Timing:
    """Time ``run(i)`` (``i`` counts calls from 0, so a caller can rotate through inputs).  ``warm_s``: time
    already spent running it (checking its answers), which counts as warm-up; ``first_s``: how long that took,
    if it was one complete run of the question, which is the timing when it exceeds the budget."""
    if first_s is not None and first_s > budget_s:
        return summarise([first_s])
    calls = 0
    warmed = warm_s
    for _ in range(warmup):
        if warmed > budget_s / 2:
            break
        started = time.perf_counter()
        await run(calls)
        warmed += time.perf_counter() - started
        calls += 1
    samples: list[float] = []
    spent = 0.0
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        await run(calls)
        elapsed = time.perf_counter() - started
        calls += 1
        samples.append(elapsed)
        spent += elapsed
        if spent > budget_s and (len(samples) >= MIN_RUNS or spent > 2 * budget_s):
            break
    return summarise(samples)
