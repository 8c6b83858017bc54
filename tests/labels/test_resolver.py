"""Labels printed through the REST API, decoded with a real decoder and resolved back through the real app."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData, Registration
from retrace.domain.events import Commission, NewItem
from retrace.domain.model import ProductModel, Stream
from tests.labels.support import (
    FRIDGE_NAME,
    RESOLVER,
    YUEHUA_ZH,
    Labelled,
    decode_png,
    fridge_link,
    labelled,
    read_pdf,
)
from tests.world import NOW, at, digital_link, vin

pytestmark = pytest.mark.asyncio

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what Chrome sends
JSON = {"accept": "application/json"}
LINKSET = {"accept": "application/linkset+json"}


async def item_id(client: httpx.AsyncClient, identifier: str) -> str:
    response = await client.get(f"/api/v1/items/{quote(identifier, safe=':/')}")
    assert response.status_code == 200, response.text
    value: str = response.json()["id"]
    return value


async def resolves_to(client: httpx.AsyncClient, link: str, expected_id: str) -> dict[str, Any]:
    """``link`` answers JSON about ``expected_id`` and an HTML page, as a scanner and a phone would ask."""
    as_json = await client.get(link, headers=JSON)
    assert as_json.status_code == 200, (link, as_json.text)
    body: dict[str, Any] = as_json.json()
    assert body["item"]["id"] == expected_id
    assert body["anchor"] == link
    as_html = await client.get(link, headers=HTML)
    assert as_html.status_code == 200 and as_html.headers["content-type"].startswith("text/html")
    assert "再生资源追溯" in as_html.text and body["item"]["status"] in ("active", "in_transit")
    return body


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code and error["message"] and error["message_zh"]
    assert set(error) == {"code", "message", "message_zh", "field", "details"}
    return error


# -- print, decode, resolve ---------------------------------------------------------------------------------------


async def test_a_pdf_sheet_from_the_api_decodes_and_every_code_resolves_to_its_item(
    client: httpx.AsyncClient,
) -> None:
    items = labelled()
    response = await client.post("/api/v1/labels", json={"identifiers": [i.identifier for i in items]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "labels.pdf" in response.headers["content-disposition"]
    decoded = [code.text for page in read_pdf(response.content) for code in page.codes]
    assert sorted(decoded) == sorted(i.link for i in items)
    by_link = {i.link: i for i in items}
    for text in decoded:
        await resolves_to(client, text, await item_id(client, by_link[text].identifier))


@pytest.mark.parametrize("index", range(len(labelled())))
async def test_each_png_label_from_the_api_decodes_and_resolves(
    client: httpx.AsyncClient, index: int
) -> None:
    item = labelled()[index]
    response = await client.get(f"/api/v1/items/{quote(item.identifier, safe=':/')}/label.png")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    (code,) = decode_png(response.content)
    assert code.text == item.link
    await resolves_to(client, code.text, await item_id(client, item.identifier))


async def test_many_labels_drawn_at_once_all_scan(client: httpx.AsyncClient) -> None:
    """Labels are drawn in a thread pool: concurrent requests must not garble each other's images."""
    items = labelled() * 2
    responses = await asyncio.gather(
        *(client.get(f"/api/v1/items/{quote(i.identifier, safe=':/')}/label.png") for i in items)
    )
    assert [[c.text for c in decode_png(r.content)] for r in responses] == [[i.link] for i in items]


