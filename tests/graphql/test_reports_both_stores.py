"""The reports in GraphQL on both stores: over a small world of known composition (a car and a traction battery,
from the rate tests), each report asked through GraphQL and through REST gives the same answer field by field, and
the numbers the rate tests derive by hand come out of either store.

(``test_reports.py`` asks the same questions of the demo data on the embedded store; loading the demo into Neo4j
for every test would take minutes.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.domain.events import Event
from tests.graphql.conftest import data, gql, only_error
from tests.graphql.test_reports import (
    DRILL,
    PERIOD,
    PRODUCERS,
    RECOVERY,
    SITES,
    drilldown_as_graphql,
    enum_name,
    producers_as_graphql,
    recovery_as_graphql,
    rest,
    sites_as_graphql,
)
from tests.rates.support import NOW, registration, renamed
from tests.rates.test_formulas import battery_chain, car_chain

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]


def events() -> list[Event]:
    """A car dismantled into known fractions, and a traction pack refined into assayed salts."""
    return [*car_chain(), *(renamed(e, "-b") for e in battery_chain())]


@pytest.fixture
async def client(store: GraphStore, client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The real app over a store of each kind holding the small world (recorded through the use cases)."""
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(events())
    return client


def stream_figures(report: Json, stream: str) -> Json:
    found: list[Json] = [s for s in report["streams"] if s["stream"] == stream]
    assert len(found) == 1, (stream, report["streams"])
    return found[0]


@pytest.mark.parametrize(
    ("kind", "id_", "stream"),
    [
        ("nation", None, None),
        ("nation", None, "battery"),
        ("province", "32", None),
        ("site", "site-dismantler", None),
        ("party", "refiner", None),
    ],
)
async def test_the_recovery_report_is_rests(
    client: httpx.AsyncClient, kind: str, id_: str | None, stream: str | None
) -> None:
    expected = await rest(client, "recovery", **PERIOD, scope=kind, id=id_, stream=stream)
    got = (
        await data(
            client, RECOVERY, {**PERIOD, "scope": kind.upper(), "id": id_, "stream": enum_name(stream)}
        )
    )["recovery_report"]
    assert got["figures"]["treated_kg"] > 0  # a report of something, not of nothing
    assert got == recovery_as_graphql(expected)


async def test_the_numbers_worked_out_by_hand_come_out_of_either_store(client: httpx.AsyncClient) -> None:
    report = (await data(client, RECOVERY, {**PERIOD, "scope": "NATION"}))["recovery_report"]
    assert report["checks"], "the targets in force are checked"
    car = stream_figures(report, "ELV")
    # tests/rates/test_formulas.py: a 1000 kg car dismantled into 797.5 kg recycled, 123 kg burnt for energy
    assert (car["treated_kg"], car["recycled_kg"], car["recovered_kg"]) == (1000.0, 797.5, 920.5)
    assert (car["recycling_rate"], car["recovery_rate"], car["loss_kg"]) == (0.7975, 0.9205, 50.5)
    assert (car["units_treated"], car["units_collected"], car["units_placed_on_market"]) == (1, 1, 1)
    pack = stream_figures(report, "BATTERY")
    lithium = next(e for e in pack["elements"] if e["element"] == "lithium")
    assert (lithium["input_kg"], lithium["recovered_kg"]) == (3.0, 2.63)
    assert lithium["rate"] == pytest.approx(2.63 / 3)


@pytest.mark.parametrize("producer_id", [None, "maker"])
async def test_producer_obligations_are_rests(client: httpx.AsyncClient, producer_id: str | None) -> None:
    expected = await rest(client, "producers", **PERIOD, producer_id=producer_id)
    got = (await data(client, PRODUCERS, {**PERIOD, "producer_id": producer_id}))["producer_obligations"]
    assert got["lines"] and got["total"]["placed_on_market_units"] == 2  # the car and the spare pack
    assert got == producers_as_graphql(expected)


async def test_site_balances_are_rests(client: httpx.AsyncClient) -> None:
    expected = await rest(client, "sites", **PERIOD)
    got = (await data(client, SITES, {**PERIOD, "scope": "NATION"}))["site_balances"]
    assert {s["site_id"] for s in got["sites"]} >= {"site-dismantler", "site-batt", "site-refiner"}
    assert got == sites_as_graphql(expected)


@pytest.mark.parametrize(
    ("measure", "by", "fate"),
    [("treated", "site", None), ("final", "material", "recycling"), ("input", "stream", None)],
)
async def test_drilldown_is_rests(client: httpx.AsyncClient, measure: str, by: str, fate: str | None) -> None:
    expected = await rest(client, "drilldown", **PERIOD, measure=measure, by=by, fate=fate)
    got = (
        await data(
            client, DRILL, {**PERIOD, "measure": measure.upper(), "scope": "NATION", "by": by, "fate": fate}
        )
    )["drilldown"]
    assert got["rows"] and got["total_kg"] > 0
    assert got == drilldown_as_graphql(expected, measure)


async def test_an_unknown_scope_id_gives_rests_error(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/reports/recovery", params={**PERIOD, "scope": "site", "id": "nowhere"}
    )
    assert response.status_code == 404, response.text
    error = only_error(await gql(client, RECOVERY, {**PERIOD, "scope": "SITE", "id": "nowhere"}))
    assert error["extensions"] == response.json()["error"]
