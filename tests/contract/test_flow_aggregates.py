"""Flow aggregates and flow records on both stores: kept current by ``commit``, equal to summing the records, and
the reports built on them identical to the pure engine's on the same events."""

from __future__ import annotations

import dataclasses

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import FlowQuery, FlowRecordKey, FlowRecordQuery, GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.reporting import EPR_DIRECTIONS, ReportQueries
from retrace.domain.changes import Direction, FlowRecord, Stage
from retrace.domain.events import Correct, Dispose, Event
from retrace.domain.model import Stream
from retrace.domain.rates.aggregates import month_of
from retrace.domain.rates.report import (
    EprTotals,
    Measure,
    Period,
    Scope,
    ScopeKind,
    balance_of,
    epr_lines,
    epr_target,
    material_sankey,
    party_flows,
    recovery_report,
    select,
)
from retrace.targets import load_catalogue
from tests.rates.support import FEB, NOW, at, master, registration, rows
from tests.rates.test_formulas import battery_chain, car_chain, shredded

pytestmark = pytest.mark.asyncio

YEAR = Period("2026-01", "2026-12")


def events() -> list[Event]:
    """A vehicle chain with a melt, a re-fated lot, a battery chain to salts, and a correction."""
    return [
        *car_chain(*shredded()),
        Dispose("x-pl", at(FEB, 1), "site-dismantler", "dismantler", objects=("PL-1",)),
        *(dataclasses.replace(e, event_id=f"b-{e.event_id}") for e in battery_chain()),
        Dispose("x-gl", at(FEB, 2), "site-dismantler", "dismantler", objects=("GL-1",)),
        Correct(
            "k-gl", at(FEB, 3), "site-dismantler", "dismantler", target_event_id="x-gl", reason="wrong lot"
        ),
    ]


@pytest.fixture
async def loaded(store: GraphStore) -> list[FlowRecord]:
    """The store with the events captured; the flow records it holds, read back from the events."""
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(events())
    recorded = await store.get_events([e.event_id for e in events()])
    return [f for e in events() for f in recorded[e.event_id].flows]


async def test_aggregates_are_the_sums_of_the_records(store: GraphStore, loaded: list[FlowRecord]) -> None:
    got = await store.flow_aggregates(FlowQuery("2026-01", "2026-12"))
    assert got == rows(loaded)
    assert any(r.elements_g for r in got) and any(r.origin_site_id for r in got)
    by_month = await store.flow_aggregates(FlowQuery("2026-01", "2026-12", by_month=True))
    assert by_month == rows(loaded, by_month=True)
    assert {r.month for r in by_month} == {"2026-01", "2026-02"}


