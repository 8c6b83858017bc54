"""Recording online through the page: what the person chooses is what the store holds (types, objects, masses in
kg, fates, parts and lots), recorded for the device's party and site."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.web_scanner.conftest import Console, LiveServer, open_scanner

pytestmark = pytest.mark.browser


def _last_event(server: LiveServer, code: str) -> dict[str, Any]:
    event: dict[str, Any] = server.history(code)["events"][-1]["event"]
    return event


def _wait_sent(page: Page, count: int) -> None:
    expect(page.locator("#sent-list li[data-state='created']")).to_have_count(count)
    expect(page.locator("#queue-list li[data-event-id]")).to_have_count(0)


def test_receive_weigh_and_ship_are_recorded_for_the_devices_party_and_site(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "maker")

    page.click("#act-receive")
    page.fill("#f-from", "maker")
    page.click("#sheet-submit")
    _wait_sent(page, 1)
    received = _last_event(live_server, tv)
    assert (
        received["type"] == "receive" and received["objects"] == [tv] and received["from_party_id"] == "maker"
    )
    assert (received["party_id"], received["site_id"]) == ("dismantler", "site-dismantler")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "dismantler")

    page.click("#act-weigh")
    page.fill("#f-mass", "-3")
    page.click("#sheet-submit")
    expect(page.locator("#sheet-error")).to_contain_text("above 0 kg")
    page.fill("#f-mass", "28.125")
    page.click("#sheet-submit")
    _wait_sent(page, 2)
    assert _last_event(live_server, tv)["mass_kg"] == 28.125
    expect(page.locator("#item [data-fact='mass']")).to_have_text("28.125 kg")

    page.click("#act-ship")
    page.fill("#f-to", "recycler")
    page.fill("#f-to-site", "site-recycler")
    page.click("#sheet-submit")
    _wait_sent(page, 3)
    shipped = _last_event(live_server, tv)
    assert shipped["type"] == "ship" and shipped["to_party_id"] == "recycler"
    assert shipped["to_site_id"] == "site-recycler"
    expect(page.locator("#item-status")).to_have_attribute("data-status", "in_transit")
    assert console.errors == [], console.errors


def test_dismantling_records_the_chosen_fractions_and_parts_with_their_masses_and_fates(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv(holder="dismantler")
    page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#item-status")).to_have_attribute("data-status", "active")
    page.click("#act-dismantle")
    page.click("#sheet-submit")
    expect(page.locator("#sheet-error")).to_have_text("Add at least one fraction or part.")

    chips = page.locator("#material-chips")
    chips.locator("[data-material='copper']").click()
    chips.locator("[data-material='plastics']").click()
    chips.locator("[data-material='pu_foam']").click()
    lots = page.locator("#outputs .output[data-kind='lot']")
    expect(lots).to_have_count(3)
    lots.nth(0).locator("input[data-mass]").fill("2.5")
    lots.nth(1).locator("input[data-mass]").fill("9")
    lots.nth(2).locator("input[data-mass]").fill("1,25")
    expect(lots.nth(2).locator("select")).to_have_value("energy_recovery")  # the usual fate of PU foam
    lots.nth(1).locator("select").select_option("energy_recovery")
    page.click("#add-part")
    part = page.locator("#outputs .output[data-kind='part']")
    part.locator("input[data-part-code]").fill("PART-TV-PSU-0001")
    part.locator("input[data-part-model]").fill("tv")
    part.locator("input[data-mass]").fill("3")
    expect(page.locator("#outputs-total")).to_have_text("Outputs 15.75 kg of 30 kg")
    page.click("#sheet-submit")
    _wait_sent(page, 1)

    event = _last_event(live_server, tv)
    assert event["type"] == "disassemble" and event["object"] == tv
    assert [(lot["material"], lot["mass_kg"], lot["fate"]) for lot in event["lots"]] == [
        ("copper", 2.5, "recycling"),
        ("plastics", 9, "energy_recovery"),
        ("pu_foam", 1.25, "energy_recovery"),
    ]
    for lot in event["lots"]:
        assert re.fullmatch(r"LOT-\d{6}-[A-Z_]+-[0-9A-F]{8}", lot["code"]), lot["code"]
    assert event["parts"] == [
        {"identifiers": ["PART-TV-PSU-0001"], "model_id": "tv", "mass_kg": 3, "fate": "reuse"}
    ]
    part_item = httpx.get(f"{live_server.base}/api/v1/items/PART-TV-PSU-0001", timeout=30).json()
    assert part_item["mass_kg"] == 3 and part_item["holder_id"] == "dismantler"
    # Dismantled is final: the page says so and offers no more actions on it.
    expect(page.locator("#item-status")).to_have_attribute("data-status", "dismantled")
    for action in ("receive", "weigh", "dismantle", "ship"):
        expect(page.locator(f"#act-{action}")).to_be_disabled()
    assert console.errors == [], console.errors


def test_recording_asks_for_the_devices_party_and_site_first(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    page = open_scanner(context, live_server, console, f"code={tv}")
    expect(page.locator("#device")).to_have_text("Set the party and site of this device first.")
    page.click("#act-receive")
    expect(page.locator("#sheet-title")).to_have_text("This device")
    page.fill("#set-party", "collector")
    page.fill("#set-site", "site-collector")
    page.click("#sheet-submit")
    # Then the action the person asked for opens.
    expect(page.locator("#sheet-title")).to_contain_text("Receive")
    page.click("#sheet-submit")
    _wait_sent(page, 1)
    event = _last_event(live_server, tv)
    assert (event["type"], event["party_id"], event["site_id"]) == ("receive", "collector", "site-collector")
    assert console.errors == [], console.errors
