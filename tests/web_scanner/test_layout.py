"""One-handed use: on a phone held in one hand, what the thumb needs is in the lower part of the screen and big
enough to hit with a gloved thumb (at least 44 px, Apple's and Google's minimum touch target)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web_scanner.conftest import Console, LiveServer, open_scanner

pytestmark = pytest.mark.browser

MAIN_ACTIONS = [
    "#scan",
    "#code",
    "#lookup",
    "#act-receive",
    "#act-weigh",
    "#act-dismantle",
    "#act-ship",
    "#queue-button",
]
MIN_TARGET = 44


@pytest.fixture(params=[(390, 844), (360, 640)], ids=["390x844", "360x640"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", has_touch=True, is_mobile=True
    )
    try:
        yield context
    finally:
        context.close()


def _in_thumb_reach(page: Page, selector: str) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    where = f"{selector} at y={box['y']:.0f}..{box['y'] + box['height']:.0f} of {viewport['height']}"
    assert box["y"] >= viewport["height"] / 2, f"{where}: not in the lower half of the screen"
    assert box["y"] + box["height"] <= viewport["height"], f"{where}: below the screen"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (
        f"{selector} is off screen sideways"
    )
    assert box["height"] >= MIN_TARGET, f"{selector} is {box['height']:.0f} px tall"
    assert box["width"] >= MIN_TARGET, f"{selector} is {box['width']:.0f} px wide"


def test_the_main_actions_are_in_the_lower_part_of_the_screen_and_big_enough(
    phone: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv(holder="dismantler")
    page = open_scanner(phone, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
    expect(page.locator("#act-receive")).to_be_enabled()
    # A recorded event puts the long, unbroken Digital Link in the queue panel: it must wrap, not widen the page
    # (a mobile browser would zoom out and the dock would leave the thumb).
    page.click("#act-weigh")
    page.fill("#f-mass", "30")
    page.click("#sheet-submit")
    expect(page.locator("#sent-list li[data-state='created']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for selector in MAIN_ACTIONS:
        _in_thumb_reach(page, selector)
    # Scrolled to the bottom of a long page, they are still there (the dock does not scroll away).
    page.mouse.wheel(0, 5000)
    page.wait_for_timeout(200)
    for selector in MAIN_ACTIONS:
        _in_thumb_reach(page, selector)
    # Forms open as sheets from the bottom, with their buttons under the thumb.
    page.click("#act-dismantle")
    expect(page.locator("#sheet")).to_be_visible()
    for selector in ("#sheet-submit", "#sheet-cancel"):
        _in_thumb_reach(page, selector)
    page.click("#sheet-cancel")
    expect(page.locator("#sheet")).to_be_hidden()
    assert console.errors == [], console.errors


def test_without_a_camera_the_page_says_what_to_do_and_closes_from_the_bottom(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    page = open_scanner(context, live_server, console)
    page.click("#scan")
    expect(page.locator("#camera-status")).to_contain_text("Type or paste the code instead")
    _in_thumb_reach(page, "#camera-close")
    page.click("#camera-close")
    expect(page.locator("#camera")).to_be_hidden()
    assert console.errors == [], console.errors
