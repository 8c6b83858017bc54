"""Live feeds over a websocket (graphql-transport-ws), through the real app on both stores: new events at a site,
for a party and for an item; resuming after a position; errors; and a feed on one app instance seeing what another
instance (another worker, with its own connection to the store) recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx_ws import AsyncWebSocketSession
from httpx_ws.transport import ASGIWebSocketTransport

from retrace.api.app import create_app
from retrace.api.schemas.events import event_view
from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.contract.test_event_log import another_connection
from tests.graphql.conftest import data, websocket
from tests.graphql.world import RECORD, REGISTER, chain_inputs, registration_input
from tests.world import battery, battery_chain

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]
WAIT_S = 10.0


NOTICE = "position event { event_id type site_id party_id }"


class Feed:
    """One websocket with subscriptions ``"1"``, ``"2"`` … started; messages are sorted by subscription."""

    def __init__(self, ws: AsyncWebSocketSession) -> None:
        self.ws = ws
        self.pending: dict[str, list[Json]] = {}

    async def message(self, sid: str = "1") -> Json:
        while not self.pending.get(sid):
            message = await self.ws.receive_json(timeout=WAIT_S)
            self.pending.setdefault(message.get("id", ""), []).append(message)
        return self.pending[sid].pop(0)

    async def notices(self, count: int, sid: str = "1") -> list[Json]:
        out: list[Json] = []
        while len(out) < count:
            message = await self.message(sid)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message["payload"]
            out.append(message["payload"]["data"])
        return out


@asynccontextmanager
async def feed(app: FastAPI, *subscriptions: tuple[str, Json]) -> AsyncIterator[Feed]:
    """A websocket to ``app`` with the subscriptions started (after the server acknowledged the connection)."""
    async with (
        ASGIWebSocketTransport(app=app) as transport,
        httpx.AsyncClient(transport=transport, base_url="http://trace.test") as client,
        websocket(client) as ws,
    ):
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json(timeout=WAIT_S))["type"] == "connection_ack"
        for n, (query, variables) in enumerate(subscriptions, start=1):
            payload = {"query": query, "variables": variables}
            await ws.send_json({"id": str(n), "type": "subscribe", "payload": payload})
        yield Feed(ws)


async def settle() -> None:
    """Let the subscription reach its first read of the log before events are recorded."""
    await asyncio.sleep(0.3)


async def test_events_at_a_site_arrive_as_they_are_recorded(
    app: FastAPI, registered: httpx.AsyncClient
) -> None:
    chain = chain_inputs()
    async with feed(
        app, (f'subscription {{ events_at_site(site_id: "site-recycler") {{ {NOTICE} }} }}', {})
    ) as ws:
        await settle()
        await data(registered, RECORD, {"events": chain[:13]})  # up to the recycler's receipt of the pack
        first = await ws.notices(1)
        await data(registered, RECORD, {"events": chain[13:]})
        rest = await ws.notices(5)
    got = [n["events_at_site"] for n in first + rest]
    assert [n["event"]["event_id"] for n in got] == ["h2-recv", "d-pack", "d-m1", "d-m2", "t-bm", "h3-ship"]
    assert {n["event"]["site_id"] for n in got} == {"site-recycler"}
    positions = [int(n["position"]) for n in got]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


async def test_events_for_a_party_and_for_an_item(app: FastAPI, registered: httpx.AsyncClient) -> None:
    chain = chain_inputs()
    await data(registered, RECORD, {"events": chain[:5]})  # the pack exists: it can be named
    # Two subscriptions on one connection (the protocol multiplexes them).
    async with feed(
        app,
        (f'subscription {{ events_for_party(party_id: "dismantler") {{ {NOTICE} }} }}', {}),
        (
            f"subscription($i: String!) {{ events_for_item(identifier: $i) {{ {NOTICE} }} }}",
            {"i": battery("P", 1)},
        ),
    ) as ws:
        await settle()
        await data(registered, RECORD, {"events": chain[5:]})
        party_events = [n["events_for_party"]["event"]["event_id"] for n in await ws.notices(3, "1")]
        item_events = [n["events_for_item"]["event"]["event_id"] for n in await ws.notices(7, "2")]
    assert party_events == ["h1-recv", "d-car", "h2-ship"]
    assert item_events == ["a-pack", "a-car", "h1-ship", "h1-recv", "d-car", "h2-ship", "h2-recv"]


async def test_a_feed_resumes_after_a_position_without_missing_anything(
    app: FastAPI, registered: httpx.AsyncClient
) -> None:
    await data(registered, RECORD, {"events": chain_inputs()})
    query = f'subscription($p: String) {{ events_at_site(site_id: "site-refiner", after_position: $p) {{ {NOTICE} }} }}'
    async with feed(app, (query, {"p": "0"})) as ws:
        both = [n["events_at_site"] for n in await ws.notices(2)]
    assert [n["event"]["event_id"] for n in both] == ["h3-recv", "t-li"]
    async with feed(app, (query, {"p": both[0]["position"]})) as ws:
        (last,) = [n["events_at_site"] for n in await ws.notices(1)]
    assert last == both[1]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ('subscription { events_at_site(site_id: "nowhere") { position } }', "SITE_NOT_FOUND", "site_id"),
        ('subscription { events_for_party(party_id: "nobody") { position } }', "PARTY_NOT_FOUND", "party_id"),
        (
            'subscription { events_for_item(identifier: "NO-SUCH-LOT") { position } }',
            "OBJECT_NOT_FOUND",
            "identifier",
        ),
        (
            'subscription { events_at_site(site_id: "site-recycler", after_position: "-1") { position } }',
            "VALIDATION_ERROR",
            "after_position",
        ),
    ],
)
async def test_a_feed_that_cannot_start_says_why(
    app: FastAPI, registered: httpx.AsyncClient, query: str, code: str, field: str
) -> None:
    async with feed(app, (query, {})) as ws:
        message = await ws.message()
        assert message["type"] == "next"
        (error,) = message["payload"]["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field)
        assert (await ws.message())["type"] == "complete"


async def test_a_document_that_is_not_valid_is_refused_at_subscribe(app: FastAPI) -> None:
    async with feed(app, ("subscription { events_at_site { position } }", {})) as ws:
        message = await ws.message()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "QUERY_INVALID"


async def test_a_feed_sees_what_another_worker_records(
    app: FastAPI, registered: httpx.AsyncClient, store: GraphStore, tmp_path: Path
) -> None:
    """Two app instances, each with its own store connection (as two `trace serve` workers): the feed on the first
    sees events recorded through the REST API of the second, which it could only learn from the store."""
    async with another_connection(store) as other_store:
        other = create_app(Settings(sqlite_path=tmp_path / "trace.db"), store=other_store)
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://worker-2") as rest,
            feed(app, (f'subscription {{ events_for_party(party_id: "refiner") {{ {NOTICE} }} }}', {})) as ws,
        ):
            await settle()
            body = {"events": [event_view(e).model_dump(mode="json") for e in battery_chain()]}
            response = await rest.post("/api/v1/events", json=body)
            assert response.status_code == 201, response.text
            got = [n["events_for_party"]["event"]["event_id"] for n in await ws.notices(2)]
    assert got == ["h3-recv", "t-li"]


async def test_one_websocket_runs_at_most_20_subscriptions(
    app: FastAPI, registered: httpx.AsyncClient
) -> None:
    query = 'subscription { events_at_site(site_id: "site-recycler") { position } }'
    async with feed(app, *[(query, {})] * 21) as ws:
        refused = await ws.message("21")
    assert refused["type"] == "error" and refused["payload"][0]["message"] == "Subscription limit reached"


async def test_a_rest_capture_wakes_a_feed_of_the_same_process_at_once(
    store: GraphStore, tmp_path: Path
) -> None:
    """With a poll interval far beyond the wait, the notice can only come from the capture use case's signal: a
    REST capture (not only a GraphQL mutation) wakes this process's feeds."""
    slow = create_app(Settings(sqlite_path=tmp_path / "trace.db", feed_poll_interval_s=60.0), store=store)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slow), base_url="http://trace.test"
    ) as rest:
        await data(rest, REGISTER, {"input": registration_input()})
        async with feed(
            slow, (f'subscription {{ events_for_party(party_id: "refiner") {{ {NOTICE} }} }}', {})
        ) as ws:
            await settle()
            body = {"events": [event_view(e).model_dump(mode="json") for e in battery_chain()]}
            response = await rest.post("/api/v1/events", json=body)
            assert response.status_code == 201, response.text
            got = [n["events_for_party"]["event"]["event_id"] for n in await ws.notices(2)]
    assert got == ["h3-recv", "t-li"]
