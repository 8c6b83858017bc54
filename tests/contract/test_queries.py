"""Queries on both stores: lineage, history, custody, site inventory, site mass flows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import FlowTotal, GraphStore, LineageDirection
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.changes import Direction
from retrace.domain.errors import InvalidInput
from retrace.domain.events import Correct
from retrace.domain.model import TracedObject
from tests.world import NOW, T0, at, battery, battery_chain, registration, vin

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def queries(store: GraphStore) -> TraceQueries:
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(battery_chain())
    return TraceQueries(store)


def label(obj: TracedObject) -> str:
    """A readable name: the first identifier's value."""
    return obj.identifiers[0][1]


CHAIN = [vin(1), battery("P", 1), battery("M", 1), battery("C", 1), "BM-0001", "LI2CO3-0001"]


async def test_downstream_lineage_goes_from_vehicle_to_lithium_carbonate(queries: TraceQueries) -> None:
    lineage = await queries.lineage(vin(1), LineageDirection.DOWNSTREAM, 10)
    names = {label(o) for o in lineage.objects}
    assert set(CHAIN) <= names
    assert {"STEEL-001", "ALU-001", "NISO4-0001", "RESIDUE-0001", battery("C", 4)} <= names
    assert (
        len(names) == 1 + 2 + 1 + 1 + 2 + 2 + 4 + 2 + 3
    )  # car, car lots, pack, pack lot, modules, module lots…
    ids = {label(o): o.id for o in lineage.objects}
    hops = {(lk.from_id, lk.to_id, lk.kind.value) for lk in lineage.links}
    assert (ids[vin(1)], ids[battery("P", 1)], "contains") in hops
    assert (ids[battery("C", 1)], ids["BM-0001"], "transformed_into") in hops
    assert (ids["BM-0001"], ids["LI2CO3-0001"], "transformed_into") in hops
    assert lineage.objects == sorted(lineage.objects, key=lambda o: o.id)
    assert lineage.links == sorted(lineage.links, key=lambda lk: (lk.from_id, lk.to_id, lk.event_id))


async def test_upstream_lineage_goes_from_lithium_carbonate_back_to_the_vehicle(
    queries: TraceQueries,
) -> None:
    lineage = await queries.lineage("LI2CO3-0001", LineageDirection.UPSTREAM, 10)
    names = {label(o) for o in lineage.objects}
    assert set(CHAIN) <= names
    assert "STEEL-001" not in names and "NISO4-0001" not in names  # siblings are not ancestors
    assert names == {
        "LI2CO3-0001",
        "BM-0001",
        *[battery("C", i) for i in range(1, 5)],
        battery("M", 1),
        battery("M", 2),
        battery("P", 1),
        vin(1),
    }


async def test_lineage_depth_bounds_the_walk(queries: TraceQueries) -> None:
    one = await queries.lineage("LI2CO3-0001", LineageDirection.UPSTREAM, 1)
    assert {label(o) for o in one.objects} == {"LI2CO3-0001", "BM-0001"}
    assert len(one.links) == 1
    three = await queries.lineage("LI2CO3-0001", LineageDirection.UPSTREAM, 3)
    assert vin(1) not in {label(o) for o in three.objects}
    assert {battery("M", 1), battery("M", 2)} <= {label(o) for o in three.objects}
    with pytest.raises(InvalidInput):
        await queries.lineage(vin(1), LineageDirection.DOWNSTREAM, 0)
    with pytest.raises(InvalidInput):
        await queries.lineage(vin(1), LineageDirection.DOWNSTREAM, 51)


async def test_history_is_in_event_time_order(queries: TraceQueries) -> None:
    _, history = await queries.history(battery("C", 1))
    assert [r.event_id for r in history] == [
        "c-cells",
        "a-m1",
        "h1-ship",
        "h1-recv",
        "h2-ship",
        "h2-recv",
        "d-m1",
        "t-bm",
    ]
    times = [r.event.event_time for r in history]
    assert times == sorted(times)


async def test_custody_chain_follows_ships_and_receipts(queries: TraceQueries) -> None:
    _, spans = await queries.custody(battery("P", 1))
    assert [(s.party_id, s.start_event, s.end_event) for s in spans] == [
        ("car-maker", "c-pack", "h1-ship"),
        ("dismantler", "h1-recv", "h2-ship"),
        ("recycler", "h2-recv", None),
    ]
    assert spans[1].start == at(102) and spans[1].end == at(120)


