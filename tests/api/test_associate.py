"""POST /api/v1/events with associate events: statuses, replays, error bodies, and the item found by new codes."""

from __future__ import annotations

import httpx
import pytest

from tests.api.payloads import Json, associate, commission, receive, ship
from tests.world import battery, digital_link, sgtin_hex, sgtin_urn, vin

pytestmark = pytest.mark.asyncio

PACK, SECOND_LIFE = battery("P", 1), battery("P", 901)


async def capture(client: httpx.AsyncClient, *events: Json) -> httpx.Response:
    return await client.post("/api/v1/events", json={"events": list(events)})


@pytest.fixture
async def pack(registered: httpx.AsyncClient) -> httpx.AsyncClient:
    """A pack and a TV at their maker."""
    response = await capture(
        registered,
        commission("c-pack", 0, PACK, model="pack"),
        commission("c-tv", 0, digital_link(1)),
    )
    assert response.status_code == 201, response.text
    return registered


async def test_created_then_replayed_and_found_by_the_new_codes(pack: httpx.AsyncClient) -> None:
    event = associate("a", 1, "maker", PACK, SECOND_LIFE, sgtin_hex(901))
    first = await capture(pack, event)
    assert first.status_code == 201, first.text
    again = await capture(pack, event)
    assert again.status_code == 200 and again.json()["outcomes"][0]["status"] == "replayed"
    assert again.json()["outcomes"][0]["recorded_at"] == first.json()["outcomes"][0]["recorded_at"]
    item = (await pack.get(f"/api/v1/items/{PACK}")).json()
    for code in (SECOND_LIFE, sgtin_urn(901), digital_link(901)):
        found = await pack.get(f"/api/v1/items/{code}")
        assert found.status_code == 200 and found.json()["id"] == item["id"], code
    # It travels on under its new code.
    response = await capture(
        pack, ship("s", 2, "maker", "recycler", SECOND_LIFE), receive("r", 3, "recycler", sgtin_urn(901))
    )
    assert response.status_code == 201, response.text
    assert (await pack.get(f"/api/v1/items/{PACK}")).json()["holder_id"] == "recycler"


@pytest.mark.parametrize(
    ("event", "status", "code", "field"),
    [
        (associate("a", 1, "maker", PACK, digital_link(1)), 409, "IDENTIFIER_TAKEN", "identifiers[0]"),
        (associate("a", 1, "maker", PACK, f"gbt34014:{PACK}"), 409, "ALREADY_ASSOCIATED", "identifiers[0]"),
        (associate("a", 1, "collector", PACK, SECOND_LIFE), 409, "NOT_HOLDER", "object"),
        (associate("a", 1, "maker", vin(1), SECOND_LIFE), 404, "OBJECT_NOT_FOUND", "object"),
        (associate("a", 1, "maker", PACK, battery("P", 2)[:23]), 422, "INVALID_IDENTIFIER", "identifiers[0]"),
        (associate("a", -1, "maker", PACK, SECOND_LIFE), 422, "EVENT_BEFORE_OBJECT", "event_time"),
    ],
)
async def test_a_refused_associate_names_its_code_and_field(
    pack: httpx.AsyncClient, event: Json, status: int, code: str, field: str
) -> None:
    response = await capture(pack, event)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "BATCH_REJECTED"
    [entry] = error["details"]["errors"]
    assert (entry["index"], entry["event_id"], entry["code"], entry["field"]) == (0, "a", code, field)
    assert (await pack.get(f"/api/v1/items/{SECOND_LIFE}")).status_code == 404


@pytest.mark.parametrize(
    ("identifiers", "field"),
    [([], "events[0].identifiers"), ([battery("P", 100 + n) for n in range(17)], "events[0].identifiers")],
)
async def test_the_identifier_list_has_1_to_16_entries(
    pack: httpx.AsyncClient, identifiers: list[str], field: str
) -> None:
    response = await capture(pack, associate("a", 1, "maker", PACK, *identifiers))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("VALIDATION_ERROR", field)