async def test_svg_and_single_pdf_labels(client: httpx.AsyncClient) -> None:
    item = labelled()[7]  # a car: /id/vin/…
    svg = await client.get(f"/api/v1/items/{item.identifier}/label.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert item.link.encode() in svg.content
    pdf = await client.get(f"/api/v1/items/{item.identifier}/label.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    ((code,),) = [page.codes for page in read_pdf(pdf.content)]
    assert code.text == item.link


async def test_sheets_by_event_and_by_party_and_period(client: httpx.AsyncClient) -> None:
    cars = await client.post("/api/v1/labels", json={"event_id": "c-car"})
    assert cars.status_code == 200, cars.text
    assert sorted(c.text for p in read_pdf(cars.content) for c in p.codes) == sorted(
        i.link for i in labelled()[7:12]
    )
    period = {"party_id": "tv-maker", "start": at(-1).isoformat(), "end": at(10).isoformat()}
    tvs = await client.post("/api/v1/labels", json=period)
    assert tvs.status_code == 200, tvs.text
    assert sorted(c.text for p in read_pdf(tvs.content) for c in p.codes) == sorted(
        i.link for i in labelled()[:5]
    )
    later = {**period, "start": at(0.5).isoformat()}
    error_of(await client.post("/api/v1/labels", json=later), 422, "VALIDATION_ERROR")  # nothing to print


async def test_label_requests_fail_clearly(client: httpx.AsyncClient) -> None:
    error = error_of(await client.get("/api/v1/items/NOPE-0001/label.png"), 404, "OBJECT_NOT_FOUND")
    assert error["field"] == "identifier"
    error = error_of(await client.get(f"/api/v1/items/{vin(1)[:-1]}/label.png"), 422, "INVALID_IDENTIFIER")
    assert error["field"] == "identifier"
    bad = await client.post("/api/v1/labels", json={"identifiers": [vin(1), "NOPE-0001"]})
    assert error_of(bad, 404, "OBJECT_NOT_FOUND")["field"] == "identifiers[1]"
    both = await client.post("/api/v1/labels", json={"identifiers": [vin(1)], "event_id": "c-car"})
    error_of(both, 422, "VALIDATION_ERROR")
    no_end = await client.post("/api/v1/labels", json={"party_id": "tv-maker", "start": at(0).isoformat()})
    error_of(no_end, 422, "VALIDATION_ERROR")
    error_of(await client.post("/api/v1/labels", json={"event_id": "nope"}), 404, "EVENT_NOT_FOUND")
    nobody = {"party_id": "nobody", "start": at(0).isoformat(), "end": at(1).isoformat()}
    error_of(await client.post("/api/v1/labels", json=nobody), 404, "PARTY_NOT_FOUND")
    too_many = await client.post("/api/v1/labels", json={"identifiers": [vin(1)] * 1001})
    assert error_of(too_many, 413, "BATCH_TOO_LARGE")["details"]["max_labels"] == 1000


# -- the resolver ---------------------------------------------------------------------------------------------------


async def test_json_carries_the_passport_holder_history_and_gs1_links(client: httpx.AsyncClient) -> None:
    link = labelled()[5].link  # a fridge: Chinese model name, producer with a Chinese name
    body = await resolves_to(client, link, await item_id(client, fridge_link(1)))
    passport = body["passport"]
    assert passport["model_name"] == FRIDGE_NAME and passport["gtin"] == "09521001202169"
    assert passport["producer"]["name_zh"] == YUEHUA_ZH and passport["composition_kg"] == {"ferrous": 24.6}
    assert body["holder"]["id"] == "yuehua" and body["site"]["name_zh"] == "顺德生产基地"
    assert [e["type"] for e in body["recent_events"]] == ["commission"] and body["event_count"] == 1
    assert body["canonical_link"] == link
    (context,) = body["linkset"]
    assert context["anchor"] == link and context["description"] == FRIDGE_NAME
    relations = {rel.removeprefix("https://gs1.org/voc/") for rel in context if rel.startswith("https://")}
    assert {"defaultLink", "pip", "masterData", "traceability"} <= relations
    for rel, targets in context.items():
        if rel.startswith("https://"):
            for target in targets:
                assert target["href"].startswith(RESOLVER) and target["type"] and target["title"]
                assert target["title*"][0]["language"] == "zh"
    history = next(
        t["href"] for t in context["https://gs1.org/voc/traceability"] if t["href"].endswith("/history")
    )
    followed = await client.get(history)
    assert followed.status_code == 200 and followed.json()["item"]["id"] == body["item"]["id"]


async def test_the_linkset_alone_for_linkset_clients_and_link_type_all(client: httpx.AsyncClient) -> None:
    link = labelled()[0].link
    for response in (await client.get(link, headers=LINKSET), await client.get(f"{link}?linkType=all")):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/linkset+json"
        (context,) = response.json()["linkset"]
        assert context["anchor"] == link
        assert "https://gs1.org/voc/traceability" in context
    linkset = await client.get(f"{link}?linkType=linkset", headers=HTML)
    assert linkset.headers["content-type"] == "application/linkset+json"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),  # the GS1 default link: the page
        ("*/*", "text/html"),
        ("text/html", "text/html"),
        (HTML["accept"], "text/html"),
        ("application/json", "application/json"),
        ("application/json, */*;q=0.5", "application/json"),
        ("text/html;q=0.5, application/json", "application/json"),
        ("application/*", "application/json"),
        ("application/linkset+json", "application/linkset+json"),
        ("application/linkset+json, application/json;q=0.9", "application/linkset+json"),
        ("text/html;q=0, */*", "application/json"),
    ],
)
async def test_content_negotiation(client: httpx.AsyncClient, accept: str | None, expected: str) -> None:
    link = labelled()[8].link
    headers = {"accept": accept} if accept is not None else {}
    request = client.build_request("GET", link, headers=headers)
    if accept is None:
        del request.headers["accept"]
    response = await client.send(request)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["vary"] == "Accept"
    assert response.headers["access-control-allow-origin"] == "*"
    assert (
        'rel="linkset"' in response.headers["link"] and "https://gs1.org/voc/pip" in response.headers["link"]
    )


