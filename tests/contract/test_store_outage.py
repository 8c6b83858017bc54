"""The database going away in the middle of a batch (brief §7), on both stores.

The commit of a batch that creates, updates, links and counts flows loses its database part-way through its real
transaction (``tests/contract/outage.py``).  The device must hear ``STORE_UNAVAILABLE``; once the database is back,
nothing of the batch may be there; and sending the same batch again must store it, once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import FlowQuery, GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.errors import StoreUnavailable
from retrace.domain.events import Disassemble, Event
from retrace.domain.identifiers import parse_identifier
from retrace.domain.model import Status
from tests.contract.outage import broken_twin
from tests.world import NOW, at, commission, digital_link, handover, lot, registration, ship, vin

pytestmark = pytest.mark.asyncio

CAR = vin(60)
TVS = (digital_link(9600), digital_link(9601))
LOTS = ("ST-60", "AL-60")


@pytest.fixture
async def stocked(store: GraphStore) -> GraphStore:
    """The registry, and a car already held by the dismantler (so the batch also updates a stored object)."""
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            commission("car-c", at(0), "car-maker", ((CAR,), "bev")),
            *handover("car-h", at(1), "car-maker", "dismantler", CAR),
        ]
    )
    return store


def batch() -> list[Event]:
    """New items, a shipment of them, and the dismantling of the stored car into lots: every kind of write."""
    return [
        commission("b-tvs", at(10), "tv-maker", *[((tv,), "tv") for tv in TVS]),
        ship("b-ship", at(11), "tv-maker", "collector", *TVS),
        Disassemble(
            "b-dis",
            at(12),
            "site-dismantler",
            "dismantler",
            object=CAR,
            lots=(lot(LOTS[0], "steel", 900), lot(LOTS[1], "aluminium", 140)),
        ),
    ]


def keys_of_the_batch() -> list[str]:
    return [parse_identifier(tv).key for tv in TVS] + [f"internal:{code}" for code in LOTS]


async def snapshot(store: GraphStore) -> dict[str, Any]:
    """Everything a half-stored batch could show up in."""
    car = (await TraceQueries(store).find(CAR)).id
    months = FlowQuery(start_month="2026-01", end_month="2026-12")
    return {
        "counts": await store.counts(),
        "log_head": await store.event_log_head(),
        "events": sorted(await store.get_events([e.event_id for e in batch()])),
        "keys": sorted(await store.find_by_keys(keys_of_the_batch())),
        "car": (await store.get_objects([car]))[car],
        "car_history": [r.event_id for r in await store.history(car)],
        "flows": await store.flow_aggregates(months),
        "dismantler_yard": [o.id for o in await store.objects_at_site("site-dismantler", 100)],
    }


# Steps both stores' commits pass through (``COMMIT_STEPS`` of each adapter): after the events were written, after
# the objects too, and at the COMMIT itself.
MID_BATCH_STEPS = ["write_objects", "write_relationships", "commit"]


@pytest.mark.parametrize("step", MID_BATCH_STEPS)
async def test_the_database_going_away_mid_batch_stores_nothing_and_a_resend_stores_it_once(
    stocked: GraphStore, step: str
) -> None:
    before = await snapshot(stocked)
    assert before["events"] == [] and before["keys"] == []

    async with broken_twin(stocked, at_step=step) as twin:
        with pytest.raises(StoreUnavailable) as info:
            await CaptureEvents(twin, clock=lambda: NOW).execute(batch())
    assert info.value.code == "STORE_UNAVAILABLE"
    assert info.value.message_zh

    # Reconnected (the suite's own store): not one trace of the batch.
    assert await snapshot(stocked) == before

    # The device sends the same batch again: stored, every event created, each once.
    capture = CaptureEvents(stocked, clock=lambda: NOW + timedelta(minutes=1))
    resent = await capture.execute(batch())
    assert [(o.event_id, o.status) for o in resent.outcomes] == [(e.event_id, "created") for e in batch()]
    after = await snapshot(stocked)
    assert after["counts"]["events"] == before["counts"]["events"] + len(batch())
    assert after["counts"]["objects"] == before["counts"]["objects"] + len(TVS) + len(LOTS)
    assert after["events"] == sorted(e.event_id for e in batch())
    assert len(after["keys"]) == len(keys_of_the_batch())
    assert after["car"].status is Status.DISMANTLED
    assert after["car_history"] == [*before["car_history"], "b-dis"]
    assert after["flows"] != before["flows"]

    # And a third time: the first answer again, nothing more stored.
    again = await capture.execute(batch())
    assert [o.status for o in again.outcomes] == ["replayed"] * len(batch())
    assert [(o.event_id, o.recorded_at, o.created_ids) for o in again.outcomes] == [
        (o.event_id, o.recorded_at, o.created_ids) for o in resent.outcomes
    ]
    assert await snapshot(stocked) == after