async def test_a_correction_cancels_its_records_in_the_aggregates(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    got = await store.flow_aggregates(FlowQuery("2026-01", "2026-12", directions=(Direction.DISPOSED,)))
    assert [(r.material, r.fate, r.prior_fate, r.mass_g, r.count) for r in got] == [
        ("plastics", "disposal", "energy_recovery", 85_000, 1)
    ]  # the glass lot's disposal was corrected: its record and its reversal sum to nothing


@pytest.mark.parametrize(
    "query",
    [
        FlowQuery("2026-02", "2026-02"),
        FlowQuery("2025-01", "2025-12"),
        FlowQuery("2026-01", "2026-12", site_ids=("site-dismantler", "site-refiner")),
        FlowQuery("2026-01", "2026-12", site_ids=()),
        FlowQuery("2026-01", "2026-12", party_ids=("batt",)),
        FlowQuery("2026-01", "2026-12", model_ids=("car",)),
        FlowQuery("2026-01", "2026-12", streams=(Stream.BATTERY,)),
        FlowQuery("2026-01", "2026-12", directions=(Direction.CONSUMED, Direction.PRODUCED), by_month=True),
    ],
    ids=lambda q: ",".join(f"{k}={v}" for k, v in dataclasses.asdict(q).items() if v not in (None, False)),
)
async def test_filters_keep_exactly_the_matching_records(
    store: GraphStore, loaded: list[FlowRecord], query: FlowQuery
) -> None:
    def keep(f: FlowRecord) -> bool:
        return (
            query.start_month <= month_of(f.event_time) <= query.end_month
            and (query.site_ids is None or f.site_id in query.site_ids)
            and (query.party_ids is None or f.party_id in query.party_ids)
            and (query.model_ids is None or f.model_id in query.model_ids)
            and (query.streams is None or f.stream in query.streams)
            and (query.directions is None or f.direction in query.directions)
        )

    assert await store.flow_aggregates(query) == rows([f for f in loaded if keep(f)], query.by_month)


async def test_flow_records_list_a_sites_records_page_by_page(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    query = FlowRecordQuery("site-dismantler", YEAR.start_instant, YEAR.end_instant)
    expected = sorted(
        (f for f in loaded if f.site_id == "site-dismantler"),
        key=lambda f: (f.event_time, f.event_id, f.object_id, f.direction.value),
    )
    pages: list[FlowRecord] = []
    after: FlowRecordKey | None = None
    while True:
        page = await store.flow_records(query, 4, after)
        pages.extend(page)
        if len(page) < 4:
            break
        last = page[-1]
        after = FlowRecordKey(last.event_time, last.event_id, last.object_id, last.direction)
    assert pages == expected and len(pages) > 8
    produced = await store.flow_records(
        dataclasses.replace(query, direction=Direction.PRODUCED, fate="disposal"), 100
    )
    assert [f.material for f in produced] == ["glass"]
    unstaged = await store.flow_records(
        dataclasses.replace(query, direction=Direction.DISPOSED, stage=""), 100
    )
    assert {f.event_id for f in unstaged} == {"x-pl", "x-gl", "k-gl"}
    assert [f.mass_g for f in unstaged if f.event_id == "k-gl"] == [-29_000]
    assert await store.flow_records(dataclasses.replace(query, site_id="site-nowhere"), 10) == []


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.NATION),
        Scope(ScopeKind.NATION, stream=Stream.BATTERY),
        Scope(ScopeKind.PROVINCE, "32"),
        Scope(ScopeKind.PARTY, "refiner"),
        Scope(ScopeKind.SITE, "site-shredder"),
        Scope(ScopeKind.PRODUCER, "maker"),
        Scope(ScopeKind.MODEL, "car"),
    ],
    ids=lambda s: f"{s.kind.value}:{s.id}:{s.stream}",
)
async def test_reports_are_the_pure_engines_on_the_same_events(
    store: GraphStore, loaded: list[FlowRecord], scope: Scope
) -> None:
    catalogue = load_catalogue()
    got = await ReportQueries(store, catalogue).recovery(scope, YEAR)
    in_year = [f for f in loaded if YEAR.contains(month_of(f.event_time))]
    epr = rows(in_year, by_month=True)
    epr = [r for r in epr if r.direction in (Direction.COMMISSIONED, Direction.RECEIVED, Direction.CONSUMED)]
    if scope.stream:
        in_year = [f for f in in_year if f.stream is scope.stream]
        epr = [r for r in epr if r.stream is scope.stream]
    if scope.kind is ScopeKind.SITE:
        in_year = [f for f in in_year if f.site_id == scope.id]
    if scope.kind is ScopeKind.PARTY:
        in_year = [f for f in in_year if f.party_id == scope.id]
    # EPR covers the producers' models of the scope: all for the nation, the maker's for the maker and its model;
    # a province, a site or a recycler holds no EPR obligation and gets no EPR rows.
    if scope.kind in (ScopeKind.PROVINCE, ScopeKind.SITE, ScopeKind.PARTY):
        epr = []
    if scope.kind is ScopeKind.MODEL:
        epr = [r for r in epr if r.model_id == scope.id]
    expected = recovery_report(rows(in_year), scope, YEAR, master(), catalogue, epr)
    assert got.figures == expected.figures
    assert got.checks == expected.checks
    assert got.epr == expected.epr
    assert got.rows == expected.rows