async def test_nothing_acceptable_is_406(client: httpx.AsyncClient) -> None:
    response = await client.get(labelled()[8].link, headers={"accept": "image/png"})
    error = error_of(response, 406, "NOT_ACCEPTABLE")
    assert "application/json" in error["details"]["available"]


async def test_link_types_choose_a_link(client: httpx.AsyncClient) -> None:
    link = labelled()[1].link
    page = await client.get(f"{link}?linkType=gs1:pip", headers=JSON)
    assert page.headers["content-type"].startswith("text/html")
    data = await client.get(f"{link}?linkType=https://gs1.org/voc/masterData", headers=HTML)
    assert data.headers["content-type"] == "application/json" and data.json()["passport"]["model_id"] == "tv"
    moved = await client.get(f"{link}?linkType=gs1:traceability")
    assert moved.status_code == 307
    assert moved.headers["location"] == f"{RESOLVER}/api/v1/items/{link}/history"
    history = await client.get(moved.headers["location"])
    assert history.json()["item"]["id"] == data.json()["item"]["id"]
    unknown = await client.get(f"{link}?linkType=gs1:recipeInfo", headers=JSON)
    assert unknown.status_code == 200 and unknown.headers["content-type"] == "application/json"


async def test_a_container_answers_like_an_item_page_json_and_linkset(client: httpx.AsyncClient) -> None:
    for item in labelled()[-2:]:  # the cage (SSCC) and the crate (GRAI)
        body = await resolves_to(client, item.link, await item_id(client, item.identifier))
        assert body["canonical_link"] == item.link
        linkset = await client.get(item.link, headers=LINKSET)
        assert linkset.status_code == 200 and linkset.headers["content-type"] == "application/linkset+json"
        (context,) = linkset.json()["linkset"]
        assert context["anchor"] == item.link and "https://gs1.org/voc/traceability" in context
        history = await client.get(item.link + "?linkType=gs1:traceability", follow_redirects=True)
        assert history.status_code == 200 and history.json()  # the event history, through the REST API
        head = await client.head(item.link)
        assert head.status_code == 200 and head.content == b"" and "linkset" in head.headers["link"]
        preflight = await client.options(item.link, headers={"origin": "https://scanner.example"})
        assert preflight.status_code == 204


async def test_a_cage_is_found_from_its_label_its_rfid_tag_and_its_urn_alike(
    client: httpx.AsyncClient,
) -> None:
    from retrace.domain.identifiers import EpcCoding, EpcHex

    cage = labelled()[-2]
    tag = EpcHex.encode(cage.identifier, EpcCoding.SSCC_96, 2).hex
    ids = {await item_id(client, i) for i in (cage.identifier, cage.link, f"epc:{tag}")}
    assert len(ids) == 1
    (code,) = decode_png((await client.get(f"/api/v1/items/epc:{tag}/label.png")).content)
    assert code.text == cage.link


