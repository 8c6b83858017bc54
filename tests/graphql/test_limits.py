"""Hostile documents get a clear error quickly, never a crash: deep nesting, alias bombs, fragment cycles and
fragment bombs, a million-item page, huge texts, too many expensive fields; and the server answers afterwards."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from graphql import get_introspection_query
from httpx_ws.transport import ASGIWebSocketTransport

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.api.graphql import limits
from retrace.config import Settings
from tests.graphql.conftest import data, gql, only_error, websocket
from tests.graphql.world import RECORD, REGISTER, chain_inputs, registration_input
from tests.world import battery

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]
QUICK_S = 2.0  # generous for a slow CI machine; each answer below takes milliseconds here


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The limits do not depend on the store: these run on the embedded one only."""
    store = await SqliteStore.open(tmp_path / "trace.db")
    try:
        yield create_app(Settings(sqlite_path=tmp_path / "trace.db"), store=store)
    finally:
        await store.close()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
        await data(c, REGISTER, {"input": registration_input()})
        await data(c, RECORD, {"events": chain_inputs()})
        yield c


async def refused(client: httpx.AsyncClient, query: str, variables: Json | None = None) -> Json:
    started = time.perf_counter()
    body = await gql(client, query, variables)
    elapsed = time.perf_counter() - started
    assert elapsed < QUICK_S, f"took {elapsed:.2f} s"
    assert body.get("data") is None, body
    error = only_error(body)
    assert error["extensions"]["message"] and error["extensions"]["message_zh"]
    # and the server still answers
    alive = await data(client, '{ party(id: "refiner") { id } }')
    assert alive == {"party": {"id": "refiner"}}
    return error


async def test_deep_nesting_is_refused(client: httpx.AsyncClient) -> None:
    query = '{ item(identifier: "BM-0001") { ' + "parent { " * 30 + "id" + " }" * 30 + " } }"
    error = await refused(client, query)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["details"] == {"limit": "depth", "value": 32, "max": limits.MAX_DEPTH}


async def test_nesting_deeper_than_the_parser_can_follow_is_refused(client: httpx.AsyncClient) -> None:
    error = await refused(client, "{ a " * 2000 + "}" * 2000)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "nested too deeply" in error["message"]


async def test_an_alias_bomb_is_refused(client: httpx.AsyncClient) -> None:
    query = "{ " + " ".join(f'a{i}: party(id: "refiner") {{ id }}' for i in range(200)) + " }"
    error = await refused(client, query)
    assert error["extensions"]["details"]["limit"] == "aliases"


async def test_a_fragment_cycle_is_refused(client: httpx.AsyncClient) -> None:
    query = """
    { item(identifier: "BM-0001") { ...A } }
    fragment A on Item { parent { ...B } }
    fragment B on Item { parent { ...A } }
    """
    error = await refused(client, query)
    assert error["extensions"]["code"] == "QUERY_INVALID"
    assert error["message"] == "Cannot spread fragment 'A' within itself via 'B'."


