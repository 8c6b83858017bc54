"""The reports in GraphQL give exactly the REST endpoints' numbers: the real app over a real embedded store holding
the demo data, each question asked both ways and the answers compared field by field."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.api.graphql.reports import ReportMeasure, ReportScopeKind
from retrace.config import Settings
from retrace.domain.rates.report import Measure, ScopeKind
from tests.conftest import copy_demo
from tests.graphql.conftest import Json, data, gql, only_error

pytestmark = pytest.mark.asyncio
PERIOD = {"from": "2025-01", "to": "2026-09"}

FIGURES = """
  stream input_kg transfer_kg pending_kg treated_kg by_fate { key mass_kg } loss_kg reagents_kg recycled_kg recovered_kg
  recycling_rate recovery_rate unknown_share units_treated collected_kg units_collected placed_on_market_kg
  units_placed_on_market remanufacturing_value_cny elements { element input_kg recovered_kg rate }
"""
SCOPE = "scope { kind id stream name name_zh } period { from to months }"
TARGET = """
  id jurisdiction instrument stream metric measure subject scope value unit applies_from applies_to status source
  name name_zh note
"""
TOTALS = """
  key name name_zh placed_on_market_units placed_on_market_kg collected_units treated_units properly_treated_units
  rate target_id target gap
