"""The event log's and the event listings' Cypher uses the indexes of migration V0003 (a feed polls every second:
a label scan per poll would grow with the whole history of the platform)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase

from retrace.adapters.neo4j import queries as q
from retrace.adapters.neo4j.store import Neo4jStore
from tests.conftest import NEO4J_URI

pytestmark = [pytest.mark.neo4j, pytest.mark.asyncio]


@pytest.fixture
async def raw() -> AsyncIterator[AsyncDriver]:
    store = await Neo4jStore.connect(NEO4J_URI, None)
    try:
        await store.migrate()
    finally:
        await store.close()
    driver = AsyncGraphDatabase.driver(NEO4J_URI, auth=None)
    try:
        yield driver
    finally:
        await driver.close()


def _operators(plan: Any) -> list[str]:
    out = [str(plan["operatorType"])]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


async def _plan(driver: AsyncDriver, query: str, **params: Any) -> list[str]:
    async with driver.session() as session:
        result = await session.run("EXPLAIN " + query, params)
        summary = await result.consume()
    assert summary.plan is not None
    return _operators(summary.plan)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        (q.events_since(False, ["position"]), {"position": 0, "limit": 10}),
        (q.events_since(False, ["site_id", "position"]), {"site_id": "s", "position": 0, "limit": 10}),
        (q.events_since(False, ["party_id", "position"]), {"party_id": "p", "position": 0, "limit": 10}),
        (q.list_events(False, ["site_id"]), {"site_id": "s", "limit": 10}),
        (q.list_events(False, ["party_id"]), {"party_id": "p", "limit": 10}),
        (q.list_events(True, ["start"]), {"object_id": "o", "start": None, "limit": 10}),
        (q.list_events(False, ["start", "end"]), {"start": None, "end": None, "limit": 10}),
    ],
    ids=["log", "log-site", "log-party", "site", "party", "object", "period"],
)
async def test_event_queries_seek_an_index(raw: AsyncDriver, query: str, params: dict[str, Any]) -> None:
    operators = await _plan(raw, query, **params)
    # The planner may seek or scan an index in order (it depends on the statistics earlier tests left behind);
    # either reads an index. What must never happen is reading every event node.
    assert any("Index" in op for op in operators), operators
    assert not any(op.startswith(("NodeByLabelScan", "AllNodesScan")) for op in operators), operators


async def test_a_partys_commissions_are_found_by_their_index(raw: AsyncDriver) -> None:
    """Not by walking every event the party recorded (a producer records millions)."""
    async with raw.session() as session:
        result = await session.run(
            "EXPLAIN " + q.COMMISSIONED, party_id="p", start=None, end=None, after_id="", limit=10
        )
        summary = await result.consume()
    assert summary.plan is not None
    plan = str(summary.plan)
    assert "Event(party_id, type, event_time_utc)" in plan, plan  # the index of migration V0005
    assert "CartesianProduct" not in plan and "AllNodesScan" not in plan, plan
    assert "Object(id) WHERE id >" not in plan, (
        plan
    )  # outputs expanded from the commissions, not every object


async def test_a_sites_inventory_reads_the_index_of_live_objects(raw: AsyncDriver) -> None:
    """Only what sits in the yard now is read, not everything the site ever handled."""
    async with raw.session() as session:
        result = await session.run("EXPLAIN " + q.OBJECTS_AT_SITE, site_id="s", after_id="", limit=10)
        summary = await result.consume()
    assert summary.plan is not None
    assert "Object(live_site_id, id)" in str(summary.plan), summary.plan  # the index of migration V0006
