"""Shared fixtures: a fresh store of each kind per test.

The ``neo4j`` parameter needs the server that ``scripts/neo4j start`` runs (``scripts/test`` starts it).  If it is
not reachable, those tests fail with a message saying so: they are never skipped silently.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrace.app.ports import GraphStore

NEO4J_URI = os.environ.get("TRACE_TEST_NEO4J_URI", "bolt://127.0.0.1:17687")


async def open_sqlite(path: Path) -> GraphStore:
    from retrace.adapters.sqlite.store import SqliteStore

    return await SqliteStore.open(path)


async def open_neo4j() -> GraphStore:
    from retrace.adapters.neo4j.store import Neo4jStore
    from retrace.domain.errors import StoreUnavailable

    try:
        store = await Neo4jStore.connect(NEO4J_URI, None)
        await store.ping()
    except StoreUnavailable as e:
        pytest.fail(
            f"Neo4j is not reachable at {NEO4J_URI}: run `scripts/neo4j start` (or scripts/test). {e}"
        )
    await store.migrate()
    await store.wipe()
    return store


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GraphStore]:
    opened = await open_sqlite(tmp_path / "trace.db") if request.param == "sqlite" else await open_neo4j()
    try:
        yield opened
    finally:
        await opened.close()
