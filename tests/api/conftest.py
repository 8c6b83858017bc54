"""The real app over a real embedded store in a temporary folder: no mocks between a request and the file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.api.payloads import registry

MAX_BATCH = 20
MAX_BODY = 64 * 1024


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(sqlite_path=tmp_path / "trace.db", max_batch=MAX_BATCH, max_body_bytes=MAX_BODY)


@pytest.fixture
async def sqlite_store(settings: Settings) -> AsyncIterator[GraphStore]:
    store = await SqliteStore.open(settings.sqlite_path)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def app(settings: Settings, sqlite_store: GraphStore) -> FastAPI:
    return create_app(settings, store=sqlite_store)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
        yield c


@pytest.fixture
async def registered(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client whose store holds the test registry."""
    response = await client.post("/api/v1/registry", json=registry())
    assert response.status_code == 200, response.text
    return client
