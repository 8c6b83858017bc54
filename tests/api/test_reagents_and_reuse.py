"""Reagents on a transformation and reuse on a remanufacture, over REST: what a client sends, what it reads back."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.payloads import Json, _event, lot, receive, ship, transform, tv_life
from tests.world import battery, digital_link

pytestmark = pytest.mark.asyncio

TV = digital_link(1)


async def capture(client: httpx.AsyncClient, *events: Json) -> httpx.Response:
    return await client.post("/api/v1/events", json={"events": list(events)})


def first_error(response: httpx.Response) -> dict[str, Any]:
    errors: list[dict[str, Any]] = response.json()["error"]["details"]["errors"]
    return errors[0]


def leach(reagents_kg: float | str | None) -> Json:
    """The TV's 2 kg copper lot dissolved into 7.8 kg of copper sulfate pentahydrate (CuSO4·5H2O: 3.93 × Cu)."""
    event = transform("cu-leach", 8, "recycler", ["CU-1"], lot("CUSO4-1", "copper_sulfate", 7.8))
    if reagents_kg is not None:
        event["reagents_kg"] = reagents_kg
    return event


async def test_reagents_let_a_salt_outweigh_its_input_and_are_read_back(
    registered: httpx.AsyncClient,
) -> None:
    assert (await capture(registered, *tv_life(TV)[:-1])).status_code == 201
    refused = await capture(registered, leach(None))
    assert refused.status_code == 422
    assert first_error(refused)["code"] == "MASS_BALANCE_EXCEEDED"
    short = await capture(registered, leach(5.6))  # (2 + 5.6) × 1.02 = 7.752 < 7.8
    assert first_error(short)["details"]["reagents_kg"] == 5.6
    accepted = await capture(registered, leach("5.65"))  # (2 + 5.65) × 1.02 = 7.803
    assert accepted.status_code == 201, accepted.text
    history = (await registered.get("/api/v1/items/CUSO4-1/history")).json()
    sent = next(h["event"] for h in history["events"] if h["event"]["type"] == "transform")
    assert sent["reagents_kg"] == 5.65
    replay = await capture(registered, leach(5.65))
    assert replay.status_code == 200  # the same event read back the same way: a replay


async def test_reagent_mass_is_a_mass(registered: httpx.AsyncClient) -> None:
    response = await capture(registered, leach(-1))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "events[0].reagents_kg"


async def test_modules_are_reused_in_a_second_life(registered: httpx.AsyncClient) -> None:
    pack = battery("P", 7)
    made = _event("commission", "p-c", 0, "maker", items=[{"identifiers": [pack], "model_id": "pack"}])
    reuse = _event("remanufacture", "p-reuse", 3, "recycler", objects=[pack], fate="reuse")
    response = await capture(
        registered,
        made,
        ship("p-s", 1, "maker", "recycler", pack),
        receive("p-r", 2, "recycler", pack),
        reuse,
    )
    assert response.status_code == 201, response.text
    item = (await registered.get(f"/api/v1/items/{pack}")).json()
    assert (item["status"], item["fate"]) == ("remanufactured", "reuse")
    history = (await registered.get(f"/api/v1/items/{pack}/history")).json()
    assert history["events"][-1]["event"]["fate"] == "reuse"


async def test_a_remanufacture_is_not_a_disposal(registered: httpx.AsyncClient) -> None:
    bad = _event("remanufacture", "p-bad", 3, "recycler", objects=[battery("P", 7)], fate="disposal")
    response = await capture(registered, bad)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "events[0].fate"
