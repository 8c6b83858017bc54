"""The demo data set loaded once into an embedded store file, for the tests that read reports over it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.bootstrap import Services
from retrace.config import Settings
from retrace.demo.dataset import demo_events, demo_registration
from retrace.demo.loader import batched, load


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "trace.db"

    async def fill() -> None:
        store = await SqliteStore.open(path)
        try:
            capture = Services.build(Settings(sqlite_path=path), store).capture
            await load(store, demo_registration(), batched(demo_events(), 500), capture=capture)
        finally:
            await store.close()

    asyncio.run(fill())
    return path
