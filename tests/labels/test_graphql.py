"""Labels through GraphQL: the same use case as REST; every QR code decodes to the item's link."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.labels.support import decode_png, labelled, read_pdf

LABEL = """
query Label($id: String!, $format: LabelFileFormat!) {
  item(identifier: $id) { label_link label(format: $format) { content_type filename base64 links } }
}
"""
SHEET = """
query Sheet($ids: [String!]) { label_sheet(identifiers: $ids) { content_type base64 links } }
"""


async def ask(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_an_items_png_label_decodes_to_its_link(client: httpx.AsyncClient) -> None:
    for expected in labelled()[:3] + labelled()[-3:]:
        item = (await ask(client, LABEL, {"id": expected.identifier, "format": "PNG"}))["item"]
        assert item["label_link"] == expected.link
        assert item["label"]["content_type"] == "image/png" and item["label"]["links"] == [expected.link]
        codes = decode_png(base64.b64decode(item["label"]["base64"]))
        assert [c.text for c in codes] == [expected.link]


async def test_a_label_sheet_holds_every_requested_item(client: httpx.AsyncClient) -> None:
    wanted = labelled()
    sheet = (await ask(client, SHEET, {"ids": [w.identifier for w in wanted]}))["label_sheet"]
    assert sheet["content_type"] == "application/pdf"
    assert sheet["links"] == [w.link for w in wanted]
    pages = read_pdf(base64.b64decode(sheet["base64"]))
    assert sorted(c.text for page in pages for c in page.codes) == sorted(w.link for w in wanted)


async def test_unknown_items_get_the_platforms_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": SHEET, "variables": {"ids": ["NO-SUCH-ITEM"]}})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "OBJECT_NOT_FOUND"
