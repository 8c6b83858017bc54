"""``trace migrate`` and ``trace seed`` against a real Neo4j server, chosen by the settings the CLI reads
(``TRACE_STORE=neo4j``, ``TRACE_NEO4J_URI``), as a user runs them.  The server is the test suite's
(``TRACE_TEST_NEO4J_URI``, started by ``scripts/neo4j start``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from retrace.adapters.neo4j import queries as q
from retrace.adapters.neo4j.migrations import load_migrations
from retrace.app.ports import GraphStore
from retrace.demo.synthetic import synthetic_events
from tests.cli.conftest import Invoke
from tests.conftest import NEO4J_URI, open_neo4j, open_sqlite

pytestmark = pytest.mark.neo4j

# No user: the test server runs without authentication.
NEO4J = {"TRACE_STORE": "neo4j", "TRACE_NEO4J_URI": NEO4J_URI, "TRACE_NEO4J_USER": ""}


def forget_migrations() -> None:
    """Make the server look as if no migration ever ran (the migrations' DDL is idempotent: rerunning it is safe)."""
    with GraphDatabase.driver(NEO4J_URI, auth=None) as driver:
        driver.execute_query(f"MATCH (m:{q.Label.SCHEMA_MIGRATION}) DELETE m")


async def _counts_and_held(store: GraphStore, event_ids: list[str]) -> tuple[dict[str, int], int]:
    try:
        return await store.counts(), len(await store.get_events(event_ids))
    finally:
        await store.close()


def test_migrate_applies_every_migration_then_says_the_server_is_up_to_date(invoke: Invoke) -> None:
    forget_migrations()
    first = invoke("migrate", env=NEO4J)
    assert first.exit_code == 0, first.output
    versions = [m.version for m in load_migrations()]
    for version in versions:
        assert f"applied / 已执行 {version}" in first.output
    assert f"{len(versions)} migration(s) applied to {NEO4J_URI}" in first.output

    second = invoke("migrate", env=NEO4J)
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output and "applied / 已执行" not in second.output


def test_seed_loads_the_items_into_neo4j_as_into_the_embedded_store(invoke: Invoke, tmp_path: Path) -> None:
    asyncio.run(_wipe())
    items = 30
    ids = [e.event_id for e in synthetic_events(items)]

    result = invoke("seed", "--items", str(items), "--batch", "200", env=NEO4J)
    assert result.exit_code == 0, result.output
    assert f"{items}/{items}" in result.output and "100%" in result.output
    assert f"{len(ids)} events recorded, 0 already there" in result.output
    on_neo4j = asyncio.run(_counts_and_held_on_neo4j(ids))
    assert on_neo4j[1] == len(ids)

    # The same command on the embedded store gives the same graph.
    embedded = invoke("seed", "--items", str(items), "--batch", "200")
    assert embedded.exit_code == 0, embedded.output
    assert asyncio.run(_counts_and_held_embedded(tmp_path / "data" / "trace.db", ids)) == on_neo4j

    again = invoke("seed", "--items", str(items), "--batch", "200", env=NEO4J)  # the same seed: all replays
    assert again.exit_code == 0, again.output
    assert f"0 events recorded, {len(ids)} already there" in again.output
    assert asyncio.run(_counts_and_held_on_neo4j(ids)) == on_neo4j


async def _wipe() -> None:
    store = await open_neo4j()  # migrated and wiped
    await store.close()


async def _counts_and_held_on_neo4j(event_ids: list[str]) -> tuple[dict[str, int], int]:
    return await _counts_and_held(await open_neo4j_kept(), event_ids)


async def _counts_and_held_embedded(path: Path, event_ids: list[str]) -> tuple[dict[str, int], int]:
    return await _counts_and_held(await open_sqlite(path), event_ids)


async def open_neo4j_kept() -> GraphStore:
    """A store on the test server that keeps what it holds (``open_neo4j`` wipes it)."""
    from retrace.adapters.neo4j.store import Neo4jStore

    return await Neo4jStore.connect(NEO4J_URI, None)
