"""``commissioned``: the items a party commissioned in a period (what a producer prints labels for), on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.domain.events import Correct
from retrace.domain.model import Status, TracedObject
from tests.world import NOW, at, battery, commission, registration, ship, vin

pytestmark = pytest.mark.asyncio


def names(objects: list[TracedObject]) -> list[str]:
    return [o.identifiers[0][1] for o in objects]


@pytest.fixture
async def capture(store: GraphStore) -> CaptureEvents:
    await RegisterMasterData(store).execute(registration())
    capture = CaptureEvents(store, clock=lambda: NOW)
    await capture.execute(
        [
            commission("c1", at(0), "car-maker", ((vin(1),), "bev"), ((vin(2),), "bev")),
            commission("c2", at(10), "car-maker", ((battery("P", 1),), "ncm-pack")),
            commission("c3", at(20), "tv-maker", (("TV-0001",), "tv")),
            commission("c4", at(30), "car-maker", ((vin(3),), "bev")),
            # Leaves the producer: still listed, in its current state.
            ship("s1", at(40), "car-maker", "dismantler", vin(1)),
        ]
    )
    return capture


async def test_lists_the_items_of_the_party_in_the_period_by_id(
    store: GraphStore, capture: CaptureEvents
) -> None:
    found = await store.commissioned("car-maker", at(0), at(30), 100)
    assert sorted(names(found)) == sorted([vin(1), vin(2), battery("P", 1)])
    assert [o.id for o in found] == sorted(o.id for o in found)
    shipped = next(o for o in found if o.identifiers[0][1] == vin(1))
    assert shipped.status is Status.IN_TRANSIT  # the current state, not the state at commissioning
    # end is exclusive, start inclusive
    assert names(await store.commissioned("car-maker", at(30), at(31), 100)) == [vin(3)]
    assert names(await store.commissioned("car-maker", at(0) + timedelta(seconds=1), at(10), 100)) == []


async def test_other_parties_and_unknown_parties_give_nothing_of_theirs(
    store: GraphStore, capture: CaptureEvents
) -> None:
    assert names(await store.commissioned("tv-maker", at(-100), at(100), 100)) == ["TV-0001"]
    assert await store.commissioned("nobody", at(-100), at(100), 100) == []
    assert await store.commissioned("dismantler", at(-100), at(100), 100) == []  # received, not commissioned


async def test_pages_by_id(store: GraphStore, capture: CaptureEvents) -> None:
    everything = await store.commissioned("car-maker", at(-1), at(100), 100)
    assert len(everything) == 4
    first = await store.commissioned("car-maker", at(-1), at(100), 3)
    rest = await store.commissioned("car-maker", at(-1), at(100), 3, after_id=first[-1].id)
    assert first + rest == everything
    assert await store.commissioned("car-maker", at(-1), at(100), 0) == []


async def test_a_corrected_commission_is_left_out(store: GraphStore, capture: CaptureEvents) -> None:
    await capture.execute(
        [Correct("x4", at(31), "site-car-maker", "car-maker", target_event_id="c4", reason="wrong VIN")]
    )
    assert vin(3) not in names(await store.commissioned("car-maker", at(-1), at(100), 100))
    assert len(await store.commissioned("car-maker", at(-1), at(100), 100)) == 3
