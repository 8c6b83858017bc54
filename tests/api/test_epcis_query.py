"""``GET /epcis/events``: recorded events queried through the real app, on both stores, as EPCIS 2.0 query documents
that pass the official JSON Schema (with the strict formats of ``tests/domain/test_epcis.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from retrace.api.app import create_app
from retrace.app.epcis_query import EpcisQueries, parse_query
from retrace.app.ports import GraphStore
from retrace.config import Settings
from retrace.domain import errors as codes
from retrace.domain.epcis import event_uri
from tests.api import payloads as p
from tests.domain.test_epcis import assert_valid
from tests.world import digital_link, sgtin_hex, sgtin_urn

TV = digital_link(1001)
TV_URN = sgtin_urn(1001)  # the same TV, in another form
TV2_HEX = sgtin_hex(1002)
UUID_ID = (
    "4E2F1A2C-0000-4000-8000-000000000001"  # an event id that is a UUID: its eventID is urn:uuid:<lower>
)

FIRST_BATCH = [*p.tv_life(TV), p.commission("tv2-c", 0.5, TV2_HEX)]
SECOND_BATCH = [
    p.ship("tv2-s", 1.5, "maker", "collector", TV2_HEX),
    {
        "type": "correct",
        "event_id": "tv2-x",
        "event_time": p.at(2.5),
        "site_id": "site-maker",
        "party_id": "maker",
        "target_event_id": "tv2-s",
        "reason": "shipped to the wrong collector",
    },
    p.commission(UUID_ID, 9, "internal:TV-UUID-1"),
]
EVENT_TIMES = {e["event_id"]: datetime.fromisoformat(e["event_time"]) for e in FIRST_BATCH + SECOND_BATCH}
ALL = sorted(EVENT_TIMES, key=lambda i: (EVENT_TIMES[i], i))
SHIPS = {"tv-s1", "tv-s2", "cu-s", "tv2-s"}
RECEIVES = {"tv-r1", "tv-r2", "cu-r"}
TV_EVENTS = {"tv-c", "tv-s1", "tv-r1", "tv-s2", "tv-r2", "tv-d"}


@pytest.fixture
async def client(store: GraphStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(sqlite_path=tmp_path / "unused.db"), store=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
        yield c


@pytest.fixture
async def recorded(client: httpx.AsyncClient) -> datetime:
    """The world recorded in two batches; the time between them (every event of the second was recorded after)."""
    assert (await client.post("/api/v1/registry", json=p.registry())).status_code == 200
    first = await client.post("/api/v1/events", json={"events": FIRST_BATCH})
    assert first.status_code == 201, first.text
    await asyncio.sleep(0.01)
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    second = await client.post("/api/v1/events", json={"events": SECOND_BATCH})
    assert second.status_code == 201, second.text
    return between


def ours(event: dict[str, Any]) -> str:
    """Our id of the recorded event an EPCIS event stands for (a correction: the correction's)."""
    declaration = event.get("errorDeclaration")
    return str((declaration or event)["retrace:eventId"])


async def query(client: httpx.AsyncClient, **params: str) -> list[str]:
    """Every event the query selects, walking all pages; checks each document on the way."""
    found: list[str] = []
    url: str | None = "/epcis/events?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        document = response.json()
        assert_valid(document)
        assert document["type"] == "EPCISQueryDocument"
        assert document["schemaVersion"] == "2.0"
        found += [ours(e) for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
        link = response.headers.get("link")
        url = None
        if link is not None:
            assert link.endswith('>; rel="next"')
            url = link[1 : link.index(">")]
    return found


async def test_paging_walks_every_event_once_in_time_order(
    client: httpx.AsyncClient, recorded: datetime
) -> None:
    found = await query(client, perPage="4")
    # the correction comes out as the shipment it declares erroneous, sent again with an errorDeclaration
    assert found == ALL


async def test_one_page_holds_at_most_per_page_events_and_links_to_the_next(
    client: httpx.AsyncClient, recorded: datetime
) -> None:
    response = await client.get("/epcis/events?perPage=5&EQ_bizStep=shipping|receiving")
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 5
    assert "EQ_bizStep=shipping" in response.headers["link"]  # the next page keeps the query
    assert response.headers["content-type"] == "application/ld+json"
    last = await client.get("/epcis/events?perPage=1000")
    assert "link" not in last.headers
    assert len(last.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == len(ALL)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"eventType": "TransformationEvent"}, {"tv-d", "cu-t"}),
        ({"eventType": "AggregationEvent"}, set()),
        ({"eventType": "ObjectEvent|TransformationEvent"}, set(ALL)),
        ({"EQ_bizStep": "shipping"}, SHIPS | {"tv2-x"}),
        (
            {"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-receiving|urn:epcglobal:cbv:bizstep:shipping"},
            SHIPS | RECEIVES | {"tv2-x"},
        ),
        ({"EQ_disposition": "in_transit"}, SHIPS | {"tv2-x"}),
        (
            {"EQ_disposition": "https://ref.gs1.org/cbv/Disp-active"},
            {"tv-c", "tv2-c", UUID_ID, "tv-d", "cu-t"},
        ),
        ({"GE_eventTime": p.at(3), "LT_eventTime": p.at(5)}, {"tv-s2", "tv-r2"}),
        ({"GE_eventTime": p.at(8)}, {"cu-t", UUID_ID}),
        # the correction tv2-x, declared at 2.5, shows the shipment at 1.5: outside the period
        ({"GE_eventTime": p.at(2), "LT_eventTime": p.at(3)}, {"tv-r1"}),
        ({"GE_eventTime": p.at(1), "LT_eventTime": p.at(3)}, {"tv-s1", "tv2-s", "tv-r1", "tv2-x"}),
        ({"LT_eventTime": "2026-03-02T02:00:00Z"}, {"tv-c", "tv2-c"}),  # 10:00 China Standard Time
        ({"EQ_readPoint": "urn:retrace:site:site-dismantler"}, {"tv-r2", "tv-d", "cu-s"}),
        ({"EQ_bizLocation": "urn:retrace:site:site-dismantler"}, {"tv-r2", "tv-d"}),  # a ship has none
        ({"EQ_readPoint": "urn:retrace:site:nowhere"}, set()),
        ({"EQ_readPoint": "https://example.com/site/site-dismantler"}, set()),
        (
            {
                "EQ_readPoint": "urn:retrace:site:site-collector",
                "EQ_bizLocation": "urn:retrace:site:site-maker",
            },
            set(),
        ),
        ({"MATCH_anyEPC": TV_URN}, TV_EVENTS),
        ({"MATCH_anyEPC": TV}, TV_EVENTS),
        ({"MATCH_epc": TV_URN}, TV_EVENTS - {"tv-d"}),  # the disassembly names it as an input
        ({"MATCH_anyEPC": "urn:retrace:lot:CU-1"}, {"tv-d", "cu-s", "cu-r", "cu-t"}),
        ({"MATCH_anyEPC": "internal:CU-1"}, {"tv-d", "cu-s", "cu-r", "cu-t"}),
        ({"MATCH_epc": "CU-1"}, set()),  # a lot is in quantity lists, never in epcList
        ({"MATCH_anyEPC": "urn:retrace:internal:TV-UUID-1"}, {UUID_ID}),
        ({"MATCH_anyEPC": TV2_HEX}, {"tv2-c", "tv2-s", "tv2-x"}),
        ({"MATCH_anyEPC": sgtin_urn(9999)}, set()),  # a valid EPC that names nothing recorded
        ({"MATCH_epc": TV_URN, "MATCH_anyEPC": TV2_HEX}, set()),
        (
            {
                "eventType": "ObjectEvent",
                "EQ_bizStep": "receiving",
                "EQ_readPoint": "urn:retrace:site:site-collector",
            },
            {"tv-r1"},
        ),
        ({"MATCH_anyEPC": TV, "EQ_bizStep": "shipping", "perPage": "1"}, {"tv-s1", "tv-s2"}),
    ],
)
async def test_filters_select_exactly_the_matching_events(
    client: httpx.AsyncClient, recorded: datetime, params: dict[str, str], expected: set[str]
) -> None:
    found = await query(client, **{"perPage": "3", **params})
    assert len(found) == len(set(found))
    assert set(found) == expected


