"""The reports over REST: the real app over a real embedded store holding the demo data."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.app.reporting import ReportQueries
from retrace.config import Settings
from retrace.demo.dataset import demo_events
from retrace.domain.events import Remanufacture, Transform
from retrace.domain.rates.report import Period, Scope, ScopeKind
from retrace.targets import load_catalogue
from tests.api.payloads import registry

pytestmark = pytest.mark.asyncio
PERIOD = {"from": "2025-01", "to": "2026-09"}


@pytest.fixture
async def store(demo_db: Path, tmp_path: Path) -> AsyncIterator[SqliteStore]:
    copy = tmp_path / "trace.db"
    shutil.copy(demo_db, copy)  # each test may write: its own copy
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


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_national_report_is_the_engines(client: httpx.AsyncClient, store: SqliteStore) -> None:
    body = await get(client, "/api/v1/reports/recovery")
    report = await ReportQueries(store, load_catalogue()).recovery(
        Scope(ScopeKind.NATION), Period("2025-01", "2026-09")
    )
    f = body["figures"]
    assert f["treated_kg"] == report.figures.treated_g / 1000
    assert f["recycling_rate"] == round(float(report.figures.recycling_rate or 0), 6)
    assert f["units_treated"] == report.figures.units_treated == 246
    declared = sum(e.reagents_g or 0 for e in demo_events() if isinstance(e, Transform))
    assert f["reagents_kg"] == report.figures.reagents.mass_g / 1000 == declared / 1000  # all in end products
    recorded_value = sum(e.value_cny or 0 for e in demo_events() if isinstance(e, Remanufacture))
    assert f["remanufacturing_value_cny"] == recorded_value > 0
    assert {s["stream"] for s in body["streams"]} == {"weee", "elv", "battery"}
    assert body["scope"] == {"kind": "nation", "id": None, "stream": None, "name": "China", "name_zh": "全国"}
    assert body["period"] == {"from": "2025-01", "to": "2026-09", "months": 21}
    assert body["targets_version"] == load_catalogue().version
    ids = {c["target"]["id"] for c in body["checks"]}
    assert {
        "miit_scrap_steel",
        "miit_weee_units",
        "miit_renewable_utilisation_rate",
        "eu_elv_recycling",
    } <= ids
    scrap = next(c for c in body["checks"] if c["target"]["id"] == "miit_scrap_steel")
    assert scrap["traced"] > 0 and 0 < scrap["share_of_target"] < 1e-6 and scrap["met"] is False
    lithium = next(
        c
        for c in body["checks"]
        if c["target"]["id"] == "cn_battery_2024_li" and c["subject_id"] == "ganzhou-lithium"
    )
    assert 89.9 < lithium["measured"] < 90.1 and lithium["numerator"] < lithium["denominator"]
    not_measured = next(c for c in body["checks"] if c["target"]["id"] == "eu_bat_eff_lead_2025")
    assert not_measured["measured"] is None and not_measured["met"] is None and not_measured["note"]


@pytest.mark.parametrize(
    ("params", "kind", "name_zh"),
    [
        ({"scope": "province", "id": "43"}, "province", "湖南"),
        ({"scope": "party", "id": "xiangjiang-weee"}, "party", "湖南湘江电子废弃物处理有限公司"),
        ({"scope": "site", "id": "s-xiangjiang-weee-wangcheng"}, "site", "望城拆解厂"),
        ({"scope": "producer", "id": "jiangnan-motor"}, "producer", "江南汽车股份有限公司"),
        ({"scope": "model", "id": "jn-ev-ncm"}, "model", None),
        ({"scope": "nation", "stream": "battery"}, "nation", "全国"),
    ],
)
async def test_every_scope_reports(
    client: httpx.AsyncClient, params: dict[str, str], kind: str, name_zh: str | None
) -> None:
    body = await get(client, "/api/v1/reports/recovery", **params)
    assert body["scope"]["kind"] == kind
    if name_zh:
        assert body["scope"]["name_zh"] == name_zh
    assert body["figures"]["treated_kg"] > 0
    assert body["basis"] == ("models" if kind in ("producer", "model") else "sites")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"scope": "party", "id": "nobody"}, 404, "PARTY_NOT_FOUND"),
        ({"scope": "site", "id": "s-nowhere"}, 404, "SITE_NOT_FOUND"),
        ({"scope": "model", "id": "no-model"}, 404, "MODEL_NOT_FOUND"),
        ({"scope": "province", "id": "99"}, 422, "VALIDATION_ERROR"),
        ({"scope": "party"}, 422, "VALIDATION_ERROR"),
        ({"from": "2026-13"}, 422, "VALIDATION_ERROR"),
        ({"from": "2026-09", "to": "2025-01"}, 422, "VALIDATION_ERROR"),
        ({"scope": "planet"}, 422, "VALIDATION_ERROR"),
    ],
)
async def test_a_bad_request_gets_the_error_body(
    client: httpx.AsyncClient, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get("/api/v1/reports/recovery", params={**PERIOD, **params})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["message_zh"]


async def test_producers_report_their_obligations(client: httpx.AsyncClient) -> None:
    body = await get(client, "/api/v1/reports/producers")
    lines = {x["model_id"]: x for x in body["lines"]}
    ev = lines["jn-ev-ncm"]
    assert ev["placed_on_market_units"] == 10 and ev["treated_units"] <= 10
    assert ev["rate"] == round(ev["properly_treated_units"] / ev["placed_on_market_units"], 6)
    assert lines["sl-ncm-cell-150"]["component"] is True
    shuli = next(p for p in body["producers"] if p["producer_id"] == "shuli-battery")
    assert shuli["treated_units"] > shuli["properly_treated_units"]  # a pack opened after the licence lapsed
    assert body["total"]["placed_on_market_units"] == sum(
        p["placed_on_market_units"] for p in body["producers"]
    )
    assert [t["id"] for t in body["targets"]] == ["cn_epr_2025"]  # the 2020 step ended in 2024
    one = await get(client, "/api/v1/reports/producers", producer_id="yuehua-appliances")
    assert {x["producer_id"] for x in one["lines"]} == {"yuehua-appliances"}


async def test_sites_flows_and_drill_down_add_up(client: httpx.AsyncClient) -> None:
    report = await get(client, "/api/v1/reports/recovery")
    sites = await get(client, "/api/v1/reports/sites")
    flags = {s["site_id"]: s["flags"] for s in sites["sites"] if s["flags"]}
    assert flags == {
        "s-chaoyang-metals-guiyu": ["copper_out_exceeds_in"],
        "s-hongda-battery-humen": ["unlicensed_treatment"],
        "s-shudu-weee-xindu": ["unknown_fate"],
        "s-xiangjiang-weee-wangcheng": ["high_yield"],
    }
    drill = await get(client, "/api/v1/reports/drilldown", measure="recycled", by="site")
    assert drill["total_kg"] == pytest.approx(report["figures"]["recycled_kg"])
    assert sum(r["mass_kg"] for r in drill["rows"]) == pytest.approx(drill["total_kg"])
    by_party = await get(client, "/api/v1/reports/drilldown", measure="loss", by="party")
    assert sum(r["mass_kg"] for r in by_party["rows"]) == pytest.approx(report["figures"]["loss_kg"])
    materials = await get(client, "/api/v1/reports/flows")
    ids = {n["id"] for n in materials["nodes"]}
    assert {
        "stream:weee",
        "stream:elv",
        "stream:battery",
        "class:ferrous",
        "fate:recycling",
        "fate:loss",
    } <= ids
    # What leaves the streams (final by class, pending, transfer, loss) is what entered them.
    out_of_streams = sum(x["mass_kg"] for x in materials["links"] if x["source"].startswith("stream:"))
    assert (
        out_of_streams == pytest.approx(report["figures"]["input_kg"], rel=1e-4)
        and materials["dropped_kg"] == 0
    )
    roles = await get(client, "/api/v1/reports/flows", view="roles")
    assert any(x["source"] == "role:collector" and x["target"] == "role:dismantler" for x in roles["links"])
    parties = await get(client, "/api/v1/reports/flows", view="parties")
    assert any(x["source"] == "party:suzhou-elv" for x in parties["links"])


async def test_a_sites_records_come_page_by_page(client: httpx.AsyncClient) -> None:
    site = "s-xiangjiang-weee-wangcheng"
    first = await get(client, "/api/v1/reports/records", site_id=site, limit=50)
    assert len(first["records"]) == 50 and first["next_after"]
    second = await get(client, "/api/v1/reports/records", site_id=site, limit=50, after=first["next_after"])
    assert {r["event_id"] for r in second["records"]}.isdisjoint({r["event_id"] for r in first["records"]} - {
        first["records"][-1]["event_id"]})  # fmt: skip
    consumed = await get(
        client, "/api/v1/reports/records", site_id=site, direction="consumed", stage="entry", limit=1000
    )
    assert len(consumed["records"]) == 53 and consumed["next_after"] is None
    bad = await client.get("/api/v1/reports/records", params={**PERIOD, "site_id": site, "after": "nonsense"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "after"
    missing = await client.get("/api/v1/reports/records", params={**PERIOD, "site_id": "s-nowhere"})
    assert missing.status_code == 404


async def test_targets_are_served_as_data(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reports/targets")
    body = response.json()
    assert body["version"] == load_catalogue().version and len(body["targets"]) == len(
        load_catalogue().targets
    )
    verify = {t["id"] for t in body["targets"] if t["status"] == "verify"}
    assert "cn_battery_2024_li" in verify and "eu_elv_recycling" not in verify


async def test_assays_and_remanufacturing_values_are_captured_and_reported(
    client: httpx.AsyncClient, store: SqliteStore
) -> None:
    assert (await client.post("/api/v1/registry", json=registry())).status_code == 200
    common = {"site_id": "site-recycler", "party_id": "recycler"}
    batch = {
        "events": [
            {"type": "commission", "event_id": "x-c", "event_time": "2026-03-02T09:00:00+08:00", **common,
             "items": [{"identifiers": ["0A1PE0500000000000000901"], "model_id": "pack"}]},
            {"type": "transform", "event_id": "x-t", "event_time": "2026-03-02T10:00:00+08:00", **common,
             "inputs": ["0A1PE0500000000000000901"],
             "outputs": [{"code": "ASSAY-BM-1", "material": "black_mass", "mass_kg": 100, "fate": "recycling",
                          "composition_kg": {"lithium": 3.2, "nickel": 12.5}}]},
        ]
    }  # fmt: skip
    response = await client.post("/api/v1/events", json=batch)
    assert response.status_code == 201, response.text
    history = (await client.get("/api/v1/items/internal:ASSAY-BM-1/history")).json()
    transform = next(e["event"] for e in history["events"] if e["event"]["type"] == "transform")
    assert transform["outputs"][0]["composition_kg"] == {"lithium": 3.2, "nickel": 12.5}
    march = {"from": "2026-03", "to": "2026-03"}
    records = await get(
        client, "/api/v1/reports/records", site_id="site-recycler", direction="produced", **march
    )
    assert records["records"][0]["material"] == "black_mass"
