"""The benchmark's timing rules: how many runs, which are timed, and what median and p95 mean (no clocks asserted)."""

from __future__ import annotations

import pytest

from retrace.bench.timing import MIN_RUNS, measure, percentile, summarise


def test_p95_is_a_measured_value_by_nearest_rank() -> None:
    samples = [float(x) for x in range(1, 21)]  # 1 … 20
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0


def test_summary_is_in_milliseconds() -> None:
    t = summarise([0.001, 0.003, 0.002])
    assert (t.runs, t.median_ms, t.min_ms, t.max_ms, t.p95_ms) == (3, 2.0, 1.0, 3.0, 3.0)
    with pytest.raises(ValueError, match="no samples"):
        summarise([])


async def test_warm_up_runs_first_then_the_timed_runs_rotate_through_inputs() -> None:
    calls: list[int] = []

    async def run(i: int) -> None:
        calls.append(i)

    t = await measure(run, warmup=2, repeat=5, budget_s=60)
    assert calls == [0, 1, 2, 3, 4, 5, 6]
    assert t.runs == 5


class FakeClock:
    """``time.perf_counter`` for the timing module: each run of the question takes ``run_s``."""

    def __init__(self, run_s: float) -> None:
        self.now = 0.0
        self.run_s = run_s
        self.calls: list[int] = []

    def perf_counter(self) -> float:
        return self.now

    async def run(self, i: int) -> None:
        self.calls.append(i)
        self.now += self.run_s


@pytest.mark.parametrize(
    ("run_s", "runs"),
    [
        (0.01, 50),  # well inside the budget: every repetition
        (0.4, MIN_RUNS),  # the budget is spent after 3 runs
        (0.9, MIN_RUNS),  # spent after 2, but fewer than 3 runs and under twice the budget: one more
        (3.0, 1),  # twice the budget spent at once: one run is all
    ],
)
async def test_a_spent_budget_stops_the_repetitions(
    monkeypatch: pytest.MonkeyPatch, run_s: float, runs: int
) -> None:
    clock = FakeClock(run_s)
    monkeypatch.setattr("retrace.bench.timing.time.perf_counter", clock.perf_counter)
    t = await measure(clock.run, warmup=0, repeat=50, budget_s=1.0)
    assert t.runs == runs == len(clock.calls)
    assert t.median_ms == pytest.approx(run_s * 1000)


async def test_warm_up_stops_at_half_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(0.3)
    monkeypatch.setattr("retrace.bench.timing.time.perf_counter", clock.perf_counter)
    await measure(clock.run, warmup=5, repeat=1, budget_s=1.0, warm_s=0.1)
    assert len(clock.calls) == 2 + 1  # warm-up 0.1 + 0.3 + 0.3 > 0.5, then the timed run


async def test_an_answer_slower_than_the_budget_is_timed_by_its_first_run() -> None:
    calls: list[int] = []

    async def run(i: int) -> None:
        calls.append(i)

    t = await measure(run, warmup=2, repeat=10, budget_s=5.0, warm_s=7.0, first_s=7.0)
    assert calls == [] and t.runs == 1 and t.median_ms == 7000.0
