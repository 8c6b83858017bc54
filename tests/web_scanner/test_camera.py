"""A QR label in front of Chromium's fake camera is recognised and shows its item.

The label is rendered with the ``qrcode`` package (holding the Digital Link of a registered item, the platform's
resolver as its host), written as a Y4M video, and played by Chromium as the camera. Chromium on Linux has no
``BarcodeDetector``, so the default path here is the vendored jsQR polyfill; the polyfill is also forced explicitly,
and a browser that has a native detector is shown to use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.web_scanner.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, Console, LiveServer, open_scanner
from tests.web_scanner.video import label_image, write_y4m

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def labelled_item(live_server: LiveServer) -> str:
    return live_server.new_tv()


@pytest.fixture(scope="module")
def camera_video(labelled_item: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("camera")
    image = label_image(labelled_item, labelled_item.rsplit("/", 1)[-1])
    image.save(folder / "label.png")
    return write_y4m(image, folder / "label.y4m")


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
