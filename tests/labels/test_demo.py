"""The README's walk-through on the demo data: print the showcase items' labels, scan them, open their links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.config import Settings
from retrace.demo.dataset import demo_notes
from tests.conftest import copy_demo
from tests.labels.support import RESOLVER, read_pdf

pytestmark = pytest.mark.asyncio

SHOWCASE = [
    "tv_digital_link",
    "fridge_rfid_sgtin96",
    "vehicle_vin",
    "vehicle_pack",
    "vehicle_module",
    "vehicle_cell",
    "vehicle_black_mass_lot",
    "vehicle_lithium_carbonate_lot",
    "second_life_cabinet",
    "fridge_compressor",
]


@pytest.fixture
async def demo(demo_template: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(sqlite_path=copy_demo(demo_template, tmp_path), resolver_base=RESOLVER)
    store = await SqliteStore.open(settings.sqlite_path)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, store=store))
        async with httpx.AsyncClient(transport=transport, base_url=RESOLVER) as client:
            yield client
    finally:
        await store.close()


async def test_showcase_labels_scan_and_resolve_to_their_items(demo: httpx.AsyncClient) -> None:
    showcase = demo_notes().showcase
    identifiers = [showcase[name] for name in SHOWCASE]
    sheet = await demo.post("/api/v1/labels", json={"identifiers": identifiers})
    assert sheet.status_code == 200, sheet.text
    pages = read_pdf(sheet.content)
    decoded = [code.text for page in pages for code in page.codes]
    assert len(decoded) == len(identifiers)
    assert "粤华电器股份有限公司" in "".join(page.text for page in pages)
    resolved: dict[str, str] = {}
    for link in decoded:
        response = await demo.get(link, headers={"accept": "application/json"})
        assert response.status_code == 200, response.text
        resolved[response.json()["item"]["id"]] = link
        page = await demo.get(link, headers={"accept": "text/html"})
        assert page.status_code == 200 and "最近事件" in page.text
    expected = [(await demo.get(f"/api/v1/items/{quote(i, safe=':/')}")).json()["id"] for i in identifiers]
    assert sorted(resolved) == sorted(expected)  # each label leads back to its own item, none to another


async def test_a_producers_commissioning_event_prints_its_sheet(demo: httpx.AsyncClient) -> None:
    tv_link = demo_notes().showcase["tv_digital_link"]
    tv = (await demo.get(f"/api/v1/items/{tv_link}")).json()
    sheet = await demo.post("/api/v1/labels", json={"event_id": tv["created_by_event"]})
    assert sheet.status_code == 200, sheet.text
    decoded = {code.text for page in read_pdf(sheet.content) for code in page.codes}
    assert f"{RESOLVER}/{tv_link.split('/', 3)[3]}" in decoded  # the label carries this platform's resolver
