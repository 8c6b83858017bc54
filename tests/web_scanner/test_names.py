"""What a person reads on the item card and in its history: names, not ids. The category and materials as words in
the page's language (the scanner's own labels, complete for every code the platform's data files and the demo
use), the holder, sites and models by their registered names from the device's lists (with the id in small type
beside them, or on a tap in the lists), also offline from the lists kept on the device; the id itself only where
the device has no list."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from retrace.app.registry import Registration
from retrace.demo.dataset import demo_events, demo_notes, demo_registration
from retrace.domain.events import Disassemble, Transform
from retrace.domain.model import Party, ProductModel, Site
from tests.web_scanner.conftest import PHONE, Console, LiveServer, open_scanner, wait_for_service_worker

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "retrace" / "targets"
SCANNER = ROOT / "retrace" / "api" / "web" / "scanner"
# The demo device of the issue: the South China WEEE plant looks up the showcase car.
DEVICE = "party=huanan-weee&site=s-huanan-weee-huiyang"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def demo() -> Registration:
    return demo_registration()


@pytest.fixture(scope="module")
def car() -> str:
    vin: str = demo_notes().showcase["vehicle_vin"]
    return vin


def _context(browser: Browser, locale: str) -> BrowserContext:
    return browser.new_context(viewport=PHONE, locale=locale, has_touch=True, is_mobile=True)


# The contexts ask for the demo server so that it is started (session scope) before the browser (module scope):
# loading the demo runs an event loop, which it cannot while Playwright's is running.
@pytest.fixture
def zh(browser: Browser, demo_server: LiveServer) -> Iterator[BrowserContext]:
    context = _context(browser, "zh-CN")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def en(browser: Browser, demo_server: LiveServer) -> Iterator[BrowserContext]:
    context = _context(browser, "en-GB")
    try:
        yield context
    finally:
        context.close()


def _party(demo: Registration, party_id: str) -> Party:
    return next(p for p in demo.parties if p.id == party_id)


def _site(demo: Registration, site_id: str) -> Site:
    return next(s for s in demo.sites if s.id == site_id)


def _model(demo: Registration, model_id: str) -> ProductModel:
    return next(m for m in demo.models if m.id == model_id)


def _halves(name: str) -> tuple[str, str]:
    """A demo model's name is "English / 中文": its English and its Chinese half."""
    english, chinese = name.split(" / ")
    assert not CJK.search(english) and CJK.search(chinese), name
    return english, chinese


def _ref(fact: Locator, name: str, ref_id: str) -> None:
    """A name read as the main text, and the id only beside it in small type."""
    expect(fact.locator(".name")).to_have_text(name)
    expect(fact.locator(".ref-id")).to_have_text(ref_id)


def _lists_loaded(page: Page, source: str = "live") -> None:
    expect(page.locator("body")).to_have_attribute("data-directory", source)


# -- the labels ------------------------------------------------------------------------------------------------------


def _codes(path: Path, column: str) -> set[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row[column].strip() for row in csv.DictReader(f)}


def _demo_lot_materials() -> set[str]:
    found: set[str] = set()
    for event in demo_events():
        if isinstance(event, Disassemble):
            found |= {lot.material for lot in event.lots}
        elif isinstance(event, Transform):
            found |= {lot.material for lot in event.outputs}
    return found


def _chip_materials() -> set[str]:
    """The fractions the dismantle sheet offers as buttons (app.js's MATERIALS by stream)."""
    block = re.search(r"const MATERIALS = \{(.*?)\n\};", (SCANNER / "app.js").read_text(), re.S)
    assert block, "app.js no longer lists the dismantle fractions as const MATERIALS"
    return set(re.findall(r'"([a-z_]+)"', block.group(1)))


def test_every_category_and_material_of_the_data_files_and_the_demo_has_a_label_in_both_languages(
    en: BrowserContext, demo_server: LiveServer, console: Console
) -> None:
    page = open_scanner(en, demo_server, console, DEVICE)
    tables: dict[str, dict[str, dict[str, str]]] = page.evaluate(
        "async () => { const m = await import('./labels.js'); return { c: m.CATEGORIES, m: m.MATERIALS }; }"
    )
    categories, materials = tables["c"], tables["m"]
    wanted_categories = _codes(TARGETS / "categories.csv", "category")
    wanted_materials = (
        _codes(TARGETS / "materials.csv", "material") | _demo_lot_materials() | _chip_materials()
    )
    assert len(wanted_categories) > 15 and len(wanted_materials) > 50  # the files were read
    assert sorted(wanted_categories - set(categories)) == []
    assert sorted(wanted_materials - set(materials)) == []
    for code, label in [*categories.items(), *materials.items()]:
        assert set(label) == {"en", "zh"}, code
        assert label["en"].strip() and not CJK.search(label["en"]), (code, label)
        assert CJK.search(label["zh"]), (code, label)
    assert console.errors == [], console.errors


# -- the demo car ------------------------------------------------------------------------------------------------------


