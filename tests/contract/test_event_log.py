"""The event log that live feeds poll, on both stores: positions in commit order, filters, and no event missed or
seen twice while other connections (as other API workers would) commit at the same time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import EventFilter, GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.domain.events import Correct, Event
from tests.conftest import NEO4J_URI
from tests.world import NOW, at, battery, battery_chain, commission, digital_link, handover, registration

pytestmark = pytest.mark.asyncio


@contextlib.asynccontextmanager
async def another_connection(store: GraphStore) -> AsyncIterator[GraphStore]:
    """A second, independent handle on the same data, as a second API worker process would open."""
    from retrace.adapters.neo4j.store import Neo4jStore
    from retrace.adapters.sqlite.store import SqliteStore

    other: GraphStore
    if isinstance(store, SqliteStore):
        other = await SqliteStore.open(store.path)
    else:
        assert isinstance(store, Neo4jStore)
        other = await Neo4jStore.connect(NEO4J_URI, None)
    try:
        yield other
    finally:
        await other.close()


async def capture(store: GraphStore, events: list[Event]) -> None:
    await CaptureEvents(store, clock=lambda: NOW).execute(events)


@pytest.fixture
async def registered(store: GraphStore) -> GraphStore:
    await RegisterMasterData(store).execute(registration())
    return store


async def test_an_empty_log_is_at_zero(registered: GraphStore) -> None:
    assert await registered.event_log_head() == 0
    assert await registered.events_since(0, 10) == []


async def test_positions_follow_batches_and_the_order_within_them(registered: GraphStore) -> None:
    chain = battery_chain()
    await capture(registered, chain[:5])
    assert await registered.event_log_head() == 5
    await capture(registered, chain[5:])
    head = await registered.event_log_head()
    assert head == len(chain)
    logged = await registered.events_since(0, 1000)
    assert [p for p, _ in logged] == list(range(1, len(chain) + 1))
    assert [r.event_id for _, r in logged] == [e.event_id for e in chain]
    assert logged[0][1] == (await registered.get_events([chain[0].event_id]))[chain[0].event_id]
    assert [r.event_id for _, r in await registered.events_since(3, 2)] == [
        chain[3].event_id,
        chain[4].event_id,
    ]
    assert await registered.events_since(head, 10) == []


async def test_a_replay_adds_nothing_and_a_correction_keeps_its_target_in_place(
    registered: GraphStore,
) -> None:
    chain = battery_chain()
    await capture(registered, chain)
    head = await registered.event_log_head()
    await capture(registered, chain[:3])  # replayed: nothing new is logged
    assert await registered.event_log_head() == head
    fix = Correct("fix-1", at(170), "site-refiner", "refiner", target_event_id="t-li", reason="wrong outputs")
    await capture(registered, [fix])
    after = await registered.events_since(head, 10)
    assert [(p, r.event_id) for p, r in after] == [(head + 1, "fix-1")]
    (position, target), *_ = [
        (p, r) for p, r in await registered.events_since(0, 1000) if r.event_id == "t-li"
    ]
    assert position == chain.index(next(e for e in chain if e.event_id == "t-li")) + 1
    assert target.corrected_by == "fix-1"


async def test_filters_by_site_party_and_object(registered: GraphStore) -> None:
    chain = battery_chain()
    await capture(registered, chain)
    at_refiner = await registered.events_since(0, 100, EventFilter(site_id="site-refiner"))
    assert [r.event_id for _, r in at_refiner] == ["h3-recv", "t-li"]
    assert [p for p, _ in at_refiner] == [len(chain) - 1, len(chain)]
    by_dismantler = await registered.events_since(0, 100, EventFilter(party_id="dismantler"))
    assert [r.event_id for _, r in by_dismantler] == ["h1-recv", "d-car", "h2-ship"]
    pack_key = f"gbt34014:{battery('P', 1)}"
    pack = (await registered.find_by_keys([pack_key]))[pack_key]
    of_pack = await registered.events_since(0, 100, EventFilter(object_id=pack.id))
    assert [r.event_id for _, r in of_pack] == [r.event_id for r in await registered.history(pack.id)]
    later = await registered.events_since(of_pack[2][0], 100, EventFilter(object_id=pack.id))
    assert [r.event_id for _, r in later] == [r.event_id for _, r in of_pack[3:]]
    both = EventFilter(site_id="site-recycler", party_id="recycler", object_id=pack.id)
    assert [r.event_id for _, r in await registered.events_since(0, 100, both)] == ["h2-recv", "d-pack"]


async def test_a_reader_misses_nothing_while_two_connections_commit_at_once(registered: GraphStore) -> None:
    """Two writers (this connection and another, as two API workers) commit 2 × 15 batches concurrently while a
    reader follows the log from position 0: it sees every event exactly once, in increasing positions."""
    per_writer = 15

    def batches(tag: str) -> list[list[Event]]:
        out = []
        for i in range(per_writer):
            serial = f"{tag}{i}"
            out.append(
                [
                    commission(f"{tag}-c{i}", at(i), "tv-maker", ((digital_link(int(serial, 36)),), "tv")),
                    *handover(
                        f"{tag}-h{i}", at(i + 1), "tv-maker", "collector", digital_link(int(serial, 36))
                    ),
                ]
            )
        return out

    async with another_connection(registered) as other:
        done = asyncio.Event()
        seen: list[tuple[int, str]] = []

        async def follow() -> None:
            position = 0
            while True:
                # Read before the poll: a poll that starts after the writers ended is the last one needed.
                finished = done.is_set()
                for found, record in await registered.events_since(position, 7):
                    seen.append((found, record.event_id))
                    position = found
                if finished and not await registered.events_since(position, 1):
                    return
                await asyncio.sleep(0)

        async def write(store: GraphStore, tag: str) -> None:
            for batch in batches(tag):
                await capture(store, batch)

        reader = asyncio.create_task(follow())
        await asyncio.gather(write(registered, "a"), write(other, "b"))
        done.set()
        await asyncio.wait_for(reader, timeout=60)

    ids = [event_id for _, event_id in seen]
    assert len(ids) == len(set(ids)) == 2 * per_writer * 3
    positions = [p for p, _ in seen]
    assert positions == sorted(positions) and positions == list(range(1, len(ids) + 1))
    # each writer's batches keep their own order in the log
    for tag in ("a", "b"):
        mine = [event_id for event_id in ids if event_id.startswith(f"{tag}-")]
        assert mine == [e.event_id for batch in batches(tag) for e in batch]