async def test_a_fragment_bomb_is_refused_without_expanding_it(client: httpx.AsyncClient) -> None:
    # F30 expands to 2**30 selections of `id`: measured in linear time (each fragment once) and refused.
    fragments = ["fragment F0 on PartyNode { id name }"]
    fragments += [f"fragment F{i} on PartyNode {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 31)]
    query = '{ party(id: "refiner") { ...F30 } } ' + " ".join(fragments)
    error = await refused(client, query)
    assert error["extensions"]["details"]["limit"] == "fields"
    assert error["extensions"]["details"]["value"] == 2 * 2**30 + 1


async def test_a_million_item_page_is_refused(client: httpx.AsyncClient) -> None:
    error = await refused(client, "{ parties(first: 1000000) { nodes { id } } }")
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", "first")
    assert error["extensions"]["details"] == {"max_page": 500}
    error = await refused(client, "{ parties(first: 99999999999) { nodes { id } } }")
    assert error["extensions"]["code"] == "QUERY_INVALID"  # not even a GraphQL Int
    error = await refused(
        client, '{ site(id: "site-recycler") { inventory(first: 1000000) { nodes { id } } } }'
    )
    assert error["extensions"]["field"] == "first"


async def test_a_hundred_thousand_identifiers_are_refused(client: httpx.AsyncClient) -> None:
    ids = [f"LOT-{i:06d}" for i in range(100_000)]
    error = await refused(client, "query($i: [String!]!) { items(identifiers: $i) { id } }", {"i": ids})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", "identifiers")


async def test_lineage_depth_is_capped(client: httpx.AsyncClient) -> None:
    error = await refused(client, '{ item(identifier: "BM-0001") { lineage(depth: 1000000) { depth } } }')
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", "depth")


@pytest.mark.parametrize(
    "query",
    [
        "{ " + " ".join(["__typename"] * 20_000) + " }",  # tokens
        "{ __typename }" + " " * 200_000,  # length
        "".join(f"# {i}\n" for i in range(5_000)) + "{ __typename }",  # comments
    ],
    ids=["tokens", "length", "comments"],
)
async def test_huge_texts_are_refused_before_parsing_completes(client: httpx.AsyncClient, query: str) -> None:
    error = await refused(client, query)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and "Parsing aborted" in error["message"]


async def test_expensive_fields_draw_on_a_budget_per_request(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        "query($i: [String!]!) { items(identifiers: $i) { history { roles } } }",
        {"i": [battery("C", 1)] * 60},
    )
    items = body["data"]["items"]
    assert sum(1 for i in items if i is not None) == 50
    assert {e["extensions"]["code"] for e in body["errors"]} == {"QUERY_TOO_COMPLEX"}
    assert len(body["errors"]) == 10 and body["errors"][0]["extensions"]["field"] == "history"


async def test_many_operations_in_one_document_are_measured_together(client: httpx.AsyncClient) -> None:
    operations = " ".join(f'query Q{i} {{ a: party(id: "refiner") {{ id }} }}' for i in range(60))
    response = await client.post("/graphql", json={"query": operations, "operationName": "Q1"})
    error = only_error(response.json())
    assert error["extensions"]["details"]["limit"] == "aliases"


async def test_the_introspection_query_of_the_tools_fits_the_limits(client: httpx.AsyncClient) -> None:
    result = await data(client, get_introspection_query(descriptions=True))
    assert result["__schema"]["queryType"]["name"] == "Query"


async def test_a_batch_of_operations_in_one_request_is_not_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 100)
    assert response.status_code == 400


# -- the same limits on a websocket ---------------------------------------------------------------------------------

FEED = 'events_at_site(site_id: "site-refiner", after_position: "0") { position event { event_id } }'
HOSTILE_SUBSCRIPTIONS = {
    "aliases": "subscription { " + " ".join(f"a{i}: {FEED}" for i in range(60)) + " }",
    "depth": 'subscription { events_at_site(site_id: "site-refiner") { event { '
    + "party { licences { party { " * 6
    + "id"
    + " } } }" * 6
    + " } } }",
    "fields": 'subscription { events_at_site(site_id: "site-refiner") { ...F30 } } '
    + "fragment F0 on EventNotice { position }"
    + "".join(f" fragment F{i} on EventNotice {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 31)),
    "length": f"subscription {{ {FEED} }}" + " " * 200_000,
    "tokens": "subscription { " + " ".join(["__typename"] * 20_000) + " }",
    "nesting": "subscription { a " * 2000 + "}" * 2000,
}


async def test_hostile_subscriptions_are_refused_on_the_websocket_which_stays_usable(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Each document is refused at ``subscribe`` with the error HTTP gives for it; the same socket then runs a real
    feed, and the server still answers HTTP."""
    async with (
        ASGIWebSocketTransport(app=app) as transport,
        httpx.AsyncClient(transport=transport, base_url="http://trace.test") as ws_client,
        websocket(ws_client) as ws,
    ):
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json(timeout=QUICK_S))["type"] == "connection_ack"
        for n, (limit, query) in enumerate(HOSTILE_SUBSCRIPTIONS.items()):
            started = time.perf_counter()
            await ws.send_json({"id": str(n), "type": "subscribe", "payload": {"query": query}})
            message = await ws.receive_json(timeout=QUICK_S)
            assert time.perf_counter() - started < QUICK_S, limit
            assert (message["id"], message["type"]) == (str(n), "error"), (limit, message)
            (error,) = message["payload"]
            assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", (limit, error)
            assert error["extensions"]["message_zh"], limit
            over_http = only_error(await gql(client, query))
            assert error["extensions"] == over_http["extensions"], limit
            if "details" in error["extensions"] and error["extensions"]["details"]:
                assert error["extensions"]["details"]["limit"] == limit
        await ws.send_json(
            {"id": "ok", "type": "subscribe", "payload": {"query": f"subscription {{ {FEED} }}"}}
        )
        notices = [await ws.receive_json(timeout=10) for _ in range(2)]
    assert [(m["id"], m["type"]) for m in notices] == [("ok", "next")] * 2
    got = [m["payload"]["data"]["events_at_site"]["event"]["event_id"] for m in notices]
    assert got == ["h3-recv", "t-li"]
    assert await data(client, '{ party(id: "refiner") { id } }') == {"party": {"id": "refiner"}}
