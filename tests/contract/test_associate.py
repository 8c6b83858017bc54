"""Associate on both stores: new identifiers find the item, are unique across objects (also under a race), replay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.errors import BatchRejected, TraceError
from retrace.domain.events import Associate, Correct, Event
from retrace.domain.identifiers import parse_identifier
from tests.contract.test_concurrency import RaceAtCommit
from tests.world import (
    NOW,
    at,
    battery,
    commission,
    digital_link,
    handover,
    registration,
    sgtin_hex,
    sgtin_urn,
    vin,
)

pytestmark = pytest.mark.asyncio

PACK, OTHER_PACK, SECOND_LIFE = battery("P", 1), battery("P", 2), battery("P", 901)


def associate(eid: str, party: str, item: str, *identifiers: str, hours: float = 10) -> Associate:
    return Associate(eid, at(hours), f"site-{party}", party, object=item, identifiers=identifiers)


@pytest.fixture
async def capture(store: GraphStore) -> CaptureEvents:
    """Two packs and a TV at their makers."""
    await RegisterMasterData(store).execute(registration())
    capture = CaptureEvents(store, clock=lambda: NOW)
    await capture.execute(
        [
            commission("c-packs", at(0), "car-maker", ((PACK,), "ncm-pack"), ((OTHER_PACK,), "ncm-pack")),
            commission("c-tv", at(0), "tv-maker", ((digital_link(1),), "tv")),
        ]
    )
    return capture


async def rejected_codes(capture: CaptureEvents, events: Sequence[Event]) -> list[object]:
    before = await capture.store.counts()
    with pytest.raises(BatchRejected) as info:
        await capture.execute(events)
    assert await capture.store.counts() == before, "a refused batch stored something"
    return [e["code"] for e in info.value.details["errors"]]


async def test_the_item_is_found_by_its_new_identifiers(capture: CaptureEvents) -> None:
    result = await capture.execute([associate("a", "car-maker", PACK, SECOND_LIFE, sgtin_urn(901))])
    assert result.created == 1 and result.outcomes[0].created_ids == ()
    queries = TraceQueries(capture.store)
    pack = await queries.find(PACK)
    for text in (SECOND_LIFE, f"gbt34014:{SECOND_LIFE}", sgtin_urn(901), sgtin_hex(901), digital_link(901)):
        assert (await queries.find(text)).id == pack.id, text
    assert pack.identifiers == (("gbt34014", PACK), ("gbt34014", SECOND_LIFE), ("sgtin", sgtin_urn(901)))
    assert (pack.holder_id, pack.mass_g) == ("car-maker", 400_000)
    _, history = await queries.history(SECOND_LIFE)
    assert [r.event_id for r in history] == ["c-packs", "a"]
    # The store's own key index holds the new identifier (not only the object's record).
    found = await capture.store.find_by_keys([parse_identifier(SECOND_LIFE).key])
    assert [o.id for o in found.values()] == [pack.id]


async def test_later_events_name_the_item_by_a_new_identifier(capture: CaptureEvents) -> None:
    await capture.execute(
        [
            associate("a", "car-maker", PACK, SECOND_LIFE),
            *handover("h", at(11), "car-maker", "recycler", SECOND_LIFE),
        ]
    )
    pack = await TraceQueries(capture.store).find(PACK)
    assert pack.holder_id == "recycler"


async def test_a_replay_is_answered_as_the_first_time_and_stored_once(capture: CaptureEvents) -> None:
    event = associate("a", "car-maker", PACK, SECOND_LIFE)
    first = await capture.execute([event])
    counts = await capture.store.counts()
    again = await capture.execute([event])
    assert again.outcomes == [dataclasses.replace(first.outcomes[0], status="replayed")]
    assert await capture.store.counts() == counts
    changed = associate("a", "car-maker", PACK, battery("P", 902))
    assert await rejected_codes(capture, [changed]) == ["EVENT_ID_CONFLICT"]


async def test_an_identifier_of_another_object_is_taken_on_the_store(capture: CaptureEvents) -> None:
    assert await rejected_codes(capture, [associate("a", "car-maker", PACK, OTHER_PACK)]) == [
        "IDENTIFIER_TAKEN"
    ]
    # The TV's QR code read from an RFID tag as hex: the same identifier.
    assert await rejected_codes(capture, [associate("a", "car-maker", PACK, sgtin_hex(1))]) == [
        "IDENTIFIER_TAKEN"
    ]
    await capture.execute([associate("a", "car-maker", PACK, SECOND_LIFE)])
    # Once given, the identifier is taken for new items and for other associations alike.
    assert await rejected_codes(
        capture, [commission("c-late", at(12), "car-maker", ((SECOND_LIFE,), "ncm-pack"))]
    ) == ["IDENTIFIER_TAKEN"]
    assert await rejected_codes(capture, [associate("b", "car-maker", OTHER_PACK, SECOND_LIFE)]) == [
        "IDENTIFIER_TAKEN"
    ]
    assert await rejected_codes(capture, [associate("b", "car-maker", PACK, SECOND_LIFE)]) == [
        "ALREADY_ASSOCIATED"
    ]


async def test_custody_and_life_cycle_rules_hold(capture: CaptureEvents) -> None:
    assert await rejected_codes(capture, [associate("a", "recycler", PACK, SECOND_LIFE)]) == ["NOT_HOLDER"]
    assert await rejected_codes(capture, [associate("a", "car-maker", vin(9), SECOND_LIFE)]) == [
        "OBJECT_NOT_FOUND"
    ]
    assert await rejected_codes(capture, [associate("a", "car-maker", PACK, "gbt34014:0A1PE05")]) == [
        "INVALID_IDENTIFIER"
    ]


async def test_a_correction_gives_the_identifiers_up_on_the_store(capture: CaptureEvents) -> None:
    await capture.execute(
        [
            associate("a", "car-maker", PACK, SECOND_LIFE),
            Correct("x", at(11), "site-car-maker", "car-maker", target_event_id="a", reason="wrong pack"),
        ]
    )
    assert await capture.store.find_by_keys([parse_identifier(SECOND_LIFE).key]) == {}
    # In a later batch, the code goes to the pack it was meant for.
    await capture.execute([associate("a2", "car-maker", OTHER_PACK, SECOND_LIFE, hours=12)])
    queries = TraceQueries(capture.store)
    assert (await queries.find(SECOND_LIFE)).id == (await queries.find(OTHER_PACK)).id
    assert (await queries.find(PACK)).identifiers == (("gbt34014", PACK),)


async def test_two_devices_giving_one_code_to_two_items_at_once_exactly_one_wins(
    capture: CaptureEvents,
) -> None:
    barrier = asyncio.Barrier(2)

    def device(name: str, item: str) -> Any:
        racing = CaptureEvents(RaceAtCommit(capture.store, barrier), clock=lambda: NOW)
        return racing.execute([associate(f"a-{name}", "car-maker", item, SECOND_LIFE)])

    results = await asyncio.gather(device("1", PACK), device("2", OTHER_PACK), return_exceptions=True)
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(losers) == 1, results
    assert isinstance(losers[0], TraceError) and isinstance(losers[0], BatchRejected)
    assert losers[0].details["errors"][0]["code"] == "IDENTIFIER_TAKEN"
    winner = "a-1" if isinstance(results[1], BaseException) else "a-2"
    found = await capture.store.find_by_keys([parse_identifier(SECOND_LIFE).key])
    queries = TraceQueries(capture.store)
    (owner,) = found.values()
    assert owner.id == (await queries.find(PACK if winner == "a-1" else OTHER_PACK)).id
    stored = await capture.store.get_events(["a-1", "a-2"])
    assert list(stored) == [winner]