def test_the_demo_car_reads_as_names_in_chinese_and_english(
    zh: BrowserContext, demo_server: LiveServer, demo: Registration, car: str, console: Console
) -> None:
    item = httpx.get(f"{demo_server.base}/api/v1/items/{car}", timeout=30).json()
    holder, site, model = (
        _party(demo, item["holder_id"]),
        _site(demo, item["site_id"]),
        _model(demo, item["model_id"]),
    )
    assert item["category"] == "passenger_car_bev"
    page = open_scanner(zh, demo_server, console, f"{DEVICE}&code={car}")
    _lists_loaded(page)
    card = page.locator("#item")
    expect(card.locator("#item-title")).to_have_text("乘用车（纯电动）")
    expect(card.locator("#item-kind")).to_have_text("物品")
    english_model, chinese_model = _halves(model.name)
    _ref(card.locator("#item-model"), chinese_model, model.id)
    _ref(card.locator("[data-fact='holder']"), holder.name_zh or "", holder.id)
    _ref(card.locator("[data-fact='site']"), site.name_zh or "", site.id)
    # No id is the text to read anywhere on the card: each shows only as the small print beside its name.
    ids = {holder.id, site.id, model.id, item["category"]}
    for main_text in card.locator("h2, .name").all_inner_texts():
        assert not ids & set(main_text.split()), main_text
    # A long Chinese company name wraps inside the card; the page never grows wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    name_box = card.locator("[data-fact='holder'] .name").bounding_box()
    card_box = card.bounding_box()
    assert name_box and card_box and name_box["x"] + name_box["width"] <= card_box["x"] + card_box["width"]

    # Who held it and where it has been: names, the ids out of sight until a name is tapped.
    custody = page.locator("#custody-list li").first
    _ref(custody.locator("[data-ref='party']"), holder.name_zh or "", holder.id)
    _ref(custody.locator("[data-ref='site']"), site.name_zh or "", site.id)
    expect(custody.locator(".ref-id").first).to_be_hidden()
    history = page.locator("#history-list")
    text = history.inner_text()
    assert holder.name_zh and holder.name_zh in text and site.name_zh and site.name_zh in text
    assert holder.id not in text and site.id not in text, text
    dismantled = history.locator("li[data-type='disassemble']")
    expect(dismantled).to_contain_text("车身残骸")
    expect(dismantled).to_contain_text("铝")
    expect(dismantled).not_to_contain_text("vehicle_hulk")
    expect(dismantled).not_to_contain_text("aluminium")
    part = _model(demo, "jn-edu-150")
    expect(dismantled.locator("[data-ref='model'] .name")).to_have_text(_halves(part.name)[1])
    # The car is the container of its pack's aggregation: its history says a part went in, not that it went into one.
    expect(history.locator("li[data-type='aggregate'] strong")).to_have_text("装入部件")
    shipped = history.locator("li[data-type='ship']").first  # the newest: the owners shipped it to the yard
    expect(shipped.locator("[data-ref='party'] .name").first).to_have_text(holder.name_zh or "")
    named = custody.locator(".ref[data-ref='party']")
    named.click()
    expect(named.locator(".ref-id")).to_be_visible()
    expect(named.locator(".ref-id")).to_have_text(holder.id)

    page.click("#lang")
    expect(card.locator("#item-title")).to_have_text("Passenger car (battery electric)")
    expect(card.locator("#item-kind")).to_have_text("Item")
    _ref(card.locator("#item-model"), english_model, model.id)
    _ref(card.locator("[data-fact='holder']"), holder.name, holder.id)
    _ref(card.locator("[data-fact='site']"), site.name, site.id)
    expect(dismantled).to_contain_text("car hulk")
    expect(history.locator("li[data-type='aggregate'] strong")).to_have_text("parts packed in")
    expect(dismantled).not_to_contain_text("车身残骸")
    expect(dismantled.locator("[data-ref='model'] .name")).to_have_text(_halves(part.name)[0])
    expect(page.locator("#custody-list li").first.locator("[data-ref='site'] .name")).to_have_text(site.name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console.errors == [], console.errors


def test_a_lot_is_titled_by_its_material(
    en: BrowserContext, demo_server: LiveServer, console: Console
) -> None:
    lot = demo_notes().showcase["vehicle_black_mass_lot"]
    page = open_scanner(en, demo_server, console, f"{DEVICE}&code={lot}")
    expect(page.locator("#item-kind")).to_have_text("Lot")
    expect(page.locator("#item-title")).to_have_text("black mass")
    assert console.errors == [], console.errors


def test_offline_a_cached_item_shows_names_from_the_devices_lists_and_ids_without_them(
    en: BrowserContext, demo_server: LiveServer, demo: Registration, car: str, console: Console
) -> None:
    item = httpx.get(f"{demo_server.base}/api/v1/items/{car}", timeout=30).json()
    holder, site = _party(demo, item["holder_id"]), _site(demo, item["site_id"])
    page = open_scanner(en, demo_server, console, f"{DEVICE}&code={car}")
    wait_for_service_worker(page)
    _lists_loaded(page)
    _ref(page.locator("#item [data-fact='holder']"), holder.name, holder.id)

    en.set_offline(True)
    page.reload()  # the page from the service worker, the item from the device's cache, the lists from IndexedDB
    page.wait_for_selector("body[data-ready='true']")
    _lists_loaded(page, "cache")
    expect(page.locator("#item-title")).to_have_text("Passenger car (battery electric)")
    _ref(page.locator("#item [data-fact='holder']"), holder.name, holder.id)
    _ref(page.locator("#item [data-fact='site']"), site.name, site.id)
    expect(page.locator("#custody-list li").first.locator("[data-ref='party'] .name")).to_have_text(
        holder.name
    )

    # A device that never kept the lists: the ids are what it can show, in the names' place.
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            const request = indexedDB.deleteDatabase('trace-scanner-directory');
            request.onsuccess = resolve; request.onerror = reject; request.onblocked = resolve;
        })"""
    )
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    _lists_loaded(page, "none")
    holder_fact = page.locator("#item [data-fact='holder']")
    expect(holder_fact.locator(".name")).to_have_text(holder.id)
    expect(holder_fact.locator(".ref-id")).to_have_count(0)
    expect(page.locator("#item-title")).to_have_text(
        "Passenger car (battery electric)"
    )  # labels need no lists
    en.set_offline(False)
    assert console.errors == [], console.errors
