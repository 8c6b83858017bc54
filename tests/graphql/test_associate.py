"""Associate through the real app on both stores: recorded by GraphQL (and REST, through the one conversion), then
found by its new identifiers everywhere an identifier is looked up: GraphQL ``item``, REST ``/api/v1/items/…`` and
the resolver's ``/01/…`` and ``/id/…`` links."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.graphql.conftest import data, gql, only_error
from tests.world import battery, sgtin_hex, sgtin_urn, vin

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]

PACK, SECOND_LIFE = battery("P", 1), battery("P", 901)
TAG = sgtin_urn(901)  # an RFID tag's EPC
TAG_LINK = "/01/80614141123458/21/901"  # the same unit as a Digital Link path on the resolver

ASSOCIATE = """
mutation Associate($input: AssociateInput!) {
  associate_identifiers(input: $input) { created replayed outcomes { event_id status created_ids } }
}
"""
RECORD_ONE = "mutation One($event: EventInput!) { record_event(event: $event) { created replayed } }"
ITEM = """
query Item($identifier: String!) {
  item(identifier: $identifier) {
    id identifiers { scheme value } holder { id }
    history { roles event { type event_id ... on AssociateEvent { object identifiers } } }
  }
}
"""


def fields(event_id: str, party: str, when: str = "2026-03-03T09:00:00+08:00", **more: Any) -> Json:
    return {"event_id": event_id, "event_time": when, "site_id": f"site-{party}", "party_id": party, **more}


@pytest.fixture
async def pack(registered: httpx.AsyncClient) -> httpx.AsyncClient:
    """A traction pack, commissioned by the car maker that holds it."""
    item = {"identifiers": [PACK], "model_id": "ncm-pack"}
    commission = fields("c-pack", "car-maker", "2026-03-02T09:00:00+08:00", items=[item])
    await data(registered, RECORD_ONE, {"event": {"commission": commission}})
    return registered


async def test_the_item_is_found_by_its_new_identifiers_in_graphql_rest_and_the_resolver(
    pack: httpx.AsyncClient,
) -> None:
    result = await data(
        pack, ASSOCIATE, {"input": fields("a", "car-maker", object=PACK, identifiers=[SECOND_LIFE, TAG])}
    )
    assert result["associate_identifiers"] == {
        "created": 1,
        "replayed": 0,
        "outcomes": [{"event_id": "a", "status": "CREATED", "created_ids": []}],
    }
    item = (await data(pack, ITEM, {"identifier": sgtin_hex(901)}))["item"]
    assert item["identifiers"] == [
        {"scheme": "gbt34014", "value": PACK},
        {"scheme": "gbt34014", "value": SECOND_LIFE},
        {"scheme": "sgtin", "value": TAG},
    ]
    assert item["holder"] == {"id": "car-maker"}
    assert item["history"][-1] == {
        "roles": ["subject"],
        "event": {"type": "ASSOCIATE", "event_id": "a", "object": PACK, "identifiers": [SECOND_LIFE, TAG]},
    }
    for identifier in (SECOND_LIFE, f"gbt34014:{SECOND_LIFE}", TAG):
        assert (await data(pack, ITEM, {"identifier": identifier}))["item"]["id"] == item["id"]
        response = await pack.get(f"/api/v1/items/{quote(identifier, safe=':')}")
        assert response.status_code == 200, response.text
        assert response.json()["id"] == item["id"]
    history = (await pack.get(f"/api/v1/items/{SECOND_LIFE}/history")).json()
    assert history["events"][-1]["event"] == {
        "type": "associate",
        "event_id": "a",
        "event_time": "2026-03-03T09:00:00+08:00",
        "site_id": "site-car-maker",
        "party_id": "car-maker",
        "object": PACK,
        "identifiers": [SECOND_LIFE, TAG],
    }
    for link in (TAG_LINK, f"/id/gbt34014/{SECOND_LIFE}", f"/id/gbt34014/{PACK}"):
        resolved = await pack.get(link, headers={"accept": "application/json"})
        assert resolved.status_code == 200, (link, resolved.text)
        assert resolved.json()["item"]["id"] == item["id"]


async def test_recorded_as_any_event_and_replayed(pack: httpx.AsyncClient) -> None:
    event = {"associate": fields("a", "car-maker", object=PACK, identifiers=[SECOND_LIFE])}
    assert (await data(pack, RECORD_ONE, {"event": event}))["record_event"] == {"created": 1, "replayed": 0}
    assert (await data(pack, RECORD_ONE, {"event": event}))["record_event"] == {"created": 0, "replayed": 1}
    other = {"associate": fields("a", "car-maker", object=PACK, identifiers=[battery("P", 902)])}
    error = only_error(await gql(pack, RECORD_ONE, {"event": other}))
    assert error["extensions"]["details"]["errors"][0]["code"] == "EVENT_ID_CONFLICT"


async def test_rest_and_graphql_capture_it_alike(pack: httpx.AsyncClient) -> None:
    rest = {"type": "associate", **fields("a-rest", "car-maker", object=PACK, identifiers=[SECOND_LIFE])}
    response = await pack.post("/api/v1/events", json={"events": [rest]})
    assert response.status_code == 201, response.text
    # The same event through GraphQL is a replay of it: one conversion builds the same domain event.
    same = {"associate": {k: v for k, v in rest.items() if k != "type"}}
    assert (await data(pack, RECORD_ONE, {"event": same}))["record_event"] == {"created": 0, "replayed": 1}


@pytest.mark.parametrize(
    ("party", "obj", "identifiers", "code", "field"),
    [
        ("car-maker", PACK, [PACK], "ALREADY_ASSOCIATED", "identifiers[0]"),
        ("car-maker", PACK, [SECOND_LIFE, vin(1)], "IDENTIFIER_TAKEN", "identifiers[1]"),
        ("car-maker", PACK, ["vin:LFV2A21K1D4010942"], "INVALID_IDENTIFIER", "identifiers[0]"),
        ("recycler", PACK, [SECOND_LIFE], "NOT_HOLDER", "object"),
        ("car-maker", battery("P", 77), [SECOND_LIFE], "OBJECT_NOT_FOUND", "object"),
    ],
)
async def test_refusals_carry_their_code_and_field(
    pack: httpx.AsyncClient, party: str, obj: str, identifiers: list[str], code: str, field: str
) -> None:
    car = {"identifiers": [vin(1)], "model_id": "bev"}
    await data(pack, RECORD_ONE, {"event": {"commission": fields("c-car", "car-maker", items=[car])}})
    body = await gql(
        pack,
        ASSOCIATE,
        {"input": fields("a", party, "2026-03-04T09:00:00+08:00", object=obj, identifiers=identifiers)},
    )
    error = only_error(body)["extensions"]
    assert error["code"] == "BATCH_REJECTED"
    (only,) = error["details"]["errors"]
    assert (only["code"], only["field"], only["index"]) == (code, field, 0)
    assert (await data(pack, ITEM, {"identifier": PACK}))["item"]["history"][-1]["event"][
        "type"
    ] == "COMMISSION"
