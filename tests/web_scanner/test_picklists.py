"""Pick lists over the demo data: the device's party and site, the party handing an item over, where it is shipped
and the model of a part are chosen from the platform's registered parties, sites and models (in the reader's
language), filtered as the capture rules filter them; what is chosen is what the store holds; the last choice is
offered again; and the lists work offline from the device's copy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from retrace.app.registry import Registration
from retrace.demo.dataset import demo_registration
from retrace.domain.model import LICENSED_ROLES, Party, Role, Stream
from tests.web_scanner.conftest import PHONE, Console, LiveServer, open_scanner, wait_for_service_worker

pytestmark = pytest.mark.browser

HOUSEHOLDS = "households-shenzhen"
HOMES = "s-households-shenzhen-homes"


@pytest.fixture(scope="module")
def demo() -> Registration:
    return demo_registration()


@pytest.fixture
def zh_context(browser: Browser, demo_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    try:
        yield context
    finally:
        context.close()


# -- what the capture rules allow, from the domain (the page's filters are checked against these) -----------------


def _may_hold(demo: Registration, party: Party, stream: Stream, at: datetime) -> bool:
    """Whether the capture rules let ``party`` take custody of ``stream`` at ``at`` (regulators hold nothing)."""
    if party.roles == {Role.REGULATOR}:
        return False
    if not party.roles & LICENSED_ROLES:
        return True
    return any(lic.covers(stream, at) for lic in demo.licences if lic.party_id == party.id)


def _sites(demo: Registration, party_id: str) -> list[str]:
    return [s.id for s in demo.sites if s.party_id == party_id]


def _licensed(demo: Registration, role: Role, sites: int | None = None) -> Party:
    """A demo party of ``role`` licensed for e-waste today (with exactly ``sites`` sites, if given)."""
    now = datetime.now(UTC)
    found = [
        p
        for p in demo.parties
        if role in p.roles
        and _may_hold(demo, p, Stream.WEEE, now)
        and (sites is None or len(_sites(demo, p.id)) == sites)
    ]
    assert found, (
        f"no demo {role.value} is licensed for WEEE today: renew the licences in retrace/demo/catalogue.py"
    )
    return found[0]


def _household_items(server: LiveServer, model: str) -> list[str]:
    """Codes (Digital Links) of demo appliances of ``model`` still in Shenzhen homes."""
    answer = httpx.get(f"{server.base}/api/v1/sites/{HOMES}/inventory", params={"limit": 1000}, timeout=30)
    assert answer.status_code == 200, answer.text
    codes = [i["identifiers"][0]["value"] for i in answer.json()["items"] if i["model_id"] == model]
    assert len(codes) >= 2, model
    return codes


# -- the page --------------------------------------------------------------------------------------------------------


def _options(page: Page, select: str) -> dict[str, str]:
    pairs: list[list[str]] = page.locator(f"{select} option").evaluate_all(
        "options => options.map(o => [o.value, o.textContent])"
    )
    return {value: text for value, text in pairs if value}


def _groups(page: Page, select: str) -> list[str]:
    labels: list[str] = page.locator(f"{select} optgroup").evaluate_all("groups => groups.map(g => g.label)")
    return labels


def _lists_loaded(page: Page, source: str = "live") -> None:
    expect(page.locator("body")).to_have_attribute("data-directory", source)


def _last_event(server: LiveServer, code: str) -> dict[str, Any]:
    event: dict[str, Any] = server.history(code)["events"][-1]["event"]
    return event


def _record(page: Page, sent: int) -> None:
    page.click("#sheet-submit")
    expect(page.locator("#sheet")).to_be_hidden()
    expect(page.locator("#sent-list li[data-state='created']")).to_have_count(sent)
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)


def test_the_device_is_set_up_by_choosing_a_demo_party_and_one_of_its_sites(
    zh_context: BrowserContext, demo_server: LiveServer, demo: Registration, console: Console
) -> None:
    page = open_scanner(zh_context, demo_server, console, "")
    _lists_loaded(page)
    expect(page.locator("#device")).to_have_text("请先设置本设备的主体和场地。")
    page.click("#open-settings")
    expect(page.locator("#directory-note")).to_contain_text("列表来自平台")

    # Who records: every party that handles items (not regulators, not households), yards first, by name in Chinese.
    offered = _options(page, "#set-party-pick")
    assert set(offered) == {p.id for p in demo.parties if p.roles - {Role.REGULATOR, Role.OWNER}}
    assert _groups(page, "#set-party-pick")[:3] == ["拆解企业", "综合利用企业", "回收网点"]
    one_site = _licensed(demo, Role.DISMANTLER, sites=1)
    two_sites = _licensed(demo, Role.COLLECTOR, sites=2)
    assert offered[one_site.id] == f"{one_site.name_zh} ({one_site.id})"

    # A party with two sites: its sites are the list, and the person chooses one.
    page.select_option("#set-party-pick", two_sites.id)
    expect(page.locator("#set-party")).to_have_value(two_sites.id)
    assert set(_options(page, "#set-site-pick")) == set(_sites(demo, two_sites.id))
    expect(page.locator("#set-site")).to_have_value("")
    # A party with one site: it is filled in.
    page.select_option("#set-party-pick", one_site.id)
    expect(page.locator("#set-site")).to_have_value(_sites(demo, one_site.id)[0])
    expect(page.locator("#set-site-pick")).to_have_value(_sites(demo, one_site.id)[0])
    # Back to the first party: the other party's site is not kept (it would be refused).
    page.select_option("#set-party-pick", two_sites.id)
    expect(page.locator("#set-site")).to_have_value("")
    chosen_site = _sites(demo, two_sites.id)[1]
    page.select_option("#set-site-pick", chosen_site)
    page.click("#sheet-submit")
    expect(page.locator("#sheet")).to_be_hidden()

    site_name = next(s.name_zh for s in demo.sites if s.id == chosen_site)
    expect(page.locator("#device")).to_have_text(f"操作方 {two_sites.name_zh} · 地点 {site_name}")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#device")).to_have_text(f"操作方 {two_sites.name_zh} · 地点 {site_name}")
    page.click("#open-settings")
    expect(page.locator("#set-party-pick")).to_have_value(two_sites.id)
    expect(page.locator("#set-site-pick")).to_have_value(chosen_site)
    assert console.errors == [], console.errors


def test_receive_and_ship_offer_the_holder_and_the_licensed_parties_and_record_the_chosen_ids(
    context: BrowserContext, demo_server: LiveServer, demo: Registration, console: Console
) -> None:
    collector = _licensed(demo, Role.COLLECTOR)
    yard = _sites(demo, collector.id)[0]
    dismantler = _licensed(demo, Role.DISMANTLER, sites=1)
    plant = _sites(demo, dismantler.id)[0]
    first, second = _household_items(demo_server, "yh-led-55")[:2]
    page = open_scanner(context, demo_server, console, f"party={collector.id}&site={yard}&code={first}")
    _lists_loaded(page)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", HOUSEHOLDS)

    # Receive: the household holding the TV is the party handing it over, already chosen.
    page.click("#act-receive")
    expect(page.locator("#f-from-pick")).to_have_value(HOUSEHOLDS)
    expect(page.locator("#f-from")).to_have_value(HOUSEHOLDS)
    assert not {p.id for p in demo.parties if p.roles == {Role.REGULATOR}} & set(
        _options(page, "#f-from-pick")
    )
    _record(page, 1)
    received = _last_event(demo_server, first)
    assert (received["type"], received["party_id"], received["site_id"], received["from_party_id"]) == (
        "receive",
        collector.id,
        yard,
        HOUSEHOLDS,
    )

    # Ship: exactly the parties the rules let take e-waste today.
    page.click("#act-ship")
    expect(page.locator("#ship-hint")).to_contain_text("e-waste (WEEE)")
    now = datetime.now(UTC)
    offered = set(_options(page, "#f-to-pick"))
    assert offered == {p.id for p in demo.parties if _may_hold(demo, p, Stream.WEEE, now)}
    assert "hongda-battery" not in offered  # batteries only, and its licence lapsed
    assert "shunchang-logistics" in offered  # a carrier needs no licence
    page.select_option("#f-to-pick", dismantler.id)
    expect(page.locator("#f-to-site")).to_have_value(plant)  # its only site
    _record(page, 2)
    shipped = _last_event(demo_server, first)
    assert (shipped["type"], shipped["to_party_id"], shipped["to_site_id"]) == ("ship", dismantler.id, plant)
    assert (shipped["party_id"], shipped["site_id"]) == (collector.id, yard)
    expect(page.locator("#item-status")).to_have_attribute("data-status", "in_transit")

    # The next TV: the last destination is offered first; an id not on the list can still be typed.
    page.fill("#code", second)
    page.click("#lookup")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", HOUSEHOLDS)
    page.click("#act-receive")
    _record(page, 3)
    page.click("#act-ship")
    expect(page.locator("#f-to-pick")).to_have_value(dismantler.id)
    expect(page.locator("#f-to")).to_have_value(dismantler.id)
    expect(page.locator("#f-to-site")).to_have_value(plant)
    page.fill("#f-to", "not-registered-yet")
    expect(page.locator("#f-to-pick")).to_have_value("")
    expect(page.locator("#f-to-pick option").first).to_have_text("Not on the list: typed below")
    page.click("#sheet-cancel")
    assert console.errors == [], console.errors


def test_a_parts_model_is_chosen_from_the_registered_models_and_offered_again(
    context: BrowserContext, demo_server: LiveServer, demo: Registration, console: Console
) -> None:
    dismantler = _licensed(demo, Role.DISMANTLER, sites=1)
    plant = _sites(demo, dismantler.id)[0]
    first, second = _household_items(demo_server, "yh-xqg-100")[:2]
    page = open_scanner(context, demo_server, console, f"party={dismantler.id}&site={plant}&code={first}")
    _lists_loaded(page)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", HOUSEHOLDS)
    page.click("#act-receive")
    _record(page, 1)

    page.click("#act-dismantle")
    page.locator("#material-chips [data-material='ferrous']").click()
    page.locator("#outputs .output[data-kind='lot'] input[data-mass]").fill("30")
    page.click("#add-part")
    part = page.locator("#outputs .output[data-kind='part']")
    model = part.locator("select.pick")
    # Every registered model, the washer's own stream first (an EV's pack would be under batteries).
    assert set(_options(page, "#outputs .output[data-kind='part'] select.pick")) == {
        m.id for m in demo.models
    }
    assert _groups(page, "#outputs .output[data-kind='part'] select.pick")[0] == "e-waste (WEEE)"
    model.select_option("yh-motor-washer")
    expect(part.locator("input[data-part-model]")).to_have_value("yh-motor-washer")
    part.locator("input[data-part-code]").fill("PART-MOTOR-0001")
    part.locator("input[data-mass]").fill("5.5")
    part.locator("select[data-fate]").select_option("reuse")
    _record(page, 2)
    event = _last_event(demo_server, first)
    assert event["type"] == "disassemble" and (event["party_id"], event["site_id"]) == (dismantler.id, plant)
    assert event["parts"] == [
        {"identifiers": ["PART-MOTOR-0001"], "model_id": "yh-motor-washer", "mass_kg": 5.5, "fate": "reuse"}
    ]
    assert [(lot["material"], lot["mass_kg"]) for lot in event["lots"]] == [("ferrous", 30)]

    page.fill("#code", second)
    page.click("#lookup")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", HOUSEHOLDS)
    page.click("#act-receive")
    _record(page, 3)
    page.click("#act-dismantle")
    page.click("#add-part")
    expect(page.locator("#outputs .output[data-kind='part'] input[data-part-model]")).to_have_value(
        "yh-motor-washer"
    )
    page.click("#sheet-cancel")
    assert console.errors == [], console.errors


def test_the_lists_work_offline_from_the_devices_copy(
    context: BrowserContext, demo_server: LiveServer, demo: Registration, console: Console
) -> None:
    collector = _licensed(demo, Role.COLLECTOR)
    yard = _sites(demo, collector.id)[0]
    dismantler = _licensed(demo, Role.DISMANTLER, sites=1)
    plant = _sites(demo, dismantler.id)[0]
    desktop = _household_items(demo_server, "bc-desktop-2025")[0]
    page = open_scanner(context, demo_server, console, f"party={collector.id}&site={yard}&code={desktop}")
    wait_for_service_worker(page)
    _lists_loaded(page)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", HOUSEHOLDS)

    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    page.reload()  # from the service worker's cache; the lists from IndexedDB
    page.wait_for_selector("body[data-ready='true']")
    _lists_loaded(page, "cache")
    expect(page.locator("#device")).to_have_text(
        f"by {collector.name} · at {next(s.name for s in demo.sites if s.id == yard)}"
    )
    page.click("#open-settings")
    assert set(_options(page, "#set-party-pick")) == {
        p.id for p in demo.parties if p.roles - {Role.REGULATOR, Role.OWNER}
    }
    page.click("#sheet-cancel")

    page.click("#act-receive")
    expect(page.locator("#f-from-pick")).to_have_value(HOUSEHOLDS)  # the item as last seen
    page.click("#sheet-submit")
    expect(page.locator("#sheet")).to_be_hidden()
    page.click("#act-ship")
    now = datetime.now(UTC)
    assert set(_options(page, "#f-to-pick")) == {
        p.id for p in demo.parties if _may_hold(demo, p, Stream.WEEE, now)
    }
    page.select_option("#f-to-pick", dismantler.id)
    expect(page.locator("#f-to-site")).to_have_value(plant)
    page.click("#sheet-submit")
    expect(page.locator("#queue-list li[data-state='pending']")).to_have_count(2)

    context.set_offline(False)
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)
    events = [e["event"] for e in demo_server.history(desktop)["events"]][-2:]
    assert [(e["type"], e["party_id"], e["site_id"]) for e in events] == [
        ("receive", collector.id, yard),
        ("ship", collector.id, yard),
    ]
    assert events[0]["from_party_id"] == HOUSEHOLDS
    assert (events[1]["to_party_id"], events[1]["to_site_id"]) == (dismantler.id, plant)
    assert console.errors == [], console.errors
