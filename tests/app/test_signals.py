"""The in-process "events recorded" signal that wakes live feeds: no raise is lost between a feed's read and its
next wait, and a wait with no raise ends after its interval."""

from __future__ import annotations

import asyncio

import pytest

from retrace.app.signals import RecordedSignal

pytestmark = pytest.mark.asyncio


async def test_a_raise_before_the_wait_is_not_lost() -> None:
    signal = RecordedSignal()
    wait = signal.listener(at_most_s=60.0)
    signal.recorded()  # while the feed was reading the store
    await asyncio.wait_for(wait(), timeout=5.0)  # returns at once, not after 60 s


async def test_a_raise_during_the_wait_ends_it() -> None:
    signal = RecordedSignal()
    wait = asyncio.ensure_future(signal.listener(at_most_s=60.0)())
    await asyncio.sleep(0.01)
    assert not wait.done()
    signal.recorded()
    await asyncio.wait_for(wait, timeout=5.0)


async def test_each_raise_is_seen_once() -> None:
    signal = RecordedSignal()
    wait = signal.listener(at_most_s=0.05)
    signal.recorded()
    await wait()
    second = asyncio.ensure_future(wait())  # nothing new: waits for the interval
    await asyncio.sleep(0.01)
    assert not second.done()
    await asyncio.wait_for(second, timeout=5.0)


async def test_one_raise_wakes_every_feed() -> None:
    signal = RecordedSignal()
    waits = [asyncio.ensure_future(signal.listener(at_most_s=60.0)()) for _ in range(3)]
    await asyncio.sleep(0.01)
    signal.recorded()
    await asyncio.wait_for(asyncio.gather(*waits), timeout=5.0)
