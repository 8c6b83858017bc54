"""The scanner page in the real Chromium: it loads cleanly, speaks both languages, and shows an item looked up by a
typed or pasted code, with its history and custody from the REST API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from retrace.domain.events import EVENT_TYPES
from retrace.domain.model import Fate, Role, Status, Stream
from tests.web_scanner.conftest import PHONE, Console, LiveServer, open_scanner

pytestmark = pytest.mark.browser


def test_the_page_loads_with_no_console_errors(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    page = open_scanner(context, live_server, console)
    expect(page.locator("#scan")).to_be_visible()
    expect(page.locator("#net")).to_have_text("Online")
    expect(page.locator("#device")).to_contain_text("dismantler")
    page.wait_for_timeout(300)  # let late errors (service worker, workers) arrive
    assert console.errors == [], console.errors


def test_a_pasted_digital_link_shows_the_item_its_history_and_custody(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    link = live_server.new_tv()
    page = open_scanner(context, live_server, console)
    page.fill("#code", link)
    page.click("#lookup")
    expect(page.locator("#item-status")).to_have_attribute("data-status", "active")
    expect(page.locator("#item-identifiers")).to_contain_text(link)
    expect(page.locator("#item [data-fact='holder']")).to_have_attribute("data-id", "maker")
    expect(page.locator("#history-list li")).to_have_count(1)
    expect(page.locator("#history-list li").first).to_have_attribute("data-type", "commission")
    expect(page.locator("#custody-list li")).to_have_count(1)
    expect(page.locator("#custody-list li").first).to_have_attribute("data-party", "maker")
    for action in ("receive", "weigh", "dismantle", "ship"):
        expect(page.locator(f"#act-{action}")).to_be_enabled()
    assert console.errors == [], console.errors


def test_every_request_of_the_page_stays_on_the_app(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    """Nothing from a CDN: the page, its modules, the decoder, the manifest and the icons come from the app."""
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page = open_scanner(
        context, live_server, console, "party=dismantler&site=site-dismantler&decoder=polyfill"
    )
    page.evaluate("navigator.serviceWorker.ready")
    # Load the decoder too (the camera is not needed for that).
    page.evaluate(
        "async () => { const m = await import('./detector.js'); await m.createDetector('polyfill'); }"
    )
    page.wait_for_timeout(300)
    assert urls, "no requests seen"
    assert f"{live_server.base}/scan/lib/jsQR.js" in urls  # the decoder, from this app as npm installed it
    foreign = [u for u in urls if not u.startswith(live_server.base + "/")]
    assert foreign == [], foreign
    assert console.errors == [], console.errors


def test_the_language_follows_the_browser_and_the_switch_is_remembered(
    browser: Browser, live_server: LiveServer, console: Console
) -> None:
    tv = live_server.new_tv()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = open_scanner(context, live_server, console, f"party=dismantler&site=site-dismantler&code={tv}")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        expect(page.locator("#scan")).to_have_text("扫码")
        expect(page.locator("#act-dismantle")).to_have_text("拆解")
        expect(page.locator("#item-status")).to_have_text("在用")
        expect(page.locator("#net")).to_have_text("在线")
        page.click("#lang")
        expect(page.locator("#scan")).to_have_text("Scan")
        expect(page.locator("#item-status")).to_have_text("active")
        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        expect(page.locator("#scan")).to_have_text("Scan")
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        context.close()
    assert console.errors == [], console.errors


def test_every_text_has_an_english_and_a_chinese_version(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    page = open_scanner(context, live_server, console)
    languages: dict[str, dict[str, str]] = page.evaluate("async () => (await import('./i18n.js')).STRINGS")
    assert set(languages) == {"en", "zh"}
    assert set(languages["en"]) == set(languages["zh"])
    untranslated = [
        key for key, text in languages["zh"].items() if not text.strip() or text == languages["en"][key]
    ]
    assert untranslated == []
    # Every key the page names is translated (keys built at run time are checked by their prefixes' values).
    folder = Path(__file__).resolve().parents[2] / "retrace" / "api" / "web" / "scanner"
    used = set(
        re.findall(r'data-i18n(?:-placeholder|-label)?="([a-z_.]+)"', (folder / "index.html").read_text())
    )
    for script in folder.glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', script.read_text()))
    assert used and used <= set(languages["en"]), used - set(languages["en"])
    for prefix, values in {
        "status": [s.value for s in Status],
        "fate": [f.value for f in Fate],
        "stream": [s.value for s in Stream],
        "event": list(EVENT_TYPES),
        "role": [r.value for r in Role],  # the pick lists' groups
    }.items():
        missing = [v for v in values if f"{prefix}.{v}" not in languages["en"]]
        assert missing == [], (prefix, missing)
    # The decoder line names the kind createDetector gave (`detector_${kind}`), read from detector.js itself.
    kinds = set(re.findall(r'kind: "([a-z]+)"', (folder / "detector.js").read_text()))
    assert kinds == {"native", "polyfill", "none"}
    assert {f"detector_{kind}" for kind in kinds} <= set(languages["en"])


def test_unknown_and_malformed_codes_are_explained_and_nothing_can_be_recorded_on_them(
    context: BrowserContext, live_server: LiveServer, console: Console
) -> None:
    page = open_scanner(context, live_server, console)
    page.fill("#code", live_server.digital_link(99999))
    page.click("#lookup")
    expect(page.locator("#notice")).to_contain_text("No item with this code is registered.")
    expect(page.locator("#notice")).to_contain_text("OBJECT_NOT_FOUND")
    expect(page.locator("#item")).to_be_hidden()
    expect(page.locator("#act-receive")).to_be_disabled()
    # A VIN with a wrong check digit: the server's reason, in the reader's language.
    page.click("#lang")
    page.fill("#code", "LFV2A21K1D4010942")
    page.click("#lookup")
    expect(page.locator("#notice")).to_contain_text("无法查询此编码")
    expect(page.locator("#notice")).to_contain_text("INVALID_IDENTIFIER")
    expect(page.locator("#act-receive")).to_be_disabled()
    # The browser logs the 404 and 422 answers as failed resource loads; nothing else may be on the console.
    assert all("Failed to load resource" in e for e in console.errors), console.errors
