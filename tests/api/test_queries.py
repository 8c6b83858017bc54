"""GET endpoints through the real app: item, history, lineage, custody, site inventory and flows."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.payloads import tv_life
from tests.world import digital_link, sgtin_hex, sgtin_urn

pytestmark = pytest.mark.asyncio

TV = digital_link(42)


@pytest.fixture
async def world(registered: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await registered.post("/api/v1/events", json={"events": tv_life(TV)})
    assert response.status_code == 201, response.text
    return registered


async def get(client: httpx.AsyncClient, path: str, status: int = 200, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == status, response.text
    return response.json()


async def test_history_lists_every_event_of_the_item_in_order(world: httpx.AsyncClient) -> None:
    body = await get(world, f"/api/v1/items/{sgtin_urn(42)}/history")
    assert body["item"]["status"] == "dismantled" and body["item"]["holder_id"] == "dismantler"
    events = body["events"]
    assert [e["event"]["event_id"] for e in events] == ["tv-c", "tv-s1", "tv-r1", "tv-s2", "tv-r2", "tv-d"]
    assert [e["event"]["type"] for e in events] == [
        "commission",
        "ship",
        "receive",
        "ship",
        "receive",
        "disassemble",
    ]
    assert events[0]["roles"] == ["output"] and events[0]["created_ids"] == [body["item"]["id"]]
    # Events come back in the shape they were sent: kilograms, not grams.
    lots = events[-1]["event"]["lots"]
    assert lots[0] == {"code": "STEEL-1", "material": "steel", "mass_kg": 12.0, "fate": "recycling"}
    assert all(e["recorded_at"] and e["corrected_by"] is None for e in events)


async def test_lineage_downstream_and_upstream(world: httpx.AsyncClient) -> None:
    down = await get(world, f"/api/v1/items/{sgtin_hex(42)}/lineage", direction="downstream")
    assert down["direction"] == "downstream" and down["depth"] == 10
    codes = {i["value"] for o in down["objects"] for i in o["identifiers"]}
    assert codes == {TV, "STEEL-1", "PLASTIC-1", "CU-1", "CU-CATHODE-1"}
    kinds = {(link["kind"]) for link in down["links"]}
    assert kinds == {"disassembled_into", "transformed_into"}
    by_id = {o["id"]: o for o in down["objects"]}
    assert {by_id[link["from_id"]]["kind"] for link in down["links"]} <= {"item", "lot"}

    shallow = await get(world, f"/api/v1/items/{TV}/lineage", direction="downstream", depth=1)
    assert {i["value"] for o in shallow["objects"] for i in o["identifiers"]} == {
        TV,
        "STEEL-1",
        "PLASTIC-1",
        "CU-1",
    }

    up = await get(world, "/api/v1/items/CU-CATHODE-1/lineage", direction="upstream")
    assert up["root"]["material"] == "copper_cathode" and up["root"]["kind"] == "lot"
    assert {i["value"] for o in up["objects"] for i in o["identifiers"]} == {TV, "CU-1", "CU-CATHODE-1"}


@pytest.mark.parametrize("depth", [0, -1, 51])
async def test_lineage_depth_out_of_range_is_a_validation_error(world: httpx.AsyncClient, depth: int) -> None:
    body = await get(world, f"/api/v1/items/{TV}/lineage", 422, depth=depth)
    assert body["error"]["code"] == "VALIDATION_ERROR" and body["error"]["field"] == "depth"


async def test_custody_follows_the_handovers(world: httpx.AsyncClient) -> None:
    body = await get(world, f"/api/v1/items/{quote(TV, safe='')}/custody")
    spans = body["custody"]
    assert [s["party_id"] for s in spans] == ["maker", "collector", "dismantler"]
    assert [s["start_event"] for s in spans] == ["tv-c", "tv-r1", "tv-r2"]
    assert [s["end_event"] for s in spans] == ["tv-s1", "tv-s2", None]
    assert spans[-1]["end"] is None and spans[0]["end"] is not None


async def test_inventory_pages_through_what_is_at_a_site(world: httpx.AsyncClient) -> None:
    everything = await get(world, "/api/v1/sites/site-dismantler/inventory")
    assert {o["identifiers"][0]["value"] for o in everything["items"]} == {"STEEL-1", "PLASTIC-1"}
    assert everything["next_after"] is None
    first = await get(world, "/api/v1/sites/site-dismantler/inventory", limit=1)
    assert len(first["items"]) == 1 and first["next_after"] == first["items"][0]["id"]
    second = await get(world, "/api/v1/sites/site-dismantler/inventory", limit=1, after=first["next_after"])
    assert [o["id"] for o in first["items"] + second["items"]] == [o["id"] for o in everything["items"]]
    assert (await get(world, "/api/v1/sites/nowhere/inventory", 404))["error"]["code"] == "SITE_NOT_FOUND"
    assert (await get(world, "/api/v1/sites/site-maker/inventory", 422, limit=0))["error"]["field"] == "limit"


async def test_flows_sum_the_mass_through_a_site_in_kg(world: httpx.AsyncClient) -> None:
    body = await get(
        world,
        "/api/v1/sites/site-dismantler/flows",
        start="2026-01-01T00:00:00+08:00",
        end="2027-01-01T00:00:00Z",
    )
    totals = {(t["direction"], t["material"]): t["mass_kg"] for t in body["totals"]}
    assert totals[("received", "tv")] == 30.0
    assert totals[("produced", "steel")] == 12.0 and totals[("produced", "copper")] == 2.0
    assert totals[("shipped", "copper")] == 2.0
    before = await get(
        world, "/api/v1/sites/site-dismantler/flows", start="2025-01-01T00:00:00Z", end="2026-01-01T00:00:00Z"
    )
    assert before["totals"] == []


async def test_flows_refuse_naive_and_reversed_periods(world: httpx.AsyncClient) -> None:
    naive = await get(
        world,
        "/api/v1/sites/site-dismantler/flows",
        422,
        start="2026-01-01T00:00:00",
        end="2027-01-01T00:00:00Z",
    )
    assert naive["error"]["code"] == "VALIDATION_ERROR" and naive["error"]["field"] == "start"
    reversed_ = await get(
        world,
        "/api/v1/sites/site-dismantler/flows",
        422,
        start="2027-01-01T00:00:00Z",
        end="2026-01-01T00:00:00Z",
    )
    assert reversed_["error"]["field"] == "end"
    # A "+08:00" sent unencoded in a query string arrives as " 08:00"; it is read as meant.
    response = await world.get(
        "/api/v1/sites/site-dismantler/flows?start=2026-01-01T00:00:00+08:00&end=2027-01-01T00:00:00+08:00"
    )
    assert response.status_code == 200, response.text
    assert response.json()["start"] == "2026-01-01T00:00:00+08:00"


async def test_unknown_items_and_routes_are_404(world: httpx.AsyncClient) -> None:
    for path in (
        f"/api/v1/items/{digital_link(999)}",
        "/api/v1/items/NO-SUCH-LOT/history",
        "/api/v1/items/NO-SUCH-LOT/custody",
        "/api/v1/items/NO-SUCH-LOT/lineage",
    ):
        body = await get(world, path, 404)
        assert body["error"]["code"] == "OBJECT_NOT_FOUND", path
        assert body["error"]["message"] and body["error"]["message_zh"]
    body = await get(world, "/api/v1/nothing-here", 404)
    assert body["error"]["code"] == "NOT_FOUND"
    response = await world.delete(f"/api/v1/items/{TV}")
    assert response.status_code == 405 and response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_digital_link_whose_double_slash_was_collapsed_is_still_found(
    world: httpx.AsyncClient,
) -> None:
    collapsed = TV.replace("https://", "https:/")
    body = await get(world, f"/api/v1/items/{collapsed}")
    assert body["identifiers"][0]["value"] == TV
