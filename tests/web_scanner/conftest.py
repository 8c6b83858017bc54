"""The real app served by uvicorn on a loopback port over a real embedded store, and the real Chromium (Debian's
package, never a downloaded browser) driven by Playwright.

The server runs in a thread of the test process with the app factory's own lifespan (it opens the SQLite file the
settings name), so what the page sends goes through the same capture use case and rules as any client. Test data is
registered through the REST API, as a producer's system would.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from retrace.api.app import create_app
from retrace.config import Settings
from tests.api.payloads import commission, receive, registry, ship
from tests.conftest import copy_demo

CHROMIUM = "/usr/bin/chromium"
# Flags that let Debian's Chromium run headless as root in a container, without reaching out to the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
GTIN = "80614141123458"  # the test registry's TV model


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    base: str
    db_path: Path
    serials: Iterator[int] = field(default_factory=lambda: itertools.count(7001))

    def digital_link(self, serial: int) -> str:
        """The Digital Link a label of this platform carries: the platform's own resolver (this server) as the
        host."""
        return f"{self.base}/01/{GTIN}/21/{serial}"

    def new_tv(self, holder: str = "maker") -> str:
        """A TV commissioned by the maker and, unless ``holder`` is the maker, shipped to and received by
        ``holder``; returns its Digital Link."""
        serial = next(self.serials)
        link = self.digital_link(serial)
        events = [commission(f"tv-{serial}-c", 0, link)]
        if holder != "maker":
            events += [
                ship(f"tv-{serial}-s", 1, "maker", holder, link),
                receive(f"tv-{serial}-r", 2, holder, link),
            ]
        answer = httpx.post(f"{self.base}/api/v1/events", json={"events": events}, timeout=30)
        assert answer.status_code == 201, answer.text
        return link

    def history(self, code: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.base}/api/v1/items/{code}/history", timeout=30)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@contextlib.contextmanager
def _serving(settings: Settings) -> Iterator[str]:
    """The app on a free loopback port, in a thread, until the block ends; yields its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The app is its own resolver, as a deployment is: the labels it prints point at it.
    app = create_app(settings.model_copy(update={"resolver_base": base}))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-scanner-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start for the scanner tests")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def serving_registered(settings: Settings) -> Iterator[LiveServer]:
    """The app over the test registry (parties, sites, the TV model), on a fresh store the settings name."""
    with _serving(settings) as base:
        answer = httpx.post(f"{base}/api/v1/registry", json=registry(), timeout=30)
        assert answer.status_code == 200, answer.text
        yield LiveServer(base, settings.sqlite_path)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db_path = tmp_path_factory.mktemp("scanner") / "trace.db"
    with serving_registered(Settings(store="sqlite", sqlite_path=db_path)) as server:
        yield server


@pytest.fixture(scope="session")
def demo_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app over the demo data set (``trace demo``'s parties, sites, licences, models and events), loaded through
    the capture use case as the demo command loads it."""
    db_path = copy_demo(demo_template, tmp_path_factory.mktemp("scanner-demo"))
    settings = Settings(store="sqlite", sqlite_path=db_path)
    with _serving(settings) as base:
        yield LiveServer(base, db_path)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


class Console:
    """Everything the page said: console messages and uncaught errors, from the page and its workers."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []

    def on_message(self, message: ConsoleMessage) -> None:
        line = f"{message.type}: {message.text} ({message.location.get('url', '')})"
        self.messages.append(line)
        if message.type == "error":
            self.errors.append(line)

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")

    def attach(self, page: Page) -> None:
        page.on("console", self.on_message)
        page.on("pageerror", self.on_page_error)


@pytest.fixture
def console() -> Console:
    return Console()


def open_scanner(
    context: BrowserContext,
    server: LiveServer,
    console: Console,
    query: str = "party=dismantler&site=site-dismantler",
) -> Page:
    """The scanner page, set up for the dismantler's yard, once it has started (and its first sync has run)."""
    page = context.new_page()
    console.attach(page)
    page.goto(f"{server.base}/scan/?{query}")
    page.wait_for_selector("body[data-ready='true']")
    return page


def until(page: Page, condition: str, timeout_ms: int = 15_000) -> None:
    """Wait until ``condition`` (a JavaScript expression, ``await`` allowed) holds in the page. The page's
    Content-Security-Policy forbids eval, with which Playwright's wait_for_function polls a string; this polls
    inside one evaluated function instead (DevTools compiles it, as any evaluate)."""
    held = page.evaluate(
        f"""async (timeout) => {{
            const check = async () => {condition};
            for (const end = Date.now() + timeout; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {{
                if (await check()) return true;
            }}
            return false;
        }}""",
        timeout_ms,
    )
    assert held, f"not within {timeout_ms} ms: {condition}"


def wait_for_service_worker(page: Page) -> None:
    """Until the page is controlled by its service worker (installed, shell cached, clients claimed)."""
    page.evaluate("navigator.serviceWorker.ready")
    until(page, "navigator.serviceWorker.controller !== null")


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True, is_mobile=True)
    try:
        yield context
    finally:
        context.close()


# A loaded CI machine runs Chromium and Neo4j at once: give page assertions room before they fail.
expect.set_options(timeout=15_000)