async def test_drill_down_and_sites_agree_with_the_report(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    queries = ReportQueries(store, load_catalogue())
    report = await queries.recovery(Scope(ScopeKind.NATION), YEAR)
    _, by_site = await queries.drill(Scope(ScopeKind.NATION), YEAR, Measure.RECYCLED, "site")
    assert sum(c.mass_g for c in by_site) == report.figures.recycled_g
    _, sites = await queries.sites(Scope(ScopeKind.NATION), YEAR)
    dismantler = next(s for s in sites if s.site_id == "site-dismantler")
    assert dismantler.figures.units_treated == 1
    site_report = await queries.recovery(Scope(ScopeKind.SITE, "site-dismantler"), YEAR)
    assert dismantler.figures == site_report.figures


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.PROVINCE, "32"),
        Scope(ScopeKind.SITE, "site-dismantler"),
        Scope(ScopeKind.PARTY, "batt"),
    ],
    ids=lambda s: f"{s.kind.value}:{s.id}",
)
async def test_a_province_site_or_recycler_report_carries_no_national_epr(
    store: GraphStore, loaded: list[FlowRecord], scope: Scope
) -> None:
    queries = ReportQueries(store, load_catalogue())
    national = await queries.recovery(Scope(ScopeKind.NATION), YEAR)
    assert national.epr is not None and national.epr.placed_units > 0  # there is a national figure to leak
    report = await queries.recovery(scope, YEAR)
    assert report.epr is None
    epr_checks = [c for c in report.checks if c.target.measure == "epr_rate"]
    assert epr_checks, "the EPR target in force is listed"
    for check in epr_checks:
        assert not check.applicable and check.value is None and check.met is None
        assert check.note.startswith("not applicable: EPR rates are producers' obligations")
    # The pure engine given the nation's EPR rows for the scope still gives none: it does not borrow them.
    in_year = rows([f for f in loaded if YEAR.contains(month_of(f.event_time))], by_month=True)
    assert recovery_report([], scope, YEAR, master(), load_catalogue(), in_year).epr is None


async def test_a_producers_report_carries_its_own_models_epr(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    queries = ReportQueries(store, load_catalogue())
    placed = {f.model_id for f in loaded if f.direction is Direction.COMMISSIONED and f.model_id}
    assert placed, "the world places products on the market"
    maker = await queries.recovery(Scope(ScopeKind.PARTY, "maker"), YEAR)
    producer = await queries.recovery(Scope(ScopeKind.PRODUCER, "maker"), YEAR)
    assert maker.epr is not None and maker.epr == producer.epr
    car = await queries.recovery(Scope(ScopeKind.MODEL, "car"), YEAR)
    assert car.epr is not None
    car_units = sum(
        -1 if f.reverses else 1
        for f in loaded
        if f.model_id == "car" and f.stage is Stage.PLACED_ON_MARKET and f.direction is Direction.COMMISSIONED
    )
    assert car_units > 0 and car.epr.placed_units == car_units
    check = next(c for c in car.checks if c.target.measure == "epr_rate")
    assert check.applicable and check.gap == (car.epr.rate or 0) - check.target.base_value


async def test_producer_obligations_are_the_pure_engines_on_the_same_events(
    store: GraphStore, loaded: list[FlowRecord]
) -> None:
    catalogue = load_catalogue()
    got = await ReportQueries(store, catalogue).producers(YEAR)
    in_year = [f for f in loaded if YEAR.contains(month_of(f.event_time))]
    epr = [r for r in rows(in_year, by_month=True) if r.direction in EPR_DIRECTIONS]
    expected = epr_lines(epr, master(), catalogue, None, YEAR)
    assert expected, "the world places products on the market"
    assert sorted(got.lines, key=repr) == sorted(expected, key=repr)
    target = epr_target(catalogue, YEAR)
    assert got.total == EprTotals.of(expected, target)
    mine = await ReportQueries(store, catalogue).producers(YEAR, "maker")
    assert mine.lines and {line.producer_id for line in mine.lines} == {"maker"}


@pytest.mark.parametrize("view", ["materials", "roles", "parties"])
async def test_flows_are_the_pure_engines_on_the_same_events(
    store: GraphStore, loaded: list[FlowRecord], view: str
) -> None:
    catalogue = load_catalogue()
    nation = Scope(ScopeKind.NATION)
    got = await ReportQueries(store, catalogue).flows(nation, YEAR, view)
    in_year = rows([f for f in loaded if YEAR.contains(month_of(f.event_time))])
    if view == "materials":
        expected = material_sankey(balance_of(in_year, select(nation, master()), YEAR, None), catalogue)
    else:
        expected = party_flows(in_year, master(), by_party=view == "parties")
    assert got.links, "mass flowed"
    assert got.dropped_g == expected.dropped_g
    assert sorted(got.nodes, key=repr) == sorted(expected.nodes, key=repr)
    assert sorted(got.links, key=repr) == sorted(expected.links, key=repr)
