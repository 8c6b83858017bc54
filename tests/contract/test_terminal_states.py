"""Nothing after the end, across batches, on both stores: an object stored as disposed, consumed (recycled by a
transformation) or dismantled, in one batch, refuses a later ship or weigh in another batch (OBJECT_TERMINAL), read
back from what the store holds rather than from the batch that ended it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.events import Dispose, Event, Weigh
from retrace.domain.model import Fate, Status
from tests.contract.test_capture import codes, rejected
from tests.world import NOW, at, battery_chain, registration, ship, vin

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def capture(store: GraphStore) -> CaptureEvents:
    """The battery chain is stored: the car was dismantled, the black mass consumed by the refiner's leaching."""
    await RegisterMasterData(store).execute(registration())
    capture = CaptureEvents(store, clock=lambda: NOW)
    await capture.execute(battery_chain())
    return capture


async def _dispose_of_the_residue(capture: CaptureEvents) -> None:
    # A batch of its own: the later events meet the residue as the store holds it.
    await capture.execute(
        [
            Dispose(
                "x-dispose", at(170), "site-refiner", "refiner", objects=("RESIDUE-0001",), fate=Fate.DISPOSAL
            )
        ]
    )


# (what ends it, the object, the party that held it last, the status it ends in)
ENDS: list[tuple[str, str, str, Status]] = [
    ("disposed", "RESIDUE-0001", "refiner", Status.DISPOSED),
    ("consumed", "BM-0001", "refiner", Status.CONSUMED),  # recycled: leached into lithium carbonate and salts
    ("dismantled", vin(1), "dismantler", Status.DISMANTLED),
]

LATER: dict[str, Callable[[str, str], Event]] = {
    "ship": lambda obj, holder: ship("x-ship", at(180), holder, "recycler", obj),
    "weigh": lambda obj, holder: Weigh(
        "x-weigh", at(180), f"site-{holder}", holder, object=obj, mass_g=1_000
    ),
}


@pytest.mark.parametrize("later", sorted(LATER))
@pytest.mark.parametrize(("end", "obj", "holder", "status"), ENDS, ids=[e[0] for e in ENDS])
async def test_a_later_batch_cannot_ship_or_weigh_what_an_earlier_batch_ended(
    capture: CaptureEvents, end: str, obj: str, holder: str, status: Status, later: str
) -> None:
    if end == "disposed":
        await _dispose_of_the_residue(capture)
    stored = await TraceQueries(capture.store).find(obj)
    assert stored.status is status

    errors = await rejected(capture, [LATER[later](obj, holder)])
    assert codes(errors) == ["OBJECT_TERMINAL"]
    assert errors[0]["field"] == ("objects[0]" if later == "ship" else "object")
    assert errors[0]["details"] == {"object_id": stored.id, "status": status.value}
    assert (await TraceQueries(capture.store).find(obj)) == stored


async def test_a_terminal_object_in_a_batch_refuses_the_whole_batch(capture: CaptureEvents) -> None:
    """The live lot shipped alongside the disposed one is not shipped either."""
    await _dispose_of_the_residue(capture)
    errors = await rejected(
        capture, [ship("x-both", at(180), "refiner", "recycler", "LI2CO3-0001", "RESIDUE-0001")]
    )
    assert [(e["code"], e["field"]) for e in errors] == [("OBJECT_TERMINAL", "objects[1]")]
    lithium = await TraceQueries(capture.store).find("LI2CO3-0001")
    assert (lithium.status, lithium.holder_id) == (Status.ACTIVE, "refiner")
