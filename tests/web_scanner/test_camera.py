"""A label the platform printed, in front of Chromium's fake camera, is recognised and shows its item.

The label is the app's own PNG (``GET /api/v1/items/{identifier}/label.png`` of the server under test, whose QR code
holds the item's Digital Link on this server's resolver), scaled into a 640x480 frame, written as a Y4M video and
played by Chromium as the camera. Chromium on Linux has no ``BarcodeDetector``, so the default path here is the
jsQR polyfill (served from the npm package scripts/bootstrap installs); the polyfill is also forced explicitly, and a
browser that has a native detector is shown to use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from retrace.config import Settings
from tests.web_scanner.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    Console,
    LiveServer,
    open_scanner,
    serving_registered,
)
from tests.web_scanner.video import camera_frame, codes_in, write_y4m

# jsQR needs a few frame pixels a module; the label's code (a version 4-5 symbol, 33-37 modules) is about 200 px
# wide in the frame. The frame is checked against this so that a label layout that shrinks the code shows here,
# as the picture's fault, instead of as a page that reads nothing.
MIN_CODE_SIDE = 160

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def labelled_item(live_server: LiveServer) -> str:
    return live_server.new_tv()


@pytest.fixture(scope="module")
def camera_video(
    live_server: LiveServer, labelled_item: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("camera")
    answer = httpx.get(
        f"{live_server.base}/api/v1/items/{quote(labelled_item, safe=':/')}/label.png", timeout=60
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    (folder / "label.png").write_bytes(answer.content)
    frame = camera_frame(answer.content)
    frame.save(folder / "frame.png")  # what the camera shows, kept beside the video for a failing run
    # The frame itself holds the item's link, large enough: a failure below is the page's, not the picture's.
    seen = codes_in(frame)
    assert [code.text for code in seen] == [labelled_item], (seen, folder)
    assert seen[0].side >= MIN_CODE_SIDE, (seen, folder)
    return write_y4m(frame, folder / "label.y4m")


@pytest.fixture(scope="module")
def camera_browser(playwright: Playwright, camera_video: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}",
        ],
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def camera_context(camera_browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = camera_browser.new_context(viewport=PHONE, locale="en-GB", permissions=["camera"])
    try:
        yield context
    finally:
        context.close()


def _scan(page: Page, link: str) -> None:
    page.click("#scan")
    # No check that the camera showed: a native detector can read the code and close it before any check runs.
    # The camera closes by itself once a code is read, and the page looks the code up.
    expect(page.locator("#item-identifiers")).to_contain_text(link, timeout=20_000)
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#code")).to_have_value(link)
    expect(page.locator("#item-status")).to_have_attribute("data-status", "active")


def test_the_polyfill_reads_the_label_from_the_camera(
    camera_context: BrowserContext, live_server: LiveServer, labelled_item: str, console: Console
) -> None:
    page = open_scanner(
        camera_context, live_server, console, "party=dismantler&site=site-dismantler&decoder=polyfill"
    )
    _scan(page, labelled_item)
    assert page.evaluate("document.body.dataset.detector") == "polyfill"
    # The camera is released once the code is read (no green light left on).
    assert page.evaluate("document.getElementById('video').srcObject") is None
    assert console.errors == [], console.errors


def test_by_default_the_browser_detector_is_used_where_it_exists_and_the_polyfill_elsewhere(
    camera_context: BrowserContext, live_server: LiveServer, labelled_item: str, console: Console
) -> None:
    page = open_scanner(camera_context, live_server, console)
    native = page.evaluate(
        "async () => 'BarcodeDetector' in window && "
        "(await BarcodeDetector.getSupportedFormats()).includes('qr_code')"
    )
    _scan(page, labelled_item)
    assert page.evaluate("document.body.dataset.detector") == ("native" if native else "polyfill")
    assert console.errors == [], console.errors


# A browser's own BarcodeDetector, as Chrome on Android has one. It reports what the QR label holds; the test is
# that the page prefers it to the polyfill and acts on its rawValue like on the polyfill's.
_NATIVE = """
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
  constructor(options) { this.formats = options.formats; window.__nativeDetections = 0; }
  async detect(source) {
    window.__nativeDetections += 1;
    if (!(source instanceof HTMLVideoElement) || !this.formats.includes("qr_code")) return [];
    return [{ rawValue: %s, format: "qr_code", boundingBox: new DOMRectReadOnly(0, 0, 1, 1), cornerPoints: [] }];
  }
};
"""


def test_a_native_barcode_detector_is_preferred_to_the_polyfill(
    camera_context: BrowserContext, live_server: LiveServer, labelled_item: str, console: Console
) -> None:
    camera_context.add_init_script(_NATIVE % f'"{labelled_item}"')
    page = open_scanner(camera_context, live_server, console)
    _scan(page, labelled_item)
    assert page.evaluate("document.body.dataset.detector") == "native"
    assert page.evaluate("window.__nativeDetections") >= 1
    assert console.errors == [], console.errors


@pytest.fixture(scope="module")
def server_without_decoder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on which jsQR was never installed (no `npm ci`)."""
    folder = tmp_path_factory.mktemp("no-decoder")
    missing = folder / "node_modules" / "jsqr" / "dist" / "jsQR.js"
    with serving_registered(
        Settings(store="sqlite", sqlite_path=folder / "trace.db", scanner_decoder_js=missing)
    ) as server:
        yield server


@pytest.mark.parametrize(
    ("locale", "says"), [("en-GB", "Type or paste the code"), ("zh-CN", "请改为输入或粘贴编码")]
)
def test_without_a_decoder_the_page_says_so_and_typed_codes_still_work(
    camera_browser: Browser, server_without_decoder: LiveServer, console: Console, locale: str, says: str
) -> None:
    context = camera_browser.new_context(viewport=PHONE, locale=locale, permissions=["camera"])
    try:
        page = open_scanner(context, server_without_decoder, console)
        page.click("#scan")
        expect(page.locator("#camera-status")).to_contain_text(says)
        expect(page.locator("#camera-status")).to_contain_text("jsQR")
        assert page.evaluate("document.body.dataset.detector") == "none"
        # The camera is not turned on for nothing.
        assert page.evaluate("document.getElementById('video').srcObject") is None
        page.click("#camera-close")
        tv = server_without_decoder.new_tv()
        page.fill("#code", tv)
        page.click("#lookup")
        expect(page.locator("#item-identifiers")).to_contain_text(tv)
        expect(page.locator("#item-status")).to_have_attribute("data-status", "active")
    finally:
        context.close()
    # The one error is the decoder's own 404 (the worker's request for it), nothing the page did not handle.
    assert all("404" in line for line in console.errors), console.errors
