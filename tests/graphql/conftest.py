"""The real app (``create_app``) over a real store of each kind, spoken to in GraphQL: over HTTP in-process
(``httpx.ASGITransport``) and over a websocket (``httpx_ws.ASGIWebSocketTransport``), nothing mocked in between."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from retrace.api.app import create_app
from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.graphql.world import REGISTER, registration_input

Json = dict[str, Any]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(sqlite_path=tmp_path / "trace.db", max_batch=50)


@pytest.fixture
def app(settings: Settings, store: GraphStore) -> FastAPI:
    return create_app(settings, store=store)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
        yield c


def websocket(client: httpx.AsyncClient) -> AbstractAsyncContextManager[AsyncWebSocketSession]:
    """A graphql-transport-ws websocket to /graphql (typed: httpx-ws's own function is not, for mypy)."""
    connect: Any = aconnect_ws
    session: AbstractAsyncContextManager[AsyncWebSocketSession] = connect(
        "/graphql", client, subprotocols=["graphql-transport-ws"]
    )
    return session


async def gql(client: httpx.AsyncClient, query: str, variables: Json | None = None) -> Json:
    """POST a GraphQL request; the answer's JSON (``data`` and/or ``errors``)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def data(client: httpx.AsyncClient, query: str, variables: Json | None = None) -> Json:
    """The ``data`` of a request that must succeed."""
    body = await gql(client, query, variables)
    assert "errors" not in body, body["errors"]
    result: Json = body["data"]
    return result


def only_error(body: Json) -> Json:
    """The single error of an answer (fails if there is none or several)."""
    assert len(body.get("errors", [])) == 1, body
    error: Json = body["errors"][0]
    return error


@pytest.fixture
async def registered(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client whose store holds the test registry, registered through GraphQL."""
    result = await data(client, REGISTER, {"input": registration_input()})
    assert result["register_master_data"] == {"parties": 9, "licences": 5, "sites": 9, "models": 6}
    return client
