"""After an associate: labels printed by a new identifier scan and resolve, and the links of old labels still do."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.labels.support import RESOLVER, decode_png
from tests.labels.test_resolver import item_id, resolves_to
from tests.world import at, battery, sgtin_urn, vin

pytestmark = pytest.mark.asyncio

SECOND_LIFE = battery("P", 901)
TAG = sgtin_urn(8, "712345")  # an RFID tag fixed to the car: GTIN 70614141123451, serial 8


async def associate(client: httpx.AsyncClient, event_id: str, party: str, obj: str, *codes: str) -> None:
    event = {
        "type": "associate",
        "event_id": event_id,
        "event_time": at(5).isoformat(),
        "site_id": f"site-{party}",
        "party_id": party,
        "object": obj,
        "identifiers": list(codes),
    }
    response = await client.post("/api/v1/events", json={"events": [event]})
    assert response.status_code == 201, response.text


async def label_link(client: httpx.AsyncClient, identifier: str) -> str:
    response = await client.get(f"/api/v1/items/{quote(identifier, safe=':/')}/label.png")
    assert response.status_code == 200, response.text
    (code,) = decode_png(response.content)
    return str(code.text)


async def test_a_tag_added_to_a_car_gives_its_label_a_digital_link_and_the_vin_link_still_resolves(
    client: httpx.AsyncClient,
) -> None:
    car = await item_id(client, vin(1))
    assert await label_link(client, vin(1)) == f"{RESOLVER}/id/vin/{vin(1)}"
    await associate(client, "a-car", "car-maker", vin(1), TAG)
    link = await label_link(client, TAG)
    assert (
        link == f"{RESOLVER}/01/70614141123451/21/8"
    )  # a GS1 key, when the item has one, is what labels carry
    assert await label_link(client, vin(1)) == link  # one item, one link, whichever code it is asked by
    body = await resolves_to(client, link, car)
    assert {"scheme": "sgtin", "value": TAG} in body["item"]["identifiers"]
    await resolves_to(client, f"{RESOLVER}/id/vin/{vin(1)}", car)  # labels printed before stay good


async def test_a_second_life_battery_code_resolves_to_the_pack(client: httpx.AsyncClient) -> None:
    pack = await item_id(client, battery("P", 1))
    await associate(client, "a-pack", "car-maker", battery("P", 1), SECOND_LIFE)
    await resolves_to(client, f"{RESOLVER}/id/gbt34014/{SECOND_LIFE}", pack)
    await resolves_to(client, f"{RESOLVER}/id/gbt34014/{battery('P', 1)}", pack)
    # Among codes of one kind the first stays the label's link, so labels already on the pack keep matching it.
    assert await label_link(client, SECOND_LIFE) == f"{RESOLVER}/id/gbt34014/{battery('P', 1)}"
