"""Listing master data and events page by page, on both stores: filters, order and keyset pagination."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import EventFilter, EventKey, GraphStore, ModelFilter, PartyFilter, SiteFilter
from retrace.app.registry import RegisterMasterData
from retrace.domain.events import Correct
from retrace.domain.model import Role, Stream
from tests.world import NOW, T0, at, battery, battery_chain, registration

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def world(store: GraphStore) -> GraphStore:
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(battery_chain())
    return store


async def test_parties_are_listed_by_id_and_filtered(world: GraphStore) -> None:
    everyone = await world.list_parties(PartyFilter(), 100)
    assert [p.id for p in everyone] == sorted(p.id for p in registration().parties)
    recyclers = await world.list_parties(PartyFilter(role=Role.RECYCLER), 100)
    assert [p.id for p in recyclers] == ["recycler", "refiner", "workshop"]
    # 430100 (Changsha) and 440300 (Shenzhen): a province prefix takes every city in it
    assert [p.id for p in await world.list_parties(PartyFilter(region_prefix="43"), 100)] == [
        "dismantler",
        "recycler",
    ]
    assert [p.id for p in await world.list_parties(PartyFilter(region_prefix="4403"), 100)] == [
        "carrier",
        "collector",
        "tv-maker",
        "workshop",
    ]
    both = PartyFilter(role=Role.RECYCLER, region_prefix="4403")
    assert [p.id for p in await world.list_parties(both, 100)] == ["workshop"]


async def test_names_match_anywhere_ignoring_ascii_case(world: GraphStore) -> None:
    # the world's English names are id.title() ("Car-Maker"), the Chinese ones the id itself
    assert [p.id for p in await world.list_parties(PartyFilter(name_contains="MAKER"), 100)] == [
        "car-maker",
        "tv-maker",
    ]
    assert [p.id for p in await world.list_parties(PartyFilter(name_contains="r-m"), 100)] == ["car-maker"]
    assert await world.list_parties(PartyFilter(name_contains="%"), 100) == []  # LIKE wildcards are literal
    assert await world.list_parties(PartyFilter(name_contains="_"), 100) == []
    sites = await world.list_sites(SiteFilter(name_contains="REFINER YARD"), 100)
    assert [s.id for s in sites] == ["site-refiner"]


async def test_keyset_pagination_walks_every_party_once(world: GraphStore) -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        page = await world.list_parties(PartyFilter(), 4, after)
        if not page:
            break
        assert len(page) <= 4
        seen += [p.id for p in page]
        after = page[-1].id
    assert seen == sorted(p.id for p in registration().parties)


async def test_sites_by_party_and_region(world: GraphStore) -> None:
    assert [s.id for s in await world.list_sites(SiteFilter(party_id="refiner"), 10)] == ["site-refiner"]
    assert [s.id for s in await world.list_sites(SiteFilter(region_prefix="51"), 10)] == ["site-refiner"]
    assert await world.list_sites(SiteFilter(party_id="nobody"), 10) == []
    assert len(await world.list_sites(SiteFilter(), 3)) == 3
    assert [s.id for s in await world.list_sites(SiteFilter(), 2, "site-recycler")] == [
        "site-refiner",
        "site-reman",
    ]


async def test_models_by_producer_stream_and_category(world: GraphStore) -> None:
    battery_models = await world.list_models(ModelFilter(stream=Stream.BATTERY), 10)
    assert [m.id for m in battery_models] == ["ncm-cell", "ncm-module", "ncm-pack"]
    assert battery_models[0].composition_g == {"nickel": 500}  # the whole record, composition included
    assert [m.id for m in await world.list_models(ModelFilter(producer_id="tv-maker"), 10)] == ["tv"]
    cars = ModelFilter(producer_id="car-maker", stream=Stream.ELV, category="engine")
    assert [m.id for m in await world.list_models(cars, 10)] == ["engine"]
    assert [m.id for m in await world.list_models(ModelFilter(), 2, "engine")] == ["ncm-cell", "ncm-module"]


async def test_events_of_a_site_by_time_then_id(world: GraphStore) -> None:
    events = await world.list_events(EventFilter(site_id="site-recycler"), 100)
    assert [e.event_id for e in events] == ["h2-recv", "d-pack", "d-m1", "d-m2", "t-bm", "h3-ship"]
    times = [e.event.event_time for e in events]
    assert times == sorted(times)
    # d-m1 and d-m2 happened at the same instant: the id breaks the tie, and a page boundary between them holds
    first = await world.list_events(EventFilter(site_id="site-recycler"), 3)
    rest = await world.list_events(
        EventFilter(site_id="site-recycler"), 100, EventKey(first[-1].event.event_time, first[-1].event_id)
    )
    assert [e.event_id for e in first + rest] == [e.event_id for e in events]


async def test_events_of_a_party_an_object_and_a_period(world: GraphStore) -> None:
    by_party = await world.list_events(EventFilter(party_id="refiner"), 100)
    assert [e.event_id for e in by_party] == ["h3-recv", "t-li"]
    pack = (await world.find_by_keys([f"gbt34014:{battery('P', 1)}"]))[f"gbt34014:{battery('P', 1)}"]
    by_object = await world.list_events(EventFilter(object_id=pack.id), 100)
    assert [e.event_id for e in by_object] == [r.event_id for r in await world.history(pack.id)]
    # half-open period, compared as instants whatever the offset (at(130) is 2026-03-07T19:00+08:00)
    period = EventFilter(start=at(130), end=at(140))
    assert [e.event_id for e in await world.list_events(period, 100)] == ["d-pack", "d-m1", "d-m2"]
    period_utc = EventFilter(start=at(130).astimezone(UTC), end=at(140).astimezone(UTC))
    assert [e.event_id for e in await world.list_events(period_utc, 100)] == ["d-pack", "d-m1", "d-m2"]
    combined = EventFilter(site_id="site-recycler", party_id="recycler", start=T0, end=at(131))
    assert [e.event_id for e in await world.list_events(combined, 100)] == ["h2-recv", "d-pack"]
    assert await world.list_events(EventFilter(site_id="site-recycler"), 0) == []


async def test_events_of_some_types_and_of_none(world: GraphStore) -> None:
    everything = await world.list_events(EventFilter(), 1000)
    wanted = frozenset({"disassemble", "transform"})
    chosen = await world.list_events(EventFilter(types=wanted), 1000)
    assert chosen and [e.event_id for e in chosen] == [
        e.event_id for e in everything if e.event.type in wanted
    ]
    at_site = await world.list_events(
        EventFilter(site_id="site-recycler", types=frozenset({"receive"})), 1000
    )
    assert [e.event_id for e in at_site] == [
        e.event_id for e in everything if e.event.type == "receive" and e.event.site_id == "site-recycler"
    ]
    assert await world.list_events(EventFilter(types=frozenset()), 1000) == []
    assert await world.list_events(EventFilter(types=frozenset({"no-such-type"})), 1000) == []


async def test_corrected_events_are_listed_with_their_flag(world: GraphStore) -> None:
    correction = Correct(
        "fix-h3", at(170), "site-refiner", "refiner", target_event_id="t-li", reason="wrong outputs"
    )
    await CaptureEvents(world, clock=lambda: NOW).execute([correction])
    events = await world.list_events(EventFilter(party_id="refiner"), 100)
    assert [(e.event_id, e.corrected_by) for e in events] == [
        ("h3-recv", None),
        ("t-li", "fix-h3"),
        ("fix-h3", None),
    ]
    late = await world.list_events(EventFilter(start=at(165)), 100)
    assert [e.event_id for e in late] == ["fix-h3"]
    assert await world.list_events(EventFilter(start=at(200), end=at(200) + timedelta(days=1)), 100) == []


async def test_listing_an_empty_store(store: GraphStore) -> None:
    assert await store.list_parties(PartyFilter(), 10) == []
    assert await store.list_sites(SiteFilter(), 10) == []
    assert await store.list_models(ModelFilter(), 10) == []
    assert await store.list_events(EventFilter(site_id="x"), 10) == []
