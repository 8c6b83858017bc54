"""What REST can record, GraphQL can too: a lot's assay (``composition``) and a remanufacture's value
(``value_cny``), read back from the event, and refused the same way when wrong."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql.conftest import data, gql
from tests.graphql.world import RECORD, chain_inputs
from tests.world import battery

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]


def assayed(composition: list[Json]) -> Json:
    return {
        "transform": {
            "event_id": "t-assayed",
            "event_time": "2026-03-09T09:00:00+08:00",
            "site_id": "site-refiner",
            "party_id": "refiner",
            "inputs": ["BM-0001"],
            "outputs": [
                {
                    "code": "LC-ASSAY-1",
                    "material": "lithium_carbonate",
                    "mass_kg": 1.5,
                    "fate": "RECYCLING",
                    "composition": composition,
                },
                {"code": "RES-0010", "material": "leach_residue", "mass_kg": 6.0, "fate": "DISPOSAL"},
            ],
        }
    }


async def test_a_lots_assay_is_recorded_and_read_back(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": [e for e in chain_inputs() if "t-li" not in str(e)]})
    await data(registered, RECORD, {"events": [assayed([{"material": "lithium", "mass_kg": 0.28}])]})
    found = await data(
        registered,
        '{ event(event_id: "t-assayed") { ... on TransformEvent { outputs { code composition { material mass_kg } } } '
        "} }",
    )
    assert found["event"]["outputs"] == [
        {"code": "LC-ASSAY-1", "composition": [{"material": "lithium", "mass_kg": 0.28}]},
        {"code": "RES-0010", "composition": []},
    ]
    rest = (await registered.get("/api/v1/items/LC-ASSAY-1/history")).json()
    (recorded,) = [e["event"] for e in rest["events"] if e["event"]["event_id"] == "t-assayed"]
    assert recorded["outputs"][0]["composition_kg"] == {"lithium": 0.28}  # REST reads what GraphQL recorded


@pytest.mark.parametrize(
    ("composition", "field"),
    [
        (
            [{"material": "lithium", "mass_kg": 0.2}, {"material": "lithium", "mass_kg": 0.1}],
            "composition[1]",
        ),
        ([{"material": "lithium", "mass_kg": 2.0}], "composition"),  # more than the lot's 1.5 kg
    ],
    ids=["twice", "over-the-lot"],
)
async def test_a_wrong_assay_is_refused_with_its_field(
    registered: httpx.AsyncClient, composition: list[Json], field: str
) -> None:
    await data(registered, RECORD, {"events": [e for e in chain_inputs() if "t-li" not in str(e)]})
    body = await gql(registered, RECORD, {"events": [assayed(composition)]})
    (error,) = body["errors"]
    assert error["extensions"]["code"] in {"VALIDATION_ERROR", "BATCH_REJECTED"}
    assert field in str(error["extensions"]), error["extensions"]
    assert (await registered.get("/api/v1/items/LC-ASSAY-1")).status_code == 404  # nothing stored


async def test_a_remanufactures_value_is_recorded_and_read_back(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()[:2]})
    remanufacture = {
        "remanufacture": {
            "event_id": "reman-value",
            "event_time": "2026-03-03T09:00:00+08:00",
            "site_id": "site-car-maker",
            "party_id": "car-maker",
            "objects": [battery("M", 1)],
            "value_cny": 3_500_000_000,  # beyond GraphQL's Int: why the field is a Float
        }
    }
    await data(registered, RECORD, {"events": [remanufacture]})
    found = await data(
        registered, '{ event(event_id: "reman-value") { ... on RemanufactureEvent { value_cny } } }'
    )
    assert found["event"] == {"value_cny": 3_500_000_000}
    fraction = {"remanufacture": {**remanufacture["remanufacture"], "event_id": "reman-2", "value_cny": 10.5}}
    (error,) = (await gql(registered, RECORD, {"events": [fraction]}))["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "VALIDATION_ERROR",
        "events[0].value_cny",
    )
