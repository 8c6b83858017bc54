"""Thousands of events through a network that fails on purpose: zero lost, zero duplicated.

The device enqueues while offline and online, reboots twice (queue closed and opened again), and pushes through a
network that refuses connections, times out before and after the server handled a request, drops answers after
the server committed, and restarts the server (store and app closed and opened again on the same file).  At the end
the store holds every event exactly once: counted in the store, by id and in total, and every commissioned item
exactly once.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from retrace.scanners.outbox import OutboxQueue
from retrace.scanners.sync import Backoff, SyncClient
from tests.api.payloads import commission, receive, ship
from tests.scanners.conftest import Sleeps, without_id
from tests.scanners.harness import Fault, FaultyNetwork, Server, random_faults

ITEMS = 2000
HANDED_OVER = (
    600  # items also shipped to the collector and received there: events that depend on earlier ones
)


def story() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for i in range(ITEMS):
        tag = f"urn:epc:id:sgtin:0614141.812345.{100000 + i}"
        events.append(without_id(commission("x", i / 100, tag)))
        if i < HANDED_OVER:
            events.append(without_id(ship("x", 30 + i / 100, "maker", "collector", tag)))
            events.append(without_id(receive("x", 40 + i / 100, "collector", tag)))
    # Interleave so that dependent events sit in later batches than what they depend on, as a yard would record.
    return sorted(events, key=lambda e: e["event_time"])


async def test_zero_lost_and_zero_duplicated_through_every_kind_of_fault(
    server: Server, tmp_path: Path
) -> None:
    events = story()
    assert len(events) == ITEMS + 2 * HANDED_OVER  # 3200
    path = tmp_path / "device" / "outbox.db"
    network = FaultyNetwork(server, random_faults(seed=5084, rate=0.35, restart_every=23))
    sleeps = Sleeps()
    enqueued: list[str] = []
    reports = []

    async def session(chunk: list[dict[str, Any]], pushes: int) -> None:
        """One power-on of the device: enqueue what was recorded, push a few times, switch off."""
        with OutboxQueue(path) as queue:
            enqueued.extend(queue.enqueue_many(chunk))
            async with SyncClient(
                queue,
                "http://trace.test",
                transport=network,
                batch_size=25,
                max_attempts=6,
                backoff=Backoff(base=0.05, cap=2.0),
                sleep=sleeps,
                rng=random.Random(len(enqueued)),
            ) as sync:
                for _ in range(pushes):
                    reports.append(await sync.push())

    third = len(events) // 3
    await session(events[:third], pushes=1)  # offline-ish: one push, probably paused by faults
    await session(events[third : 2 * third], pushes=2)  # rebooted with the earlier events still queued
    await session(events[2 * third :], pushes=0)  # recorded while out of reach, nothing pushed
    with OutboxQueue(path) as queue:
        async with SyncClient(
            queue, "http://trace.test", transport=network, batch_size=25, max_attempts=6, sleep=sleeps
        ) as sync:
            for _ in range(50):  # back in reach: push until the queue is empty
                reports.append(await sync.push())
                if reports[-1].pending == 0:
                    break
        status = queue.status()
        dead = queue.dead_letters()

    # Every kind of fault happened, including answers lost after the server committed and server restarts.
    for fault in Fault:
        assert network.faults[fault] > 0, fault
    assert server.restarts >= 5

    # The device: nothing left, nothing refused, each event acknowledged exactly once (as created, or as replayed
    # when the answer to the delivery that created it was lost).
    assert status.pending == 0 and dead == [] and status.dead == 0
    assert len(enqueued) == len(set(enqueued)) == len(events)
    assert status.created + status.replayed == len(events)
    assert status.replayed == sum(r.replayed for r in reports) > 0

    # The store: each event exactly once, each item exactly once, in the right hands.
    assert server.store is not None
    stored = await server.store.get_events(enqueued)
    assert set(stored) == set(enqueued)
    counts = await server.store.counts()
    assert counts["events"] == len(events)
    assert counts["objects"] == ITEMS
    held = await server.store.find_by_keys(
        [f"gs1:01/80614141123458/21/{100000 + i}" for i in (0, HANDED_OVER)]
    )
    holders = sorted(obj.holder_id or "" for obj in held.values())
    assert holders == ["collector", "maker"]
