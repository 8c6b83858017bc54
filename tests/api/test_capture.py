"""POST /api/v1/events through the real app: outcomes, replays, conflicts, all-or-nothing, error bodies."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.conftest import MAX_BATCH, MAX_BODY
from tests.api.payloads import Json, commission, disassemble, receive, ship, tv_life
from tests.world import battery, digital_link, sgtin_hex, sgtin_urn, vin

pytestmark = pytest.mark.asyncio


async def capture(client: httpx.AsyncClient, *events: Json) -> httpx.Response:
    return await client.post("/api/v1/events", json={"events": list(events)})


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "message_zh", "field", "details"}, body
    return body["error"]  # type: ignore[no-any-return]


async def test_a_captured_item_is_found_by_every_identifier_of_the_unit(
    registered: httpx.AsyncClient,
) -> None:
    response = await capture(registered, commission("c1", 0, digital_link(6789), mass_kg=31.25))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 1 and body["replayed"] == 0
    [outcome] = body["outcomes"]
    assert outcome["event_id"] == "c1" and outcome["status"] == "created"
    [item_id] = outcome["created_ids"]

    forms = [
        digital_link(6789),
        sgtin_urn(6789),
        sgtin_hex(6789),
        sgtin_hex(6789).lower(),
        quote(digital_link(6789), safe=""),
        quote(sgtin_urn(6789), safe=""),
    ]
    for form in forms:
        got = await registered.get(f"/api/v1/items/{form}")
        assert got.status_code == 200, (form, got.text)
        item = got.json()
        assert item["id"] == item_id, form
        assert item["identifiers"] == [{"scheme": "digital_link", "value": digital_link(6789)}]
        assert item["kind"] == "item" and item["stream"] == "weee" and item["status"] == "active"
        assert item["mass_kg"] == 31.25 and item["model_id"] == "tv" and item["category"] == "tv"
        assert item["holder_id"] == "maker" and item["site_id"] == "site-maker" and item["version"] == 1


async def test_masses_are_read_and_written_in_kilograms(registered: httpx.AsyncClient) -> None:
    # 0.0005 kg is half a gram: whole grams are kept; the model's nominal mass applies when none is sent.
    assert (
        await capture(registered, commission("c1", 0, vin(1), model="bev", mass_kg=1234.567))
    ).status_code == 201
    assert (await capture(registered, commission("c2", 0, battery("P", 1), model="pack"))).status_code == 201
    assert (await registered.get(f"/api/v1/items/{vin(1)}")).json()["mass_kg"] == 1234.567
    assert (await registered.get(f"/api/v1/items/{battery('P', 1)}")).json()["mass_kg"] == 400.5


async def test_a_replay_gets_the_first_answer_again_with_200_and_is_stored_once(
    registered: httpx.AsyncClient,
) -> None:
    events = tv_life(digital_link(1))[:3]
    first = await capture(registered, *events)
    assert first.status_code == 201, first.text
    again = await capture(registered, *events)
    assert again.status_code == 200, again.text
    assert again.json()["created"] == 0 and again.json()["replayed"] == 3
    for before, after in zip(first.json()["outcomes"], again.json()["outcomes"], strict=True):
        assert after["status"] == "replayed"
        assert {k: v for k, v in after.items() if k != "status"} == {
            k: v for k, v in before.items() if k != "status"
        }
    history = (await registered.get(f"/api/v1/items/{digital_link(1)}/history")).json()
    assert [e["event"]["event_id"] for e in history["events"]] == ["tv-c", "tv-s1", "tv-r1"]


async def test_a_batch_mixing_replays_and_new_events_is_201(registered: httpx.AsyncClient) -> None:
    events = tv_life(digital_link(1))
    assert (await capture(registered, *events[:2])).status_code == 201
    response = await capture(registered, *events[:3])
    assert response.status_code == 201
    assert [o["status"] for o in response.json()["outcomes"]] == ["replayed", "replayed", "created"]


async def test_the_same_event_id_with_other_content_is_a_conflict(registered: httpx.AsyncClient) -> None:
    assert (await capture(registered, commission("c1", 0, digital_link(1)))).status_code == 201
    response = await capture(registered, commission("c1", 0, digital_link(2)))
    assert response.status_code == 409, response.text
    err = error(response)
    assert err["code"] == "BATCH_REJECTED"
    [entry] = err["details"]["errors"]
    assert entry["index"] == 0 and entry["event_id"] == "c1"
    assert entry["code"] == "EVENT_ID_CONFLICT" and entry["field"] == "event_id"
    assert (await registered.get(f"/api/v1/items/{digital_link(2)}")).status_code == 404


async def test_one_bad_event_rejects_the_whole_batch_and_names_it(registered: httpx.AsyncClient) -> None:
    response = await capture(
        registered,
        commission("c1", 0, digital_link(1)),
        commission("c2", 0, digital_link(2)),
        ship("s1", 1, "maker", "collector", digital_link(3)),  # never commissioned
    )
    assert response.status_code == 404, response.text
    err = error(response)
    assert err["code"] == "BATCH_REJECTED" and "nothing was stored" in err["message"]
    assert err["message_zh"]
    [entry] = err["details"]["errors"]
    assert entry["index"] == 2 and entry["event_id"] == "s1"
    assert entry["code"] == "OBJECT_NOT_FOUND" and entry["field"] == "objects[0]"
    for serial in (1, 2):
        got = await registered.get(f"/api/v1/items/{digital_link(serial)}")
        assert got.status_code == 404 and error(got)["code"] == "OBJECT_NOT_FOUND"
    health = (await registered.get("/healthz")).json()
    assert health["counts"]["events"] == 0 and health["counts"]["objects"] == 0


async def test_a_rule_violation_is_422_with_its_code(registered: httpx.AsyncClient) -> None:
    tv = digital_link(1)
    assert (await capture(registered, commission("c1", 0, tv))).status_code == 201
    response = await capture(registered, ship("s1", 1, "collector", "dismantler", tv))
    assert response.status_code == 409  # NOT_HOLDER is a conflict with what is recorded
    assert error(response)["details"]["errors"][0]["code"] == "NOT_HOLDER"
    far_future = commission("c2", 24 * 365 * 10, digital_link(2))
    response = await capture(registered, far_future)
    assert response.status_code == 422
    assert error(response)["details"]["errors"][0]["code"] == "EVENT_TIME_IN_FUTURE"


@pytest.mark.parametrize(
    ("identifier", "scheme"),
    [
        ("30FFFFFFFFFFFFFFFFFFFFFF", "sgtin96"),  # SGTIN-96 header with an impossible partition
        ("sgtin96:3074257BF7194E4000001A8Z", "sgtin96"),  # not hexadecimal
        ("https://id.gs1.org/01/80614141123459/21/1", "digital_link"),  # GTIN check digit 9, should be 8
        (battery("P", 1)[:23], "gbt34014"),  # a battery code one character short
        (vin(1)[:8] + ("0" if vin(1)[8] != "0" else "1") + vin(1)[9:], "vin"),  # wrong check digit
    ],
)
async def test_malformed_identifiers_are_refused_with_the_field(
    registered: httpx.AsyncClient, identifier: str, scheme: str
) -> None:
    response = await capture(registered, commission("c1", 0, digital_link(1), identifier))
    assert response.status_code == 422, response.text
    [entry] = error(response)["details"]["errors"]
    assert entry["code"] == "INVALID_IDENTIFIER" and entry["index"] == 0
    assert entry["field"] == "items[0].identifiers[1]"
    assert entry["details"]["scheme"] == scheme
    assert (await registered.get(f"/api/v1/items/{digital_link(1)}")).status_code == 404

    # Named by an event about an existing object, and looked up: the same code, with the field.
    response = await capture(registered, ship("s1", 1, "maker", "collector", identifier))
    assert response.status_code == 422
    [entry] = error(response)["details"]["errors"]
    assert (entry["code"], entry["field"]) == ("INVALID_IDENTIFIER", "objects[0]")
    got = await registered.get(f"/api/v1/items/{quote(identifier, safe='')}")
    assert got.status_code == 422, got.text
    assert (error(got)["code"], error(got)["field"]) == ("INVALID_IDENTIFIER", "identifier")


async def test_a_naive_timestamp_is_a_validation_error_with_its_path(registered: httpx.AsyncClient) -> None:
    naive = commission("c3", 0, digital_link(3))
    naive["event_time"] = "2026-03-02T09:00:00"
    response = await capture(
        registered, commission("c1", 0, digital_link(1)), commission("c2", 0, digital_link(2)), naive
    )
    assert response.status_code == 422, response.text
    err = error(response)
    assert err["code"] == "VALIDATION_ERROR" and err["field"] == "events[2].event_time"
    assert "timezone" in err["message"] and "时区" in err["message_zh"]
    [entry] = err["details"]["errors"]
    assert entry["index"] == 2 and entry["field"] == "events[2].event_time"
    assert (await registered.get(f"/api/v1/items/{digital_link(1)}")).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "type_"),
    [
        ({"type": "teleport"}, "events[0].type", "union_tag_invalid"),
        ({"mass_g": 5}, "events[0].mass_g", "extra_forbidden"),  # grams are not accepted at the edge
        ({"event_time": "yesterday"}, "events[0].event_time", "datetime_from_date_parsing"),
        ({"items": [{"identifiers": [], "model_id": "tv"}]}, "events[0].items[0].identifiers", "too_short"),
        (
            {"items": [{"identifiers": ["X-1"], "model_id": "tv", "mass_kg": -1}]},
            "events[0].items[0].mass_kg",
            "greater_than_equal",
        ),
        ({"event_id": ""}, "events[0].event_id", "string_too_short"),
    ],
)
async def test_malformed_events_name_the_field(
    registered: httpx.AsyncClient, change: Json, field: str, type_: str
) -> None:
    event = {**commission("c1", 0, digital_link(1)), **change}
    response = await capture(registered, event)
    assert response.status_code == 422, response.text
    err = error(response)
    assert err["code"] == "VALIDATION_ERROR" and err["field"] == field
    assert err["details"]["errors"][0]["type"] == type_


async def test_bodies_that_are_not_a_batch_are_validation_errors(registered: httpx.AsyncClient) -> None:
    bad_json = await registered.post(
        "/api/v1/events", content=b'{"events": [', headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422 and error(bad_json)["code"] == "VALIDATION_ERROR"
    empty = await registered.post("/api/v1/events", json={"events": []})
    assert empty.status_code == 422 and error(empty)["field"] == "events"
    no_body = await registered.post("/api/v1/events")
    assert no_body.status_code == 422 and error(no_body)["code"] == "VALIDATION_ERROR"


async def test_a_batch_over_the_limit_is_413(registered: httpx.AsyncClient) -> None:
    events = [commission(f"c{i}", 0, digital_link(i)) for i in range(MAX_BATCH + 1)]
    response = await capture(registered, *events)
    assert response.status_code == 413, response.text
    err = error(response)
    assert err["code"] == "BATCH_TOO_LARGE" and err["details"]["max_batch"] == MAX_BATCH
    assert (await registered.get(f"/api/v1/items/{digital_link(0)}")).status_code == 404
    assert (await capture(registered, *events[:MAX_BATCH])).status_code == 201


async def test_an_oversized_body_is_413_before_it_is_parsed(registered: httpx.AsyncClient) -> None:
    padding = "x" * MAX_BODY
    event = commission("c1", 0, digital_link(1))
    event["items"][0]["model_id"] = padding
    response = await capture(registered, event)
    assert response.status_code == 413, response.text
    assert error(response)["code"] == "BATCH_TOO_LARGE"

    async def chunks() -> Any:  # no Content-Length: counted as it arrives
        yield b'{"events": ["'
        for _ in range(MAX_BODY // 1024 + 1):
            yield b"y" * 1024
        yield b'"]}'

    response = await registered.post(
        "/api/v1/events", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert error(response)["code"] == "BATCH_TOO_LARGE"


async def test_receive_after_ship_moves_custody(registered: httpx.AsyncClient) -> None:
    tv = digital_link(1)
    response = await capture(registered, commission("c1", 0, tv), ship("s1", 1, "maker", "collector", tv))
    assert response.status_code == 201
    item = (await registered.get(f"/api/v1/items/{tv}")).json()
    assert item["status"] == "in_transit" and item["in_transit_to"] == "collector"
    assert (await capture(registered, receive("r1", 2, "collector", tv))).status_code == 201
    item = (await registered.get(f"/api/v1/items/{tv}")).json()
    assert (
        item["status"] == "active"
        and item["holder_id"] == "collector"
        and item["site_id"] == "site-collector"
    )


async def test_an_event_the_domain_refuses_to_build_is_reported_with_its_index(
    registered: httpx.AsyncClient,
) -> None:
    nothing_out = disassemble("d1", 1, "maker", digital_link(1))  # no parts and no lots
    response = await capture(registered, commission("c1", 0, digital_link(1)), nothing_out)
    assert response.status_code == 422, response.text
    err = error(response)
    assert err["code"] == "BATCH_REJECTED"
    [entry] = err["details"]["errors"]
    assert (entry["index"], entry["event_id"], entry["code"], entry["field"]) == (
        1,
        "d1",
        "VALIDATION_ERROR",
        "parts",
    )
    assert (await registered.get(f"/api/v1/items/{digital_link(1)}")).status_code == 404


async def test_an_event_after_a_terminal_state_is_409_object_terminal(registered: httpx.AsyncClient) -> None:
    tv = digital_link(1)
    assert (await capture(registered, *tv_life(tv))).status_code == 201  # ends with CU-1 consumed (recycled)
    before = (await registered.get("/healthz")).json()["counts"]
    response = await capture(registered, ship("cu-again", 9, "recycler", "dismantler", "CU-1"))
    assert response.status_code == 409, response.text
    err = error(response)
    assert err["code"] == "BATCH_REJECTED" and "nothing was stored" in err["message"]
    [entry] = err["details"]["errors"]
    cu = (await registered.get("/api/v1/items/CU-1")).json()
    assert entry == {
        "index": 0,
        "event_id": "cu-again",
        "code": "OBJECT_TERMINAL",
        "message": entry["message"],
        "message_zh": entry["message_zh"],
        "field": "objects[0]",
        "details": {"object_id": cu["id"], "status": "consumed"},
    }
    assert "consumed" in entry["message"] and entry["message_zh"]
    assert cu["status"] == "consumed"
    assert (await registered.get("/healthz")).json()["counts"] == before