async def test_head_and_cors_preflight(client: httpx.AsyncClient) -> None:
    link = labelled()[9].link
    head = await client.head(link, headers=JSON)
    assert head.status_code == 200 and head.content == b""
    assert "https://gs1.org/voc/traceability" in head.headers["link"]
    missing = await client.head(f"{RESOLVER}/id/vin/{vin(3)}")
    assert missing.status_code == 404 and missing.content == b""
    preflight = await client.options(
        link, headers={"origin": "https://scanner.example", "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/01/80614141123459/21/1", "check digit"),  # the GTIN's check digit is 8
        ("/01/80614141123458", "serial"),
        ("/01/80614141123458/10/LOT-1", "serial"),
        ("/01/80614141123458/21/A%20B", "AI (21)"),
        (f"/id/vin/{vin(1)[:8]}Z{vin(1)[9:]}", "check digit"),
        ("/id/gbt34014/0A1PE05", "24 characters"),
        ("/id/epc/3074257BF7194E4000001A85", "unknown scheme"),
        ("/00/106141412345678907", "check digit"),  # the SSCC's check digit is 8
        ("/00/1061414123456789", "AI (00)"),
        ("/8003/00614141123453A%2F7", "check digit"),  # the GRAI's check digit is 2
        ("/8003/00614141123452", "serial"),  # a kind of crate, not one
    ],
)
async def test_a_malformed_link_is_400_in_the_platform_error_shape(
    client: httpx.AsyncClient, path: str, fragment: str
) -> None:
    error = error_of(await client.get(path, headers=JSON), 400, "INVALID_LINK")
    assert fragment in error["message"] and error["field"] == "path" and error["details"]["path"] == path
    page = await client.get(path, headers=HTML)  # a person who scanned it gets a page saying the same
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "INVALID_LINK" in page.text and "不是本解析器能识别的链接" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/01/80614141123458/21/999",
        f"/id/vin/{vin(9)}",
        "/id/gbt34014/0A1PE0500000000000000099",
        "/id/internal/NO-1",
        "/414/9521001000005",
        "/00/106141412345678915",  # a valid SSCC no object carries
        "/8003/00614141123452A%2F8",
        "/8004/0614141123452",  # a GIAI: nothing on the platform is identified by one
    ],
)
async def test_an_unknown_item_is_404_in_the_platform_error_shape(
    client: httpx.AsyncClient, path: str
) -> None:
    error = error_of(await client.get(path, headers=JSON), 404, "OBJECT_NOT_FOUND")
    assert error["field"] == "path"
    page = await client.get(path, headers=HTML)
    assert page.status_code == 404 and "OBJECT_NOT_FOUND" in page.text


async def test_the_item_page_is_self_contained_bilingual_and_escaped(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await RegisterMasterData(store).execute(
        Registration(
            models=[
                ProductModel(
                    "evil", "tv-maker", Stream.WEEE, "flat_panel_tv", "<script>alert(1)</script> TV", 1000
                )
            ]
        )
    )
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            Commission(
                "c-evil", at(5), "site-tv-maker", "tv-maker", items=(NewItem((digital_link(50),), "evil"),)
            )
        ]
    )
    response = await client.get(f"{RESOLVER}/01/80614141123458/21/50", headers=HTML)
    assert response.status_code == 200
    page = response.text
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; TV" in page
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert 'lang="zh-CN"' in page and "在用" in page and "Active" in page and "赋码投放" in page
    assert (
        "平板电视机" in page and "Flat-panel televisions" in page
    )  # the category by name, in both languages
    for attribute in ("src=", "<link", "@import", "url("):
        assert attribute not in page  # nothing loaded from anywhere, no CDN
    hrefs = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
    assert hrefs and all(href.startswith(RESOLVER) for href in hrefs)


async def test_a_shipped_item_shows_its_journey(client: httpx.AsyncClient, store: GraphStore) -> None:
    from tests.world import receive, ship

    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            ship("s-car", at(10), "car-maker", "dismantler", vin(1)),
            receive("r-car", at(12), "dismantler", vin(1)),
        ]
    )
    body = (await client.get(f"{RESOLVER}/id/vin/{vin(1)}", headers=JSON)).json()
    assert [e["type"] for e in body["recent_events"]] == ["receive", "ship", "commission"]  # newest first
    assert body["holder"]["id"] == "dismantler" and body["event_count"] == 3
    page = (await client.get(f"{RESOLVER}/id/vin/{vin(1)}", headers=HTML)).text
    assert page.index("接收") < page.index("发运") < page.index("赋码投放")


async def test_the_resolver_describes_itself(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    description = response.json()
    assert description["resolverRoot"] == RESOLVER and description["supportedPrimaryKeys"] == [
        "01",
        "00",
        "8003",
    ]
    assert description["supportedLinkType"] == [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}]


async def test_links_are_answered_on_the_host_that_was_asked(client: httpx.AsyncClient) -> None:
    """A phone on the LAN reaches the server by another name than the label's: links follow the request."""
    item: Labelled = labelled()[0]
    path = item.link.removeprefix(RESOLVER)
    body = (await client.get(f"http://192.168.1.20:8000{path}", headers=JSON)).json()
    assert body["anchor"] == f"http://192.168.1.20:8000{path}"
    assert body["canonical_link"] == item.link  # what the label carries stays the configured one
    assert all(
        t["href"].startswith("http://192.168.1.20:8000/")
        for rel, targets in body["linkset"][0].items()
        if rel.startswith("https://")
        for t in targets
    )
