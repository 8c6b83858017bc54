"""On a phone that opens the scanner over plain http by the server's LAN address (not https, not localhost), the
browser withholds the camera, the service worker, crypto.randomUUID and Web Locks. What must still work: the page
loads cleanly, says why there is no camera, and codes typed or pasted are looked up and recorded, through the same
IndexedDB queue, with event ids made from crypto.getRandomValues.

Chromium treats 127.0.0.1 as secure, so the test maps a made-up host name to it: http://scanner.test is an
ordinary insecure origin to the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, expect

from tests.web_scanner.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, Console, LiveServer

pytestmark = pytest.mark.browser

HOST = "scanner.test"


@pytest.fixture(scope="module")
def lan_browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def lan_context(lan_browser: Browser) -> Iterator[BrowserContext]:
    context = lan_browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        yield context
    finally:
        context.close()


def test_over_plain_http_the_camera_is_explained_and_typed_codes_are_recorded(
    lan_context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    port = urlsplit(live_server.base).port
    page = lan_context.new_page()
    console.attach(page)
    page.goto(f"http://{HOST}:{port}/scan/?party=dismantler&site=site-dismantler")
    page.wait_for_selector("body[data-ready='true']")
    assert page.evaluate("window.isSecureContext") is False
    assert page.evaluate("'serviceWorker' in navigator") is False
    assert page.evaluate("typeof crypto.randomUUID") == "undefined"

    page.click("#scan")
    expect(page.locator("#camera-status")).to_have_text(
        "The camera needs https (or localhost). Type or paste the code instead."
    )
    page.click("#camera-close")

    page.fill("#code", tv)
    page.click("#lookup")
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "maker")
    page.click("#act-receive")
    page.click("#sheet-submit")
    sent = page.locator("#sent-list li[data-state='created']")
    expect(sent).to_have_count(1)
    event_id = sent.get_attribute("data-event-id")
    assert event_id and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", event_id
    )
    stored = [e for e in live_server.history(tv)["events"] if e["event"]["event_id"] == event_id]
    assert len(stored) == 1 and stored[0]["event"]["type"] == "receive"
    assert console.errors == [], console.errors