async def test_site_inventory_lists_what_is_there_now(queries: TraceQueries) -> None:
    at_refiner = await queries.at_site("site-refiner")
    assert sorted(label(o) for o in at_refiner) == ["LI2CO3-0001", "NISO4-0001", "RESIDUE-0001"]
    at_recycler = await queries.at_site("site-recycler")
    assert sorted(label(o) for o in at_recycler) == ["CELL-AL-CU-1", "MOD-CU-1", "MOD-CU-2", "PACK-ALU-1"]
    page1 = await queries.at_site("site-recycler", limit=3)
    page2 = await queries.at_site("site-recycler", limit=3, after_id=page1[-1].id)
    assert [o.id for o in page1 + page2] == [o.id for o in at_recycler] and len(page2) == 1


async def test_site_flows_sum_mass_by_direction_material_and_fate(queries: TraceQueries) -> None:
    flows = await queries.site_flows("site-refiner", T0, T0 + timedelta(days=30))
    assert flows == [
        FlowTotal(Direction.CONSUMED, "black_mass", "recycling", 8_000, 1),
        FlowTotal(Direction.PRODUCED, "lithium_carbonate", "recycling", 900, 1),
        FlowTotal(Direction.PRODUCED, "nickel_sulfate", "recycling", 3_200, 1),
        FlowTotal(Direction.PRODUCED, "residue", "disposal", 2_500, 1),
        FlowTotal(Direction.RECEIVED, "black_mass", "recycling", 8_000, 1),
    ]
    # the period is half-open: an end at the transform's time leaves it out
    early = await queries.site_flows("site-refiner", T0, at(160))
    assert [f.direction for f in early] == [Direction.RECEIVED]


async def test_site_flows_at_the_dismantler(queries: TraceQueries) -> None:
    flows = await queries.site_flows("site-dismantler", T0, T0 + timedelta(days=30))
    assert flows == [
        FlowTotal(Direction.CONSUMED, "passenger_car", None, 1_600_000, 1),
        FlowTotal(Direction.PRODUCED, "aluminium", "recycling", 140_000, 1),
        FlowTotal(Direction.PRODUCED, "ncm_pack", None, 20_000, 1),
        FlowTotal(Direction.PRODUCED, "steel", "recycling", 900_000, 1),
        FlowTotal(Direction.RECEIVED, "passenger_car", None, 1_600_000, 1),
        FlowTotal(Direction.SHIPPED, "ncm_pack", None, 20_000, 1),
    ]


async def test_a_corrected_transformation_leaves_lineage_and_flows(
    store: GraphStore, queries: TraceQueries
) -> None:
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            Correct(
                "fix-li", at(161), "site-refiner", "refiner", target_event_id="t-li", reason="assay was wrong"
            )
        ]
    )
    flows = await queries.site_flows("site-refiner", T0, T0 + timedelta(days=30))
    assert [f.direction for f in flows] == [Direction.RECEIVED]
    lineage = await queries.lineage("BM-0001", LineageDirection.DOWNSTREAM, 5)
    assert [label(o) for o in lineage.objects] == ["BM-0001"] and lineage.links == []
    assert (await queries.find("BM-0001")).status.value == "active"


async def test_unknown_site_is_not_found(queries: TraceQueries) -> None:
    from retrace.domain.errors import NotFound

    with pytest.raises(NotFound) as info:
        await queries.at_site("site-nowhere")
    assert info.value.code == "SITE_NOT_FOUND"


async def test_a_corrected_receipt_leaves_the_count_and_mass_of_the_others(store: GraphStore) -> None:
    from tests.world import commission, digital_link, handover

    await RegisterMasterData(store).execute(registration())
    capture = CaptureEvents(store, clock=lambda: NOW)
    tvs = [digital_link(7300 + i) for i in range(3)]
    await capture.execute([commission("c", at(0), "tv-maker", *[((tv,), "tv") for tv in tvs])])
    for i, tv in enumerate(tvs):
        await capture.execute(handover(f"h{i}", at(1 + i), "tv-maker", "dismantler", tv))
    await capture.execute(
        [
            Correct(
                "fix",
                at(10),
                "site-dismantler",
                "dismantler",
                target_event_id="h1-recv",
                reason="scanned the wrong tag",
            )
        ]
    )
    flows = await TraceQueries(store).site_flows("site-dismantler", T0, T0 + timedelta(days=1))
    assert flows == [FlowTotal(Direction.RECEIVED, "tv", None, 36_000, 2)]