async def test_record_time_filters(client: httpx.AsyncClient, recorded: datetime) -> None:
    second = {e["event_id"] for e in SECOND_BATCH}
    assert set(await query(client, GE_recordTime=recorded.isoformat())) == second
    assert set(await query(client, LT_recordTime=recorded.isoformat())) == set(ALL) - second
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await query(client, GE_recordTime=future) == []


async def test_a_corrected_event_is_sent_again_with_its_error_declaration(
    client: httpx.AsyncClient, recorded: datetime
) -> None:
    response = await client.get("/epcis/events?MATCH_anyEPC=" + quote(TV2_HEX))
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    shipped, declared = (e for e in events if e["bizStep"] == "shipping")
    assert "errorDeclaration" not in shipped
    assert declared["eventID"] == shipped["eventID"] == event_uri("tv2-s")
    assert declared["errorDeclaration"]["reason"] == "did_not_occur"


async def _walk(queries: EpcisQueries, params: list[tuple[str, str]]) -> tuple[list[str], list[int]]:
    """Every page of a query: the events found (our ids) and each page's size."""
    token, found, sizes = None, [], []
    while True:
        page = await queries.events(parse_query(params + ([("nextPageToken", token)] if token else [])))
        found += [ours(e) for e in page.events]
        sizes.append(len(page.events))
        if page.next_page_token is None:
            return found, sizes
        token = page.next_page_token