"""
RECOVERY = f"""
query($from: String!, $to: String!, $scope: ReportScopeKind!, $id: String, $stream: StreamKind) {{
  recovery_report(from: $from, to: $to, scope: $scope, id: $id, stream: $stream) {{
    {SCOPE} basis targets_version aggregate_rows
    figures {{ {FIGURES} }} streams {{ {FIGURES} }}
    materials {{ stream material fate mass_kg }} indicator_classes {{ key mass_kg }}
    checks {{
      target {{ {TARGET} }} subject_kind subject_id subject_name subject_name_zh measured traced numerator
      denominator gap share_of_target met applicable note
    }}
    epr {{ {TOTALS} }}
    drilldown_measures
  }}
}}
"""
PRODUCERS = f"""
query($from: String!, $to: String!, $producer_id: String) {{
  producer_obligations(from: $from, to: $to, producer_id: $producer_id) {{
    period {{ from to months }} producer_id
    lines {{
      producer_id model_id stream category epr_group component placed_on_market_units placed_on_market_kg
      collected_units collected_kg treated_units treated_kg properly_treated_units properly_treated_kg rate
      target_id target gap
    }}
    producers {{ {TOTALS} }} groups {{ {TOTALS} }} total {{ {TOTALS} }} targets {{ {TARGET} }}
  }}
}}
"""
SITES = f"""
query($from: String!, $to: String!, $scope: ReportScopeKind!, $id: String, $stream: StreamKind) {{
  site_balances(from: $from, to: $to, scope: $scope, id: $id, stream: $stream) {{
    {SCOPE}
    sites {{
      site_id name name_zh party_id party_name party_name_zh region received_kg shipped_kg
      figures {{ {FIGURES} }} loss_share flags
    }}
  }}
}}
"""
DRILL = f"""
query($from: String!, $to: String!, $measure: ReportMeasure!, $scope: ReportScopeKind!, $id: String,
      $stream: StreamKind, $by: String!, $fate: String) {{
  drilldown(from: $from, to: $to, measure: $measure, scope: $scope, id: $id, stream: $stream, by: $by,
            fate: $fate) {{
    {SCOPE} measure fate by total_kg rows {{ key name name_zh mass_kg count elements {{ key mass_kg }} }}
  }}
}}
"""

FLOWS = f"""
query($from: String!, $to: String!, $scope: ReportScopeKind!, $id: String, $stream: StreamKind, $view: FlowView!) {{
  flows(from: $from, to: $to, scope: $scope, id: $id, stream: $stream, view: $view) {{
    {SCOPE} view nodes {{ id name name_zh column }} links {{ source target mass_kg }} dropped_kg
  }}
}}
"""
RECORDS = """
query($from: String!, $to: String!, $site_id: String!, $direction: FlowDirection, $stage: String, $material: String,
      $fate: String, $stream: StreamKind, $model_id: String, $limit: Int!, $after: String) {
  records(from: $from, to: $to, site_id: $site_id, direction: $direction, stage: $stage, material: $material,
          fate: $fate, stream: $stream, model_id: $model_id, limit: $limit, after: $after) {
    site_id next_after
    records {
      event_id event_time site_id party_id direction stage stream material fate prior_fate mass_kg object_id
      model_id origin_site_id counterparty_id value_cny reverses
    }
  }
}
"""


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_template, tmp_path_factory.mktemp("demo"))


@pytest.fixture
async def store(demo_db: Path, tmp_path: Path) -> AsyncIterator[SqliteStore]:
    copy = tmp_path / "trace.db"
    shutil.copy(demo_db, copy)
    opened = await SqliteStore.open(copy)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def client(store: SqliteStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db"), store=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as c:
        yield c


async def rest(client: httpx.AsyncClient, path: str, **params: Any) -> Json:
    response = await client.get(
        f"/api/v1/reports/{path}", params={k: v for k, v in params.items() if v is not None}
    )
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def enum_name(value: str | None) -> str | None:
    return value.upper() if value is not None else None


def keyed(mapping: dict[str, Any]) -> list[Json]:
    """REST's map as GraphQL's list of key/value pairs."""
    return [{"key": k, "mass_kg": v} for k, v in mapping.items()]


def figures(f: Json, stream: str | None = None) -> Json:
    """REST's figures in GraphQL's shape (maps as lists, streams as enum names)."""
    out = {k: v for k, v in f.items() if k not in ("by_fate_kg", "stream")}
    return {**out, "by_fate": keyed(f["by_fate_kg"]), "stream": enum_name(stream)}


def scope(s: Json) -> Json:
    return {**s, "stream": enum_name(s["stream"])}


def totals(t: Json, key: str | None = None) -> Json:
    out = {k: v for k, v in t.items() if k not in ("producer_id", "name", "name_zh")}
    return {**out, "key": key, "name": t.get("name"), "name_zh": t.get("name_zh")}


# What GraphQL answers for what REST answers: the same figures, with enums by name and maps as lists of pairs.


def recovery_as_graphql(expected: Json) -> Json:
    return {
        "scope": scope(expected["scope"]),
        "period": expected["period"],
        "basis": expected["basis"],
        "targets_version": expected["targets_version"],
        "aggregate_rows": expected["aggregate_rows"],
        "figures": figures(expected["figures"]),
        "streams": [figures(s, s["stream"]) for s in expected["streams"]],
        "materials": [{**m, "stream": enum_name(m["stream"])} for m in expected["materials"]],
        "indicator_classes": keyed(expected["indicator_classes_kg"]),
        "checks": expected["checks"],
        "epr": totals(expected["epr"]) if expected["epr"] else None,
        "drilldown_measures": [m.name for m in ReportMeasure],
    }


def producers_as_graphql(expected: Json) -> Json:
    return {
        "period": expected["period"],
        "producer_id": expected["producer_id"],
        "lines": [{**x, "stream": enum_name(x["stream"])} for x in expected["lines"]],
        "producers": [totals(p, p["producer_id"]) for p in expected["producers"]],
        "groups": [totals(t, g) for g, t in expected["groups"].items()],
        "total": totals(expected["total"]),
        "targets": expected["targets"],
    }


def sites_as_graphql(expected: Json) -> Json:
    return {
        "scope": scope(expected["scope"]),
        "period": expected["period"],
        "sites": [{**s, "figures": figures(s["figures"])} for s in expected["sites"]],
    }


def drilldown_as_graphql(expected: Json, measure: str) -> Json:
    return {
        "scope": scope(expected["scope"]),
        "period": expected["period"],
        "measure": measure.upper(),
        "fate": expected["fate"],
        "by": expected["by"],
        "total_kg": expected["total_kg"],
        "rows": [
            {**{k: v for k, v in r.items() if k != "elements_kg"}, "elements": keyed(r["elements_kg"])}
            for r in expected["rows"]
        ],
    }


async def test_the_graphql_enums_are_the_domains() -> None:
    # Looked up by the domain's values: a value that differs raises, a missing or extra one changes the list.
    assert [ReportScopeKind(k.value).name for k in ScopeKind] == [e.name for e in ReportScopeKind]
    assert [ReportMeasure(m.value).name for m in Measure] == [e.name for e in ReportMeasure]


@pytest.mark.parametrize(
    ("kind", "id_", "stream"),
    [
        ("nation", None, None),
        ("nation", None, "battery"),
        ("province", "44", None),
        ("site", "s-huanan-weee-huiyang", None),
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
    assert got["checks"], "targets in force must be checked"
    assert got == recovery_as_graphql(expected)


@pytest.mark.parametrize("producer_id", [None, "yuehua-appliances"])
async def test_producer_obligations_are_rests(client: httpx.AsyncClient, producer_id: str | None) -> None:
    expected = await rest(client, "producers", **PERIOD, producer_id=producer_id)
    got = (await data(client, PRODUCERS, {**PERIOD, "producer_id": producer_id}))["producer_obligations"]
    assert got["lines"] and got["total"]["placed_on_market_units"] > 0
    assert got == producers_as_graphql(expected)


async def test_site_balances_are_rests(client: httpx.AsyncClient) -> None:
    expected = await rest(client, "sites", **PERIOD)
    got = (await data(client, SITES, {**PERIOD, "scope": "NATION"}))["site_balances"]
    assert len(got["sites"]) > 3
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


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-13", "to": "2026-09"}, "from"), ({"from": "2026-09", "to": "2026-01"}, "to")],
)
async def test_bad_input_gives_rests_error(client: httpx.AsyncClient, params: Json, field: str) -> None:
    response = await client.get("/api/v1/reports/recovery", params=params)
    assert response.status_code == 422
    rest_error = response.json()["error"]
    error = only_error(await gql(client, RECOVERY, {**params, "scope": "NATION"}))
    assert error["extensions"]["code"] == rest_error["code"] == "VALIDATION_ERROR"
    assert error["extensions"]["field"] == field


async def test_an_unknown_scope_id_gives_rests_error(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/reports/recovery", params={**PERIOD, "scope": "site", "id": "nowhere"}
    )
    assert response.status_code == 404, response.text
    error = only_error(await gql(client, RECOVERY, {**PERIOD, "scope": "SITE", "id": "nowhere"}))
    assert error["extensions"] == response.json()["error"]


@pytest.mark.parametrize(
    ("kind", "id_", "stream", "view"),
    [
        ("nation", None, None, "materials"),
        ("nation", None, None, "roles"),
        ("province", "43", "battery", "parties"),
    ],
)
async def test_flows_are_rests(
    client: httpx.AsyncClient, kind: str, id_: str | None, stream: str | None, view: str
) -> None:
    expected = await rest(client, "flows", **PERIOD, scope=kind, id=id_, stream=stream, view=view)
    variables = {
        **PERIOD,
        "scope": kind.upper(),
        "id": id_,
        "stream": enum_name(stream),
        "view": view.upper(),
    }
    got = (await data(client, FLOWS, variables))["flows"]
    assert got["links"] and len(got["nodes"]) > 2
    assert got == {
        "scope": scope(expected["scope"]),
        "period": expected["period"],
        "view": view.upper(),
        "nodes": expected["nodes"],
        "links": expected["links"],
        "dropped_kg": expected["dropped_kg"],
    }


def record(r: Json) -> Json:
    """REST's flow record in GraphQL's shape (enums by name), its time as an instant (REST writes UTC as Z,
    GraphQL as +00:00)."""
    return {**r, "direction": r["direction"].upper(), "stream": r["stream"].upper(), "event_time": instant(r)}


def instant(r: Json) -> datetime:
    return datetime.fromisoformat(r["event_time"])


def got_records(page: Json) -> list[Json]:
    return [{**r, "event_time": instant(r)} for r in page["records"]]


@pytest.mark.parametrize(
    ("filters", "limit"),
    [
        ({"site_id": "s-huanan-weee-huiyang"}, 7),
        ({"site_id": "s-huanan-weee-huiyang", "direction": "produced", "fate": "recycling"}, 50),
    ],
)
async def test_records_are_rests_page_by_page(client: httpx.AsyncClient, filters: Json, limit: int) -> None:
    expected = await rest(client, "records", **PERIOD, **filters, limit=limit)
    variables: Json = {**PERIOD, **filters, "limit": limit}
    if "direction" in filters:
        variables["direction"] = filters["direction"].upper()
    got = (await data(client, RECORDS, variables))["records"]
    assert got["records"], "a site with flows has records"
    assert {**got, "records": got_records(got)} == {
        "site_id": expected["site_id"],
        "next_after": expected["next_after"],
        "records": [record(r) for r in expected["records"]],
    }
    if got["next_after"] is not None:  # the next page, by the cursor GraphQL gave, is REST's next page too
        after = got["next_after"]
        page2 = (await data(client, RECORDS, {**variables, "after": after}))["records"]
        rest2 = await rest(client, "records", **PERIOD, **filters, limit=limit, after=after)
        assert got_records(page2) == [record(r) for r in rest2["records"]] and page2["records"]
        assert page2["records"][0] != got["records"][0]


async def test_a_bad_records_cursor_gives_rests_error(client: httpx.AsyncClient) -> None:
    params: Json = {**PERIOD, "site_id": "s-huanan-weee-huiyang", "limit": 5, "after": "not-a-cursor"}
    response = await client.get("/api/v1/reports/records", params=params)
    assert response.status_code == 422, response.text
    error = only_error(await gql(client, RECORDS, params))
    assert error["extensions"] == response.json()["error"]
