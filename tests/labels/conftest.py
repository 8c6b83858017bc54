"""The real app over a real embedded store holding the labelled world; the resolver's base is the client's host."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from retrace.adapters.labels import QrLabelRenderer
from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.app.labels import PrintLabels
from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.labels.support import RESOLVER, populate


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(sqlite_path=tmp_path / "trace.db", resolver_base=RESOLVER)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[GraphStore]:
    opened = await SqliteStore.open(settings.sqlite_path)
    try:
        await populate(opened)
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def renderer() -> QrLabelRenderer:
    return QrLabelRenderer()


@pytest.fixture
def labels(store: GraphStore, renderer: QrLabelRenderer) -> PrintLabels:
    return PrintLabels(store, renderer, RESOLVER)


@pytest.fixture
def app(settings: Settings, store: GraphStore) -> FastAPI:
    return create_app(settings, store=store)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=RESOLVER) as c:
        yield c
