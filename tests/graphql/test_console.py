"""The development console at /graphql, in the real Chromium (Debian's package) against the real app served by
uvicorn: it runs a query and a live subscription, and every request it makes stays on the server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from retrace.api.app import create_app
from retrace.config import Settings
from tests.api.payloads import commission, registry

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = os.environ.get("TRACE_CONSOLE_SCREENSHOT")  # where to keep a picture of the page, to look at it
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    settings = Settings(store="sqlite", sqlite_path=tmp_path / "trace.db", env="development")
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-graphql-console", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    answer = httpx.post(f"{base}/api/v1/registry", json=registry(), timeout=30)
    assert answer.status_code == 200, answer.text
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def page(server: str, tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def run(page: Page, query: str) -> None:
    page.fill("#variables", "")
    page.fill("#query", query)
    page.click("#run")


def test_the_console_runs_a_query_and_a_subscription_and_loads_nothing_from_elsewhere(
    server: str, page: Page, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)

    page.goto(f"{server}/graphql")
    assert page.title().startswith("trace")
    assert page.locator("#examples option").count() >= 5
    assert "query TvByQrCode" in page.input_value("#query")  # the first example is ready to run

    run(page, "{ parties(role: PRODUCER) { nodes { id name_zh } } }")
    expect(page.locator("#result")).to_contain_text("制造商")
    assert '"id": "maker"' in (page.text_content("#result") or "")
    assert (page.text_content("#status") or "").startswith("HTTP 200")

    run(page, 'subscription { events_for_party(party_id: "maker") { position event { event_id type } } }')
    expect(page.locator("#status")).to_contain_text("listening")
    recorded = httpx.post(
        f"{server}/api/v1/events", json={"events": [commission("console-c1", 0, "TV-CONSOLE-1")]}
    )
    assert recorded.status_code == 201, recorded.text
    expect(page.locator("#result")).to_contain_text("console-c1", timeout=15_000)
    assert '"type": "COMMISSION"' in (page.text_content("#result") or "")
    page.click("#stop")
    page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    assert requested, "the page made no request at all"
    elsewhere = [
        url for url in requested if not url.startswith((server, server.replace("http", "ws"), "data:"))
    ]
    assert elsewhere == []
    assert refused == []  # nothing the Content-Security-Policy had to block, no script error
