"""The demo and synthetic data through the real use cases into a real SQLite store."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from retrace.app.ports import GraphStore, LineageDirection
from retrace.app.tracing import TraceQueries
from retrace.demo import catalogue as cat
from retrace.demo.dataset import demo_events, demo_notes, demo_registration
from retrace.demo.loader import LoadReport, batched, load
from retrace.demo.synthetic import synthetic
from retrace.domain.changes import Direction
from retrace.domain.model import Status, TracedObject
from tests.conftest import open_sqlite


async def _load_demo(path: Path) -> LoadReport:
    store = await open_sqlite(path)
    try:
        return await load(store, demo_registration(), batched(demo_events(), 500))
    finally:
        await store.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadReport]:
    """The demo loaded once into a database file; tests that write work on a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    report = asyncio.run(_load_demo(path))
    return path, report


@pytest.fixture
async def demo_store(demo_db: tuple[Path, LoadReport], tmp_path: Path) -> AsyncIterator[GraphStore]:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db[0], copy)
    store = await open_sqlite(copy)
    try:
        yield store
    finally:
        await store.close()


def test_the_demo_loads_with_zero_rule_errors_well_under_a_minute(demo_db: tuple[Path, LoadReport]) -> None:
    _, report = demo_db
    assert report.created == report.events == len(demo_events())
    assert report.replayed == 0
    assert report.elapsed_s < 60


async def test_loading_again_creates_nothing(demo_store: GraphStore) -> None:
    before = await demo_store.counts()
    seen: list[int] = []
    report = await load(demo_store, demo_registration(), batched(demo_events(), 400), seen.append)
    assert report.created == 0
    assert report.replayed == len(demo_events())
    assert await demo_store.counts() == before
    assert seen == sorted(seen) and seen[-1] == len(demo_events()) and len(seen) == report.batches


async def test_battery_lineage_runs_from_the_vehicle_to_lithium_carbonate_and_back(
    demo_store: GraphStore,
) -> None:
    queries = TraceQueries(demo_store)
    show = demo_notes().showcase

    def names(objects: list[TracedObject]) -> set[str]:
        return {value for o in objects for _, value in o.identifiers}

    down = await queries.lineage(show["vehicle_vin"], LineageDirection.DOWNSTREAM, 10)
    reached = names(down.objects)
    for key in (
        "vehicle_pack",
        "vehicle_module",
        "vehicle_cell",
        "vehicle_black_mass_lot",
        "vehicle_lithium_carbonate_lot",
        "vehicle_nickel_sulfate_lot",
    ):
        assert show[key] in reached, key
    up = await queries.lineage(show["vehicle_lithium_carbonate_lot"], LineageDirection.UPSTREAM, 10)
    back = names(up.objects)
    assert {
        show["vehicle_vin"],
        show["vehicle_pack"],
        show["vehicle_cell"],
        show["vehicle_black_mass_lot"],
    } <= back


async def test_the_irregular_cases_show_in_the_store(demo_store: GraphStore) -> None:
    queries = TraceQueries(demo_store)
    found = {i.code: i for i in demo_notes().irregularities}
    missing_hex = found["MISSING_IN_TRANSIT"].identifiers[1]
    missing = await queries.find(missing_hex)
    assert missing.status is Status.IN_TRANSIT and missing.in_transit_to == cat.HUANAN
    for code in found["LAPSED_LICENCE_HOLDING"].identifiers:
        pack = await queries.find(code)
        assert pack.holder_id == cat.HONGDA
    licences = await demo_store.get_licences([cat.HONGDA])
    assert max(lic.valid_to for lic in licences[cat.HONGDA]).isoformat() == "2026-03-31"
    start, end = (
        datetime.fromisoformat("2025-01-01T00:00+08:00"),
        datetime.fromisoformat("2026-10-01T00:00+08:00"),
    )
    flows = await queries.site_flows(cat.site_id(cat.XIANGJIANG), start, end)
    consumed = sum(f.mass_g for f in flows if f.direction is Direction.CONSUMED)
    produced = sum(f.mass_g for f in flows if f.direction is Direction.PRODUCED)
    assert produced == consumed > 0


def test_synthetic_data_loads_with_zero_rule_errors_next_to_the_demo(
    demo_db: tuple[Path, LoadReport], tmp_path: Path
) -> None:
    """Its identifiers never meet the demo's, so both fit in one store."""
    copy = tmp_path / "both.db"
    shutil.copy(demo_db[0], copy)

    async def run() -> tuple[LoadReport, dict[str, int]]:
        store = await open_sqlite(copy)
        try:
            registration, batches = synthetic(1000, seed=7)
            report = await load(store, registration, batches)
            return report, await store.counts()
        finally:
            await store.close()

    report, counts = asyncio.run(run())
    assert report.replayed == 0 and report.created == report.events > 5000
    assert counts["events"] == report.events + demo_db[1].events
