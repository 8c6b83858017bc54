"""Cancelling a caller of the Neo4j store (a subscriber leaving, a client hanging up) neither leaks a socket nor
throws away the work already sent: the work ends first, then the caller sees its cancellation."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from retrace.adapters.neo4j.cancellation import finish_before_cancelling
from retrace.adapters.neo4j.store import Neo4jStore
from tests.conftest import NEO4J_URI

pytestmark = pytest.mark.asyncio


@contextmanager
def unraisable_reports() -> Iterator[list[str]]:
    """What Python reports as unraisable (an unclosed socket found by the garbage collector) while inside."""
    seen: list[str] = []
    previous = sys.unraisablehook

    def hook(report: Any) -> None:
        seen.append(f"{report.exc_type.__name__}: {report.object!r}")

    sys.unraisablehook = hook
    try:
        yield seen
    finally:
        sys.unraisablehook = previous


async def test_a_cancelled_caller_waits_for_the_work_then_is_cancelled() -> None:
    finished: list[str] = []

    async def work() -> str:
        await asyncio.sleep(0.05)
        finished.append("done")
        return "answer"

    caller = asyncio.ensure_future(finish_before_cancelling(work()))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == ["done"]


async def test_work_that_outlasts_the_grace_period_is_cancelled_with_its_caller() -> None:
    cancelled: list[bool] = []

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    caller = asyncio.ensure_future(finish_before_cancelling(work(), grace_s=0.05))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert cancelled == [True]


async def test_work_that_fails_after_its_caller_left_is_not_reported_as_unretrieved() -> None:
    async def work() -> None:
        await asyncio.sleep(0.02)
        raise RuntimeError("the store went away")

    with unraisable_reports() as seen:
        caller = asyncio.ensure_future(finish_before_cancelling(work()))
        await asyncio.sleep(0.005)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        gc.collect()
    assert seen == []


@pytest.mark.neo4j
async def test_reads_cancelled_while_connections_open_leak_no_socket() -> None:
    """Many reads on a fresh pool make the driver open many connections at once; cancelling them at every point of
    that start-up (after 0, 1, 2 … turns of the event loop) once left connected sockets for the garbage collector."""
    with unraisable_reports() as seen:
        for turns in range(12):
            store = await Neo4jStore.connect(NEO4J_URI, None, max_connection_pool_size=50)
            try:
                reads = [asyncio.ensure_future(store.event_log_head()) for _ in range(20)]
                for _ in range(turns):
                    await asyncio.sleep(0)
                for read in reads:
                    read.cancel()
                outcomes = await asyncio.gather(*reads, return_exceptions=True)
                assert all(isinstance(o, (int, asyncio.CancelledError)) for o in outcomes), outcomes
                assert await store.event_log_head() >= 0  # the pool still answers
            finally:
                await store.close()
            gc.collect()
    assert seen == []
