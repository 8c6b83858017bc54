"""Reagents, a batch of several streams and cascade reuse on both stores: objects keep what the rates need, the
split records page without a gap, and the reports equal the pure engine's on the same events."""

from __future__ import annotations

import dataclasses

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import FlowQuery, FlowRecordKey, FlowRecordQuery, GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.reporting import ReportQueries
from retrace.domain.changes import Direction, FlowRecord
from retrace.domain.events import Dispose, Event
from retrace.domain.identifiers import parse_identifier
from retrace.domain.model import Stream
from retrace.domain.rates.report import Period, Scope, ScopeKind, recovery_report
from retrace.targets import load_catalogue
from tests.rates.chains import (
    MIXED_INPUT,
    MODULES,
    SALT_REAGENTS,
    cascade_chain,
    mixed_chain,
    refinery_chain,
    registration_with_modules,
)
from tests.rates.support import FEB, NOW, at, battery, master, rows

pytestmark = pytest.mark.asyncio

YEAR = Period("2026-01", "2026-12")


def events() -> list[Event]:
    """The three chains in one store: the cascade plant opens a pack of its own."""
    refinery = [dataclasses.replace(e, event_id=f"r-{e.event_id}") for e in refinery_chain()]
    return [
        *mixed_chain(),
        *refinery[4:],  # its pack, black mass and foils are the mixed chain's
        *cascade_chain(pack=battery(2)),
        Dispose("x-ms", at(FEB, 1), "site-refiner", "refiner", objects=("MS-1",)),
    ]


@pytest.fixture
async def loaded(store: GraphStore) -> list[FlowRecord]:
    await RegisterMasterData(store).execute(registration_with_modules())
    await CaptureEvents(store, clock=lambda: NOW).execute(events())
    recorded = await store.get_events([e.event_id for e in events()])
    return [f for e in events() for f in recorded[e.event_id].flows]


async def test_objects_keep_their_reagents_and_streams(store: GraphStore, loaded: list[FlowRecord]) -> None:
    keys = [parse_identifier(code).key for code in ("NS-1", "CUC-1", MODULES[0])]
    found = await store.find_by_keys(keys)
    salt, cathode, module = (found[k] for k in keys)
    assert salt.reagent_g == SALT_REAGENTS["NS-1"] and salt.stream_mix == ()
    assert cathode.stream is Stream.BATTERY and cathode.stream_mix == MIXED_INPUT
    assert module.fate is not None and module.fate.value == "reuse"


async def test_aggregates_are_the_sums_of_the_records(store: GraphStore, loaded: list[FlowRecord]) -> None:
    assert any(f.direction is Direction.REAGENT for f in loaded)
    assert await store.flow_aggregates(FlowQuery("2026-01", "2026-12")) == rows(loaded)


async def test_records_of_one_lot_in_several_streams_page_one_by_one(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    query = FlowRecordQuery("site-shredder", YEAR.start_instant, YEAR.end_instant)
    expected = sorted(
        (f for f in loaded if f.site_id == "site-shredder"),
        key=lambda f: (f.event_time, f.event_id, f.object_id, f.direction.value, f.stream.value),
    )
    pages: list[FlowRecord] = []
    after: FlowRecordKey | None = None
    while True:
        page = await store.flow_records(query, 1, after)
        pages.extend(page)
        if not page:
            break
        last = page[-1]
        after = FlowRecordKey(
            last.event_time, last.event_id, last.object_id, last.direction, last.stream.value
        )
    assert pages == expected
    assert sum(1 for f in pages if f.event_id == "t-mix" and f.direction is Direction.PRODUCED) == 4


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.NATION),
        Scope(ScopeKind.NATION, stream=Stream.ELV),
        Scope(ScopeKind.NATION, stream=Stream.BATTERY),
        Scope(ScopeKind.SITE, "site-refiner"),
        Scope(ScopeKind.SITE, "site-shredder"),
        Scope(ScopeKind.PARTY, "batt"),
    ],
    ids=lambda s: f"{s.kind.value}:{s.id}:{s.stream}",
)
async def test_reports_are_the_pure_engines_on_the_same_events(
    store: GraphStore, loaded: list[FlowRecord], scope: Scope
) -> None:
    catalogue = load_catalogue()
    got = await ReportQueries(store, catalogue).recovery(scope, YEAR)
    mine = [f for f in loaded if scope.stream is None or f.stream is scope.stream]
    if scope.kind is ScopeKind.SITE:
        mine = [f for f in mine if f.site_id == scope.id]
    if scope.kind is ScopeKind.PARTY:
        mine = [f for f in mine if f.party_id == scope.id]
    expected = recovery_report(rows(mine), scope, YEAR, master(registration_with_modules()), catalogue)
    assert got.figures == expected.figures
    assert got.materials == expected.materials
    assert got.figures.final_g + got.figures.loss_g == got.figures.treated_g