async def test_a_residual_filter_pages_through_a_bounded_scan(
    store: GraphStore, client: httpx.AsyncClient, recorded: datetime
) -> None:
    """Record time is checked on what the store lists: with a scan of at most 2 stored events a page, a selective
    record-time filter gives short (even empty) pages that still link on, and walking them finds exactly the
    matching events."""
    after = [("GE_recordTime", recorded.isoformat()), ("perPage", "2")]
    found, sizes = await _walk(EpcisQueries(store, scan_limit=2), after)
    second = [e["event_id"] for e in SECOND_BATCH]
    assert sorted(found) == sorted(second) and len(found) == len(set(found))
    assert 0 in sizes and len(sizes) > 2


async def test_event_type_business_step_and_disposition_narrow_the_stores_listing(
    store: GraphStore, client: httpx.AsyncClient, recorded: datetime
) -> None:
    """They are served by the store (the event types whose EPCIS shape can meet them), so even a scan of 2 stored
    events a page fills its pages: nothing else is read."""
    queries = EpcisQueries(store, scan_limit=2)
    found, sizes = await _walk(queries, [("eventType", "TransformationEvent"), ("perPage", "2")])
    assert found == ["tv-d", "cu-t"] and sizes[0] == 2
    type_of = {e["event_id"]: e["type"] for e in [*FIRST_BATCH, *SECOND_BATCH]}
    shipped, sizes = await _walk(queries, [("EQ_bizStep", "shipping"), ("perPage", "1")])
    # Shipments, and the correction of one (shown as the shipment it declares erroneous).
    assert {type_of[e] for e in shipped} == {"ship", "correct"}
    assert {e for e, kind in type_of.items() if kind == "ship"} <= set(shipped)
    assert all(
        size == 1 for size in sizes[:-1]
    )  # full pages: the store listed only shipments (and corrections)


@pytest.mark.parametrize(
    ("query_string", "code", "field"),
    [
        ("foo=1", codes.VALIDATION_ERROR, "foo"),
        ("EQ_action=ADD", codes.VALIDATION_ERROR, "EQ_action"),  # standard, but not supported here
        ("perPage=0", codes.VALIDATION_ERROR, "perPage"),
        ("perPage=1001", codes.VALIDATION_ERROR, "perPage"),
        ("perPage=ten", codes.VALIDATION_ERROR, "perPage"),
        ("GE_eventTime=2026-03-02T09:00:00", codes.VALIDATION_ERROR, "GE_eventTime"),
        ("LT_recordTime=yesterday", codes.VALIDATION_ERROR, "LT_recordTime"),
        ("eventType=ObjectEvent|FooEvent", codes.VALIDATION_ERROR, "eventType"),
        ("EQ_bizStep=shipping&EQ_bizStep=receiving", codes.VALIDATION_ERROR, "EQ_bizStep"),
        ("EQ_disposition=active||destroyed", codes.VALIDATION_ERROR, "EQ_disposition"),
        ("EQ_readPoint=urn:retrace:site:a|urn:retrace:site:b", codes.VALIDATION_ERROR, "EQ_readPoint"),
        ("MATCH_epc=", codes.VALIDATION_ERROR, "MATCH_epc"),
        ("MATCH_anyEPC=LFV3A21K0D401094", codes.INVALID_IDENTIFIER, "MATCH_anyEPC"),  # a VIN one short
        ("nextPageToken=not-a-token", codes.VALIDATION_ERROR, "nextPageToken"),
    ],
)
async def test_bad_parameters_are_refused_naming_the_parameter(
    client: httpx.AsyncClient, recorded: datetime, query_string: str, code: str, field: str
) -> None:
    response = await client.get(f"/epcis/events?{query_string}")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"] and error["message_zh"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tv-d", "tv-d"),
        (event_uri(UUID_ID), UUID_ID),
        (UUID_ID, UUID_ID),
        ("tv2-x", "tv2-x"),  # the correction: the shipment again, with its error declaration
    ],
)
async def test_one_event_by_id(
    client: httpx.AsyncClient, recorded: datetime, path: str, expected: str
) -> None:
    response = await client.get(
        f"/epcis/events/{quote(path, safe='')}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert_valid(document)
    (event,) = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert ours(event) == expected


async def test_an_unknown_event_is_404(client: httpx.AsyncClient, recorded: datetime) -> None:
    response = await client.get("/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == codes.EVENT_NOT_FOUND
