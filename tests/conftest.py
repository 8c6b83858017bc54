"""Shared fixtures: a fresh store of each kind per test.

The ``neo4j`` parameter needs the server that ``scripts/neo4j start`` runs (``scripts/test`` starts it).  If it is
not reachable, those tests fail with a message saying so: they are never skipped silently.
"""

from __future__ import annotations

import asyncio
import os
import shutil
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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set (``trace demo``'s), loaded once per run through the capture use case as the demo command
    loads it.  Never opened by a test: each takes its own copy (``copy_demo``), so what one writes no other sees."""
    from retrace.adapters.sqlite.store import SqliteStore
    from retrace.bootstrap import Services
    from retrace.config import Settings
    from retrace.demo.dataset import demo_events, demo_registration
    from retrace.demo.loader import batched, load

    path = tmp_path_factory.mktemp("demo-template") / "trace.db"

    async def fill() -> None:
        store = await SqliteStore.open(path)
        try:
            capture = Services.build(Settings(sqlite_path=path), store).capture
            await load(store, demo_registration(), batched(demo_events(), 500), capture=capture)
        finally:
            await store.close()  # the last connection's close folds the WAL into the file: one file to copy

    asyncio.run(fill())
    return path


def copy_demo(template: Path, folder: Path) -> Path:
    """A fresh copy of the loaded demo store in ``folder``: ``folder/trace.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "trace.db"
    shutil.copy(template, copy)
    return copy
