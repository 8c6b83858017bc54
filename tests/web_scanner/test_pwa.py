"""Installable as a PWA: Chromium itself finds nothing missing, the manifest names the scanner's scope and icons,
and the service worker's scope covers the page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Playwright

from tests.web_scanner.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    Console,
    LiveServer,
    open_scanner,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser


def test_chromium_finds_the_scanner_installable(
    playwright: Playwright, live_server: LiveServer, console: Console, tmp_path: Path
) -> None:
    # A profile on disk: Chromium never offers to install an app from an incognito window (Playwright's default).
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=PHONE
    )
    try:
        _check_installable(context, live_server, console)
    finally:
        context.close()


def _check_installable(context: BrowserContext, live_server: LiveServer, console: Console) -> None:
    page = open_scanner(context, live_server, console)
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    answer: dict[str, Any] = cdp.send("Page.getInstallabilityErrors")
    assert answer["installabilityErrors"] == [], answer
    manifest: dict[str, Any] = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.base}/scan/manifest.webmanifest"
    assert manifest.get("errors", []) == [], manifest["errors"]
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.base}/scan/"
    assert page.url.startswith(scope)
    assert console.errors == [], console.errors


def test_the_manifest_names_the_scanners_start_scope_and_icons(live_server: LiveServer) -> None:
    base = f"{live_server.base}/scan/"
    response = httpx.get(base + "manifest.webmanifest", timeout=30)
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "./" and manifest["scope"] == "./" and manifest["display"] == "standalone"
    assert "追溯扫码" in manifest["name"] and "Trace scanner" in manifest["name"]
    sizes = set()
    for icon in manifest["icons"]:
        answer = httpx.get(base + icon["src"], timeout=30)
        assert answer.status_code == 200 and answer.headers["content-type"] == icon["type"], icon
        if icon["type"] == "image/png":
            image = Image.open(io.BytesIO(answer.content))
            assert f"{image.width}x{image.height}" == icon["sizes"], icon
            sizes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
