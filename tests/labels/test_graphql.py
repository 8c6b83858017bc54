"""Labels through GraphQL, on both stores: the same use case as REST; every QR code decodes to the item's link; a
sheet chosen by identifiers, by event or by party and period; a bad choice refused exactly as REST refuses it."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.conftest import open_neo4j, open_sqlite
from tests.labels.support import decode_png, labelled, populate, rasterise_svg_qr, read_codes, read_pdf
from tests.world import at, vin

Json = dict[str, Any]

LABEL = """
query Label($id: String!, $format: LabelFileFormat!) {
  item(identifier: $id) { label_link label(format: $format) { content_type filename base64 links } }
}
"""
SHEET = """
query Sheet($ids: [String!], $event: String, $party: String, $start: DateTime, $end: DateTime) {
  label_sheet(identifiers: $ids, event_id: $event, party_id: $party, start: $start, end: $end) {
    content_type filename base64 links
  }
}
"""


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
async def store(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[GraphStore]:
    """The labelled world in a fresh store of each kind (this module's override of the embedded-only one)."""
    opened = await open_sqlite(settings.sqlite_path) if request.param == "sqlite" else await open_neo4j()
    try:
        await populate(opened)
        yield opened
    finally:
        await opened.close()


async def post(client: httpx.AsyncClient, query: str, variables: Json) -> Json:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def ask(client: httpx.AsyncClient, query: str, variables: Json) -> Json:
    body = await post(client, query, variables)
    assert "errors" not in body, body
    data: Json = body["data"]
    return data


async def sheet(client: httpx.AsyncClient, **choice: Any) -> Json:
    """``label_sheet`` with these arguments (by their GraphQL variable names)."""
    result: Json = (await ask(client, SHEET, choice))["label_sheet"]
    return result


def as_variables(body: Json) -> Json:
    """REST's request body as the variables of ``SHEET``."""
    names = {"identifiers": "ids", "event_id": "event", "party_id": "party", "start": "start", "end": "end"}
    return {names[k]: v for k, v in body.items()}


def scanned(pdf_base64: str) -> list[str]:
    """What the QR codes of a PDF say, page by page, as a camera would read them."""
    return [c.text for page in read_pdf(base64.b64decode(pdf_base64)) for c in page.codes]


async def test_an_items_png_label_decodes_to_its_link(client: httpx.AsyncClient) -> None:
    for expected in labelled()[:3] + labelled()[-3:]:
        item = (await ask(client, LABEL, {"id": expected.identifier, "format": "PNG"}))["item"]
        assert item["label_link"] == expected.link
        assert item["label"]["content_type"] == "image/png" and item["label"]["links"] == [expected.link]
        codes = decode_png(base64.b64decode(item["label"]["base64"]))
        assert [c.text for c in codes] == [expected.link]


async def test_an_items_svg_and_pdf_labels_hold_its_link(client: httpx.AsyncClient) -> None:
    expected = labelled()[7]  # a car: /id/vin/…
    svg = (await ask(client, LABEL, {"id": expected.identifier, "format": "SVG"}))["item"]["label"]
    assert svg["content_type"] == "image/svg+xml" and svg["filename"].endswith(".svg")
    (code,) = decode_svg(svg["base64"])
    assert code == expected.link
    pdf = (await ask(client, LABEL, {"id": expected.identifier, "format": "PDF"}))["item"]["label"]
    assert pdf["content_type"] == "application/pdf" and scanned(pdf["base64"]) == [expected.link]


def decode_svg(svg_base64: str) -> list[str]:
    return [c.text for c in read_codes(rasterise_svg_qr(base64.b64decode(svg_base64)))]


async def test_a_label_sheet_holds_every_requested_item(client: httpx.AsyncClient) -> None:
    wanted = labelled()
    result = await sheet(client, ids=[w.identifier for w in wanted])
    assert result["content_type"] == "application/pdf" and result["filename"] == "labels.pdf"
    assert result["links"] == [w.link for w in wanted]
    assert sorted(scanned(result["base64"])) == sorted(w.link for w in wanted)


async def test_a_sheet_of_what_an_event_commissioned(client: httpx.AsyncClient) -> None:
    result = await sheet(client, event="c-car")
    cars_and_batteries = [i.link for i in labelled()[7:12]]
    assert sorted(result["links"]) == sorted(cars_and_batteries) == sorted(scanned(result["base64"]))
    assert result["filename"] == "labels-c-car.pdf"


async def test_a_sheet_of_what_a_party_commissioned_in_a_period(client: httpx.AsyncClient) -> None:
    result = await sheet(client, party="tv-maker", start=at(-1).isoformat(), end=at(10).isoformat())
    tvs = [i.link for i in labelled()[:5]]
    assert sorted(result["links"]) == sorted(tvs) == sorted(scanned(result["base64"]))
    assert result["filename"] == "labels-tv-maker.pdf"
    # the period is half-open and the party's only commission was at hour 0
    empty = await post(
        client, SHEET, {"party": "tv-maker", "start": at(0.5).isoformat(), "end": at(10).isoformat()}
    )
    assert empty["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        ({}, "identifiers"),
        ({"identifiers": [vin(1)], "event_id": "c-car"}, "event_id"),
        ({"event_id": "c-car", "party_id": "tv-maker"}, "party_id"),
        ({"party_id": "tv-maker", "start": at(0).isoformat()}, "end"),
        ({"party_id": "tv-maker", "end": at(0).isoformat()}, "start"),
        ({"event_id": "c-car", "end": at(0).isoformat()}, "end"),
    ],
    ids=["nothing", "identifiers-and-event", "event-and-party", "no-end", "no-start", "period-without-party"],
)
async def test_a_bad_choice_is_refused_exactly_as_rest_refuses_it(
    client: httpx.AsyncClient, choice: Json, field: str
) -> None:
    rest = await client.post("/api/v1/labels", json=choice)
    assert rest.status_code == 422, rest.text
    body = await post(client, SHEET, as_variables(choice))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == rest.json()["error"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", field)
    assert error["message"] == error["extensions"]["message"]


@pytest.mark.parametrize(
    ("choice", "code", "field"),
    [
        ({"identifiers": ["NO-SUCH-ITEM"]}, "OBJECT_NOT_FOUND", "identifiers[0]"),
        ({"event_id": "never"}, "EVENT_NOT_FOUND", "event_id"),
        (
            {"party_id": "nobody", "start": at(0).isoformat(), "end": at(1).isoformat()},
            "PARTY_NOT_FOUND",
            "party_id",
        ),
    ],
    ids=["identifier", "event", "party"],
)
async def test_what_does_not_exist_is_rests_error(
    client: httpx.AsyncClient, choice: Json, code: str, field: str
) -> None:
    rest = await client.post("/api/v1/labels", json=choice)
    assert rest.status_code == 404, rest.text
    (error,) = (await post(client, SHEET, as_variables(choice)))["errors"]
    assert error["extensions"] == rest.json()["error"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field)
