"""Registry, health and the app's own lifecycle, through the real app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.config import Settings
from tests.api.payloads import commission, registry
from tests.world import digital_link

pytestmark = pytest.mark.asyncio


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test")


async def test_registration_counts_what_it_saved_and_may_be_repeated(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # registering again replaces by id
        response = await client.post("/api/v1/registry", json=registry())
        assert response.status_code == 200, response.text
        assert response.json() == {"parties": 4, "licences": 3, "sites": 4, "models": 3}
    assert (await client.get("/healthz")).json()["counts"]["parties"] == 4


@pytest.mark.parametrize(
    ("mutate", "status", "code", "field"),
    [
        (lambda r: r["parties"][0].update(region="990000"), 422, "VALIDATION_ERROR", "parties[0].region"),
        (lambda r: r["sites"][1].update(party_id="ghost"), 404, "PARTY_NOT_FOUND", "sites[1].party_id"),
        (
            lambda r: r["models"][0].update(producer_id="collector"),
            422,
            "ROLE_MISSING",
            "models[0].producer_id",
        ),
        (lambda r: r["models"][0].update(gtin="80614141123459"), 422, "INVALID_IDENTIFIER", "models[0].gtin"),
        (
            lambda r: r["models"][0].update(composition_kg={"steel": 31}),
            422,
            "VALIDATION_ERROR",
            "models[0].composition",
        ),
        (
            lambda r: r["licences"][0].update(valid_to="2019-01-01"),
            422,
            "VALIDATION_ERROR",
            "licences[0].valid_to",
        ),
        (lambda r: r["parties"][0].update(roles=["wizard"]), 422, "VALIDATION_ERROR", "parties[0].roles[0]"),
    ],
)
async def test_bad_master_data_is_refused_with_the_field(
    client: httpx.AsyncClient, mutate: Any, status: int, code: str, field: str
) -> None:
    body = registry()
    mutate(body)
    response = await client.post("/api/v1/registry", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert (await client.get("/healthz")).json()["counts"]["parties"] == 0


async def test_health_reports_the_store_and_its_counts(registered: httpx.AsyncClient) -> None:
    await registered.post("/api/v1/events", json={"events": [commission("c1", 0, digital_link(1))]})
    response = await registered.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "store": "sqlite",
        "counts": {"objects": 1, "events": 1, "parties": 4, "sites": 4},
    }


async def test_health_is_503_when_the_store_is_gone(settings: Settings, tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "gone.db")
    async with client_for(create_app(settings, store=store)) as client:
        assert (await client.get("/healthz")).status_code == 200
        await store.close()
        response = await client.get("/healthz")
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "STORE_UNAVAILABLE"
        assert response.headers["retry-after"]


async def test_without_a_store_the_app_opens_and_closes_the_one_the_settings_name(tmp_path: Path) -> None:
    settings = Settings(sqlite_path=tmp_path / "nested" / "folder" / "trace.db")
    app = create_app(settings)
    async with client_for(app) as client:
        before = await client.get("/healthz")  # the lifespan has not run: a clear 503, not a crash
        assert before.status_code == 503 and before.json()["error"]["code"] == "STORE_UNAVAILABLE"
        async with app.router.lifespan_context(app):
            response = await client.post("/api/v1/registry", json=registry())
            assert response.status_code == 200, response.text
        assert (await client.get("/healthz")).status_code == 503
    assert settings.sqlite_path.exists()
    reopened = await SqliteStore.open(settings.sqlite_path)
    try:
        assert (await reopened.counts())["parties"] == 4
    finally:
        await reopened.close()


async def test_api_docs_are_served_without_any_cdn(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    script = await client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
