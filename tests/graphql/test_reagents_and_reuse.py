"""Reagents on a transformation and reuse on a remanufacture, through GraphQL on both stores: the same rules and the
same errors as REST, read back from the history."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql.conftest import data, gql
from tests.graphql.world import RECORD, chain_inputs
from tests.world import battery

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]


def hydrated(reagents_kg: float | None) -> Json:
    """The refiner's 8 kg of black mass into 14.3 kg of nickel sulfate hexahydrate and residue."""
    fields: Json = {
        "event_id": "t-salt",
        "event_time": "2026-03-09T09:00:00+08:00",
        "site_id": "site-refiner",
        "party_id": "refiner",
        "inputs": ["BM-0001"],
        "outputs": [
            {
                "code": "NS6-0001",
                "material": "nickel_sulfate_hexahydrate",
                "mass_kg": 14.3,
                "fate": "RECYCLING",
            },
            {"code": "RES-0009", "material": "leach_residue", "mass_kg": 2.0, "fate": "DISPOSAL"},
        ],
    }
    if reagents_kg is not None:
        fields["reagents_kg"] = reagents_kg
    return {"transform": fields}


async def test_a_transformation_declares_its_reagents(registered: httpx.AsyncClient) -> None:
    before = [e for e in chain_inputs() if "t-li" not in str(e)]
    await data(registered, RECORD, {"events": before})
    refused = await gql(registered, RECORD, {"events": [hydrated(None)]})
    (error,) = refused["errors"]
    assert error["extensions"]["details"]["errors"][0]["code"] == "MASS_BALANCE_EXCEEDED"
    await data(registered, RECORD, {"events": [hydrated(8.5)]})  # 16.3 ≤ (8 + 8.5) × 1.02
    event = (
        await data(registered, '{ event(event_id: "t-salt") { ... on TransformEvent { reagents_kg } } }')
    )["event"]
    assert event == {"reagents_kg": 8.5}


async def test_a_module_is_reused_in_a_second_life(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()[:2]})  # cells and modules, at the car maker
    module = battery("M", 1)
    reuse = {
        "remanufacture": {
            "event_id": "reuse-1",
            "event_time": "2026-03-03T09:00:00+08:00",
            "site_id": "site-car-maker",
            "party_id": "car-maker",
            "objects": [module],
            "fate": "REUSE",
        }
    }
    await data(registered, RECORD, {"events": [reuse]})
    found = await data(
        registered,
        f"""{{ item(identifier: "{module}") {{ status fate }}
             event(event_id: "reuse-1") {{ ... on RemanufactureEvent {{ fate }} }} }}""",
    )
    assert found == {"item": {"status": "REMANUFACTURED", "fate": "REUSE"}, "event": {"fate": "REUSE"}}
    wrong = {"remanufacture": {**reuse["remanufacture"], "event_id": "reuse-2", "fate": "DISPOSAL"}}
    (error,) = (await gql(registered, RECORD, {"events": [wrong]}))["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert error["extensions"]["field"] == "events[0].fate"
