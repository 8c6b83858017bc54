"""Capture on both stores: every rule of brief §7 refuses bad input with its code and stores nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from retrace.app.capture import CaptureEvents, CaptureResult
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.errors import BatchRejected, BatchTooLarge, TraceError
from retrace.domain.events import (
    Aggregate,
    Disassemble,
    Dispose,
    Event,
    NewItem,
    Receive,
    Transform,
    Weigh,
)
from retrace.domain.model import Fate, Status
from tests.world import (
    NOW,
    at,
    battery,
    battery_chain,
    commission,
    digital_link,
    handover,
    lot,
    receive,
    registration,
    sgtin_hex,
    sgtin_urn,
    ship,
    vin,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def capture(store: GraphStore) -> CaptureEvents:
    await RegisterMasterData(store).execute(registration())
    return CaptureEvents(store, clock=lambda: NOW, max_batch=50)


async def rejected(capture: CaptureEvents, events: Sequence[Event]) -> list[dict[str, object]]:
    """Capture ``events``, expect the batch refused, check nothing was stored, return the per-event errors."""
    before = await capture.store.counts()
    with pytest.raises(BatchRejected) as info:
        await capture.execute(events)
    assert await capture.store.counts() == before, "a refused batch stored something"
    errors: list[dict[str, object]] = info.value.details["errors"]
    return errors


def codes(errors: list[dict[str, object]]) -> list[object]:
    return [e["code"] for e in errors]


async def test_commissioned_item_is_found_by_every_form_of_its_identifier(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(0), "tv-maker", ((digital_link(7001),), "tv"))])
    queries = TraceQueries(capture.store)
    by_link = await queries.find(digital_link(7001))
    assert (await queries.find(sgtin_urn(7001))).id == by_link.id
    assert (await queries.find(sgtin_hex(7001))).id == by_link.id
    assert by_link.mass_g == 18_000 and by_link.status is Status.ACTIVE and by_link.holder_id == "tv-maker"


async def test_replay_returns_the_first_answer_and_stores_nothing(capture: CaptureEvents) -> None:
    batch = [
        commission("e1", at(0), "car-maker", ((vin(5),), "bev")),
        *handover("h", at(1), "car-maker", "dismantler", vin(5)),
    ]
    first = await capture.execute(batch)
    counts = await capture.store.counts()
    again = await capture.execute(batch)
    assert [o.status for o in first.outcomes] == ["created"] * 3
    assert [o.status for o in again.outcomes] == ["replayed"] * 3
    assert [(o.event_id, o.recorded_at, o.created_ids) for o in again.outcomes] == [
        (o.event_id, o.recorded_at, o.created_ids) for o in first.outcomes
    ]
    assert await capture.store.counts() == counts


async def test_a_replay_inside_a_new_batch_is_answered_and_the_rest_is_stored(capture: CaptureEvents) -> None:
    first = commission("e1", at(0), "car-maker", ((vin(6),), "bev"))
    await capture.execute([first])
    result = await capture.execute([first, ship("s1", at(1), "car-maker", "dismantler", vin(6))])
    assert [o.status for o in result.outcomes] == ["replayed", "created"]
    assert (await TraceQueries(capture.store).find(vin(6))).status is Status.IN_TRANSIT


async def test_same_id_with_other_content_is_a_conflict(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(0), "car-maker", ((vin(7),), "bev"))])
    errors = await rejected(capture, [commission("e1", at(0), "car-maker", ((vin(8),), "bev"))])
    assert codes(errors) == ["EVENT_ID_CONFLICT"]


async def test_same_id_twice_in_one_batch_with_other_content_is_a_conflict(capture: CaptureEvents) -> None:
    errors = await rejected(
        capture,
        [
            commission("e1", at(0), "car-maker", ((vin(7),), "bev")),
            commission("e1", at(0), "car-maker", ((vin(8),), "bev")),
        ],
    )
    assert codes(errors) == ["EVENT_ID_CONFLICT"]


def _bad_check_digit_vin() -> str:
    good = vin(1)
    return good[:8] + ("1" if good[8] != "1" else "2") + good[9:]


@pytest.mark.parametrize(
    ("identifier", "why"),
    [
        ("sgtin96:3074257BF7194E4000001AZZ", "bad EPC hex"),
        (
            "3174257BF7194E4000001A85",
            "EPC hex with a header other than SGTIN-96 (read as a battery code: no P/M/C)",
        ),
        ("https://id.gs1.org/01/80614141123459/21/1", "bad GTIN check digit"),
        ("urn:epc:id:sgtin:0614141.81234.6789", "SGTIN URN with 12 digits of prefix and item reference"),
        ("0A1PE050000000000000001", "battery code of 23 characters"),
        ("0A1XE0500000000000000001", "battery code with X as product type"),
        ("LFV3A2000000000001", "VIN of 18 characters"),
        (_bad_check_digit_vin(), "VIN with a wrong check digit"),
        ("LFV3A2I00000000O1", "VIN with I and O"),
    ],
)
async def test_malformed_identifiers_are_refused(capture: CaptureEvents, identifier: str, why: str) -> None:
    errors = await rejected(capture, [commission("e1", at(0), "car-maker", ((identifier,), "bev"))])
    assert codes(errors) == ["INVALID_IDENTIFIER"], why
    assert errors[0]["field"] == "items[0].identifiers[0]"


async def test_events_about_unknown_items_are_refused(capture: CaptureEvents) -> None:
    errors = await rejected(capture, [ship("s1", at(1), "car-maker", "dismantler", vin(99))])
    assert codes(errors) == ["OBJECT_NOT_FOUND"]
    assert errors[0]["field"] == "objects[0]"


async def test_one_bad_event_refuses_the_whole_batch(capture: CaptureEvents) -> None:
    errors = await rejected(
        capture,
        [
            commission("e1", at(0), "car-maker", ((vin(10),), "bev")),
            ship("s1", at(1), "car-maker", "dismantler", vin(10)),
            receive("r1", at(2), "recycler", vin(10)),  # shipped to the dismantler, not the recycler
        ],
    )
    assert errors == [
        {
            "index": 2,
            "event_id": "r1",
            "code": "NOT_IN_TRANSIT_TO_PARTY",
            "message": errors[0]["message"],
            "message_zh": errors[0]["message_zh"],
            "field": "objects[0]",
            "details": {"in_transit_to": "dismantler"},
        }
    ]
    with pytest.raises(TraceError, match="no object"):
        await TraceQueries(capture.store).find(vin(10))


async def test_every_failing_event_of_a_batch_is_reported(capture: CaptureEvents) -> None:
    errors = await rejected(
        capture,
        [
            ship("s1", at(1), "car-maker", "dismantler", vin(98)),
            commission("e2", at(0), "car-maker", ((vin(11),), "bev")),
            commission("e3", NOW + timedelta(days=1), "car-maker", ((vin(12),), "bev")),
        ],
    )
    assert [(e["index"], e["code"]) for e in errors] == [(0, "OBJECT_NOT_FOUND"), (2, "EVENT_TIME_IN_FUTURE")]


async def test_future_events_beyond_skew_are_refused_within_skew_accepted(capture: CaptureEvents) -> None:
    errors = await rejected(
        capture, [commission("e1", NOW + timedelta(minutes=6), "car-maker", ((vin(13),), "bev"))]
    )
    assert codes(errors) == ["EVENT_TIME_IN_FUTURE"]
    result = await capture.execute(
        [commission("e2", NOW + timedelta(minutes=4), "car-maker", ((vin(13),), "bev"))]
    )
    assert result.created == 1


async def test_events_before_the_item_existed_are_refused(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(10), "car-maker", ((vin(14),), "bev"))])
    errors = await rejected(capture, [ship("s1", at(9), "car-maker", "dismantler", vin(14))])
    assert codes(errors) == ["EVENT_BEFORE_OBJECT"]


async def test_custody_to_an_unlicensed_party_is_refused(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(0), "car-maker", ((battery("P", 50),), "ncm-pack"))])
    errors = await rejected(capture, [ship("s1", at(1), "car-maker", "workshop", battery("P", 50))])
    assert codes(errors) == ["LICENCE_INVALID"]
    assert errors[0]["field"] == "to_party_id"
    # a licence for another stream does not count: the reman licence covers ELV only
    errors = await rejected(capture, [ship("s2", at(1), "car-maker", "reman", battery("P", 50))])
    assert codes(errors) == ["LICENCE_INVALID"]
    # a carrier needs no licence
    await capture.execute([ship("s3", at(1), "car-maker", "carrier", battery("P", 50))])


async def test_only_the_holder_ships(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(0), "car-maker", ((vin(15),), "bev"))])
    errors = await rejected(capture, [ship("s1", at(1), "collector", "dismantler", vin(15))])
    assert codes(errors) == ["NOT_HOLDER"]


async def test_the_same_item_dismantled_twice_is_a_double_treatment(capture: CaptureEvents) -> None:
    car = vin(16)
    await capture.execute(
        [
            commission("e1", at(0), "car-maker", ((car,), "bev")),
            *handover("h", at(1), "car-maker", "dismantler", car),
            Disassemble(
                "d1", at(5), "site-dismantler", "dismantler", object=car, lots=(lot("ST-16", "steel", 900),)
            ),
        ]
    )
    errors = await rejected(
        capture,
        [
            Disassemble(
                "d2", at(6), "site-dismantler", "dismantler", object=car, lots=(lot("ST-16b", "steel", 900),)
            )
        ],
    )
    assert codes(errors) == ["DOUBLE_TREATMENT"]
    assert errors[0]["details"] == {
        "object_id": (await TraceQueries(capture.store).find(car)).id,
        "status": "dismantled",
        "by": "d1",
    }


async def test_dismantling_twice_in_one_batch_is_a_double_treatment(capture: CaptureEvents) -> None:
    car = vin(17)
    await capture.execute(
        [
            commission("e1", at(0), "car-maker", ((car,), "bev")),
            *handover("h", at(1), "car-maker", "dismantler", car),
        ]
    )
    errors = await rejected(
        capture,
        [
            Disassemble(
                "d1", at(5), "site-dismantler", "dismantler", object=car, lots=(lot("ST-17", "steel", 900),)
            ),
            Disassemble(
                "d2", at(6), "site-dismantler", "dismantler", object=car, lots=(lot("ST-17b", "steel", 9),)
            ),
        ],
    )
    assert [(e["index"], e["code"]) for e in errors] == [(1, "DOUBLE_TREATMENT")]


async def test_consumed_lots_cannot_be_consumed_again(capture: CaptureEvents) -> None:
    await capture.execute(battery_chain())
    errors = await rejected(
        capture,
        [
            Transform(
                "t-again",
                at(170),
                "site-refiner",
                "refiner",
                inputs=("BM-0001",),
                outputs=(lot("LI-X", "lithium", 0.1),),
            )
        ],
    )
    assert codes(errors) == ["DOUBLE_TREATMENT"]


async def test_nothing_happens_after_a_terminal_state(capture: CaptureEvents) -> None:
    await capture.execute(battery_chain())
    errors = await rejected(
        capture,
        [
            Dispose("x1", at(170), "site-refiner", "refiner", objects=("RESIDUE-0001",), fate=Fate.DISPOSAL),
            Weigh("x2", at(171), "site-refiner", "refiner", object="RESIDUE-0001", mass_g=1),
        ],
    )
    assert [(e["index"], e["code"]) for e in errors] == [(1, "OBJECT_TERMINAL")]


async def test_outputs_heavier_than_inputs_beyond_tolerance_are_refused(capture: CaptureEvents) -> None:
    tv = digital_link(7002)  # 18 kg
    await capture.execute(
        [
            commission("e1", at(0), "tv-maker", ((tv,), "tv")),
            *handover("h", at(1), "tv-maker", "dismantler", tv),
        ]
    )
    errors = await rejected(
        capture,
        [
            Disassemble(
                "d1",
                at(5),
                "site-dismantler",
                "dismantler",
                object=tv,
                lots=(lot("PL-1", "plastics", 10), lot("ST-1", "steel", 8.37)),
            )
        ],
    )
    assert codes(errors) == ["MASS_BALANCE_EXCEEDED"]
    assert errors[0]["details"] == {"input_kg": 18.0, "output_kg": 18.37, "tolerance": "0.02"}
    # 18.36 kg is exactly 2 % over: accepted
    await capture.execute(
        [
            Disassemble(
                "d2",
                at(5),
                "site-dismantler",
                "dismantler",
                object=tv,
                lots=(lot("PL-1", "plastics", 10), lot("ST-1", "steel", 8.36)),
            )
        ]
    )


async def test_an_identifier_in_use_cannot_be_commissioned_again(capture: CaptureEvents) -> None:
    await capture.execute([commission("e1", at(0), "tv-maker", ((digital_link(7003),), "tv"))])
    errors = await rejected(capture, [commission("e2", at(1), "tv-maker", ((sgtin_hex(7003),), "tv"))])
    assert codes(errors) == ["IDENTIFIER_TAKEN"]


async def test_unknown_party_site_and_model_are_refused(capture: CaptureEvents) -> None:
    errors = await rejected(
        capture,
        [
            commission("e1", at(0), "nobody", ((vin(20),), "bev")),
            commission("e2", at(0), "car-maker", ((vin(21),), "no-such-model")),
            Receive("e3", at(0), "site-nowhere", "car-maker", objects=(vin(20),)),
        ],
    )
    assert codes(errors) == ["PARTY_NOT_FOUND", "MODEL_NOT_FOUND", "SITE_NOT_FOUND"]


async def test_oversized_batches_are_refused_before_reading_anything(capture: CaptureEvents) -> None:
    batch = [commission(f"e{i}", at(0), "tv-maker", ((digital_link(8000 + i),), "tv")) for i in range(51)]
    with pytest.raises(BatchTooLarge) as info:
        await capture.execute(batch)
    assert info.value.code == "BATCH_TOO_LARGE" and info.value.details == {"max_batch": 50, "size": 51}


async def test_aggregation_cycles_are_refused(capture: CaptureEvents) -> None:
    await capture.execute(battery_chain()[:6])  # cells in modules, modules in the pack
    errors = await rejected(
        capture,
        [
            Aggregate(
                "cyc",
                at(6),
                "site-car-maker",
                "car-maker",
                parent=battery("C", 1),
                children=(battery("P", 1),),
            )
        ],
    )
    assert codes(errors) == ["AGGREGATION_INVALID"]


async def test_a_shipped_container_moves_its_contents(capture: CaptureEvents) -> None:
    await capture.execute(battery_chain()[:10])  # up to the vehicle received by the dismantler
    cell = await TraceQueries(capture.store).find(battery("C", 3))
    assert (cell.holder_id, cell.site_id, cell.status) == ("dismantler", "site-dismantler", Status.ACTIVE)


async def test_a_correction_undoes_a_disassembly_and_frees_its_identifiers(capture: CaptureEvents) -> None:
    from retrace.domain.events import Correct

    tv = digital_link(7004)
    await capture.execute(
        [
            commission("e1", at(0), "tv-maker", ((tv,), "tv")),
            *handover("h", at(1), "tv-maker", "dismantler", tv),
            Disassemble(
                "d1", at(5), "site-dismantler", "dismantler", object=tv, lots=(lot("PL-4", "plastics", 10),)
            ),
        ]
    )
    await capture.execute(
        [
            Correct(
                "c1",
                at(6),
                "site-dismantler",
                "dismantler",
                target_event_id="d1",
                reason="wrong item scanned",
            )
        ]
    )
    queries = TraceQueries(capture.store)
    item = await queries.find(tv)
    assert item.status is Status.ACTIVE and item.holder_id == "dismantler"
    with pytest.raises(TraceError, match="no object"):
        await queries.find("PL-4")
    _, history = await queries.history(tv)
    assert [(r.event_id, r.corrected_by) for r in history] == [
        ("e1", None),
        ("h-ship", None),
        ("h-recv", None),
        ("d1", "c1"),
        ("c1", None),
    ]
    # the corrective disassembly may use the same lot code again
    await capture.execute(
        [
            Disassemble(
                "d2", at(7), "site-dismantler", "dismantler", object=tv, lots=(lot("PL-4", "plastics", 9),)
            )
        ]
    )
    errors = await rejected(
        capture, [Correct("c2", at(8), "site-dismantler", "dismantler", target_event_id="d1", reason="again")]
    )
    assert codes(errors) == ["ALREADY_CORRECTED"]


async def test_a_correction_is_refused_once_the_objects_moved_on(capture: CaptureEvents) -> None:
    from retrace.domain.events import Correct

    await capture.execute(battery_chain())
    errors = await rejected(
        capture, [Correct("c1", at(200), "site-recycler", "recycler", target_event_id="t-bm", reason="late")]
    )
    assert codes(errors) == ["CORRECTION_NOT_LATEST"]


async def test_commission_outputs_are_stable_ids_on_every_store(capture: CaptureEvents) -> None:
    result: CaptureResult = await capture.execute(
        [commission("fixed-id", at(0), "tv-maker", ((digital_link(7005),), "tv"))]
    )
    assert result.outcomes[0].created_ids == (
        "1dd47e93-459f-5cb7-befe-6b876fbba6ce",
    )  # derived ids never change between versions


async def test_parts_from_a_disassembly_are_new_items(capture: CaptureEvents) -> None:
    car = vin(30)
    await capture.execute(
        [
            commission("e1", at(0), "car-maker", ((car,), "bev")),
            *handover("h", at(1), "car-maker", "dismantler", car),
            Disassemble(
                "d1",
                at(5),
                "site-dismantler",
                "dismantler",
                object=car,
                parts=(NewItem(("internal:ENG-30",), "engine", None, Fate.REMANUFACTURE),),
                lots=(lot("ST-30", "steel", 900),),
            ),
        ]
    )
    engine = await TraceQueries(capture.store).find("ENG-30")
    assert (engine.category, engine.mass_g, engine.fate, engine.holder_id) == (
        "engine",
        120_000,
        Fate.REMANUFACTURE,
        "dismantler",
    )


async def test_an_item_inside_a_container_is_not_treated_nor_revived_by_moving_it(
    capture: CaptureEvents,
) -> None:
    """The double-dismantling loophole: dismantle a TV in a cage, move the cage, take the TV out, dismantle again."""
    cage, tv = "internal:CAGE-0001", digital_link(7100)
    await capture.execute(
        [
            commission("c1", at(0), "collector", ((cage,), "tv"), ((tv,), "tv")),
            Aggregate("a1", at(1), "site-collector", "collector", parent=cage, children=(tv,)),
        ]
    )
    errors = await rejected(
        capture,
        [
            Disassemble(
                "d1", at(2), "site-collector", "collector", object=tv, lots=(lot("PL-71", "plastics", 5),)
            )
        ],
    )
    assert codes(errors) == ["AGGREGATION_INVALID"]
    await capture.execute([*handover("h", at(3), "collector", "dismantler", cage)])
    item = await TraceQueries(capture.store).find(tv)
    assert (item.holder_id, item.parent_id is not None) == ("dismantler", True)


async def test_negative_masses_are_refused_by_the_domain() -> None:
    with pytest.raises(TraceError) as info:
        lot("NEG-1", "steel", -80)
    assert info.value.code == "VALIDATION_ERROR" and info.value.field == "mass_kg"


async def test_a_collector_without_a_licence_for_the_stream_cannot_commission_waste(
    capture: CaptureEvents,
) -> None:
    errors = await rejected(capture, [commission("c1", at(0), "workshop", ((battery("P", 77),), "ncm-pack"))])
    assert codes(errors) == ["LICENCE_INVALID"]


async def test_aggregating_changes_the_container_so_a_racing_ship_loses(capture: CaptureEvents) -> None:
    cage = "internal:CAGE-0002"
    await capture.execute(
        [commission("c1", at(0), "collector", ((cage,), "tv"), ((digital_link(7200),), "tv"))]
    )
    before = await TraceQueries(capture.store).find(cage)
    await capture.execute(
        [Aggregate("a1", at(1), "site-collector", "collector", parent=cage, children=(digital_link(7200),))]
    )
    after = await TraceQueries(capture.store).find(cage)
    assert after.version == before.version + 1 and after.last_event_id == "a1"


async def test_a_remanufactured_engine_stays_remanufactured_after_shipping(capture: CaptureEvents) -> None:
    from retrace.domain.events import Remanufacture

    car = vin(31)
    await capture.execute(
        [
            commission("e1", at(0), "car-maker", ((car,), "bev")),
            *handover("h", at(1), "car-maker", "dismantler", car),
            Disassemble(
                "d1",
                at(5),
                "site-dismantler",
                "dismantler",
                object=car,
                parts=(NewItem(("internal:ENG-31",), "engine", None, Fate.REMANUFACTURE),),
            ),
            *handover("h2", at(6), "dismantler", "reman", "ENG-31"),
        ]
    )
    arrived = await TraceQueries(capture.store).find("ENG-31")
    assert arrived.status is Status.ACTIVE  # destined for remanufacture is not yet remanufactured
    await capture.execute(
        [
            Remanufacture("m1", at(10), "site-reman", "reman", objects=("ENG-31",)),
            *handover("h3", at(11), "reman", "car-maker", "ENG-31"),
        ]
    )
    engine = await TraceQueries(capture.store).find("ENG-31")
    assert (engine.status, engine.holder_id) == (Status.REMANUFACTURED, "car-maker")
