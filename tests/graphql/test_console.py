"""The GraphQL IDE at /graphql (GraphiQL, served from the npm packages scripts/bootstrap installs), in the real Chromium
(Debian's package) against the real app served by uvicorn on the demo data: it opens the examples as tabs, runs them
with the demo's real answers, receives a live subscription, and every request it makes stays on the server. In
production there is no page; without the npm packages the page says what to run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, WebSocket, expect, sync_playwright

from retrace.api.app import create_app
from retrace.api.graphql.examples import EXAMPLES, Example
from retrace.config import Settings
from tests.conftest import copy_demo

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = os.environ.get("TRACE_CONSOLE_SCREENSHOT")  # where to keep a picture of the IDE, to look at it
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXECUTE = ".graphiql-execute-button"


def example(operation: str) -> Example:
    """The example whose operation is named ``operation`` (GraphiQL names its tab so)."""
    return next(e for e in EXAMPLES if operation_name(e) == operation)


def operation_name(e: Example) -> str:
    first = e.query.splitlines()[0]  # "query TvByQrCode($qr: String!) {"
    return first.split()[1].split("(")[0]


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set (``trace demo``'s), loaded once; each test serves a copy."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("demo"))


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port; its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-graphql-ide", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def server(demo_db: Path, tmp_path: Path) -> Iterator[str]:
    """Development mode on a copy of the demo data, with GraphiQL as scripts/bootstrap installed it."""
    copy = tmp_path / "trace.db"
    shutil.copy(demo_db, copy)
    with serve(Settings(store="sqlite", sqlite_path=copy, env="development")) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page whose requests (websockets included), the frames it sends over a websocket, and its console errors
    (script errors, anything the Content-Security-Policy refused) are kept."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.sent_frames: list[str] = []
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.on("websocket", self._websocket)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _websocket(self, socket: WebSocket) -> None:
        self.requested.append(socket.url)
        socket.on("framesent", lambda payload: self.sent_frames.append(str(payload)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def elsewhere(self, base: str) -> list[str]:
        """Requests to anything but this server (over http or its websocket)."""
        own = (base + "/", base.replace("http://", "ws://") + "/")
        return [url for url in self.requested if not url.startswith(own)]


def open_ide(browser: Browser, base: str) -> Watched:
    watched = Watched(browser)
    watched.page.goto(f"{base}/graphql")
    expect(watched.page.locator(".graphiql-container")).to_be_visible(timeout=30_000)
    # The schema is introspected once GraphiQL starts: the Docs explorer and completion depend on it.
    expect(watched.page.locator(".graphiql-tab")).to_have_count(len(EXAMPLES))
    return watched


def editor_text(page: Page, selector: str) -> str:
    """The whole text of a CodeMirror editor (its DOM holds only the lines in view)."""
    text: str = page.eval_on_selector(f"{selector} .CodeMirror", "element => element.CodeMirror.getValue()")
    return text


def result(page: Page) -> str:
    return editor_text(page, ".result-window")


def open_tab(page: Page, operation: str) -> None:
    page.locator(".graphiql-tab", has_text=operation).click()
    expect(page.locator(".graphiql-tab-active")).to_contain_text(operation)
    # GraphiQL reads the operation to run from the editor a moment after the tab's text is in it (debounced); run
    # before that, it would send the previous tab's operation name with this tab's query.
    page.wait_for_function(
        "name => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName === name",
        arg=operation,
    )


def post(base: str, e: Example, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the API itself answers to an example."""
    answer = httpx.post(
        f"{base}/graphql", json={"query": e.query, "variables": variables or e.variables}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_graphiql_opens_the_examples_as_tabs_and_loads_nothing_from_elsewhere(
    server: str, browser: Browser
) -> None:
    watched = open_ide(browser, server)
    page = watched.page
    assert "GraphQL" in page.title() and "开发工具" in page.title()
    expect(page.locator(".trace-intro")).to_contain_text("trace demo")
    expect(page.locator(".trace-intro")).to_contain_text("演示数据")
    titles = page.locator(".graphiql-tab").all_inner_texts()
    assert [t.strip() for t in titles] == [operation_name(e) for e in EXAMPLES]
    # The first tab is ready to run, with its variables; every tab holds its example under its bilingual title.
    first = EXAMPLES[0]
    assert first.query in editor_text(page, ".graphiql-query-editor")
    assert json.loads(editor_text(page, ".graphiql-editor-tool")) == first.variables
    for e in EXAMPLES[1:]:
        open_tab(page, operation_name(e))
        query = editor_text(page, ".graphiql-query-editor")
        assert query == f"# {e.title}\n# {e.title_zh}\n{e.query}"
    # The Docs explorer is GraphiQL's, on the schema introspected from this server.
    page.get_by_label("Show Documentation Explorer").click()
    page.locator(".graphiql-doc-explorer-type-name", has_text="Query").first.click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Everything you can ask the platform")
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("item(identifier: String!): Item!")

    assert watched.requested, "the page made no request at all"
    assert watched.elsewhere(server) == []
    assert any(url.endswith("/graphql/ide/graphiql.min.js") for url in watched.requested)
    assert watched.errors == []  # nothing the Content-Security-Policy had to refuse, no script error


def test_an_example_run_in_graphiql_shows_the_demo_datas_answer(server: str, browser: Browser) -> None:
    watched = open_ide(browser, server)
    page = watched.page
    for operation in ("HunanRecyclers", "TvByQrCode"):
        open_tab(page, operation)
        page.locator(EXECUTE).click()
        expected = post(server, example(operation))
        assert "errors" not in expected and expected["data"], expected
        expect(page.locator(".result-window")).to_contain_text('"data"', timeout=15_000)
        assert json.loads(result(page)) == expected, result(page)
        if operation == "HunanRecyclers":
            shown = json.loads(result(page))["data"]["parties"]["nodes"]
            assert shown and all(party["region"]["code"].startswith("43") for party in shown)  # Hunan's
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT)
    assert watched.elsewhere(server) == []
    assert watched.errors == []


def test_a_subscription_in_graphiql_receives_an_event_recorded_through_the_api(
    server: str, browser: Browser
) -> None:
    watched = open_ide(browser, server)
    page = watched.page
    open_tab(page, "YardScreen")
    page.locator(EXECUTE).click()
    expect(page.get_by_label("Stop query (Ctrl-Enter)")).to_be_visible()  # subscribed
    deadline = time.monotonic() + 15
    while not any('"subscribe"' in frame and "YardScreen" in frame for frame in watched.sent_frames):
        assert time.monotonic() < deadline, f"GraphiQL sent no subscription: {watched.sent_frames}"
        page.wait_for_timeout(50)
    weigh = example("Weigh")
    # The feed reports events recorded after it started: the subscribe message sent is not yet the feed started on
    # the server, so an event can precede it; each try records a new weighing, a few seconds apart.
    recorded: list[str] = []
    for attempt in range(1, 6):
        event = {"weigh": {**weigh.variables["event"]["weigh"], "event_id": f"ide-weigh-{attempt}"}}
        answer = post(server, weigh, {"event": event})
        assert answer["data"]["record_event"]["created"] == 1, answer
        recorded.append(f"ide-weigh-{attempt}")
        try:
            expect(page.locator(".result-window")).to_contain_text("ide-weigh-", timeout=3_000)
            break
        except AssertionError:
            continue
    shown = json.loads(result(page))["data"]["events_at_site"]
    assert shown["event"]["event_id"] in recorded
    assert shown["event"]["type"] == "WEIGH" and shown["event"]["object"] == event["weigh"]["object"]
    page.get_by_label("Stop query (Ctrl-Enter)").click()
    expect(page.get_by_label("Execute query (Ctrl-Enter)")).to_be_visible()

    assert any(url.startswith(server.replace("http://", "ws://") + "/graphql") for url in watched.requested)
    assert watched.elsewhere(server) == []
    assert watched.errors == []


def test_production_serves_no_ide(tmp_path: Path, browser: Browser) -> None:
    settings = Settings(store="sqlite", sqlite_path=tmp_path / "trace.db", env="production")
    with serve(settings) as base:
        page = browser.new_page()
        answer = page.goto(f"{base}/graphql")
        assert answer is not None and answer.status == 404
        assert page.locator(".graphiql-container").count() == 0
        library = page.request.get(f"{base}/graphql/ide/graphiql.min.js")
        assert library.status == 404


def test_without_the_npm_packages_the_page_says_to_run_bootstrap(tmp_path: Path, browser: Browser) -> None:
    settings = Settings(
        store="sqlite", sqlite_path=tmp_path / "trace.db", graphql_ide_modules=tmp_path / "node_modules"
    )
    with serve(settings) as base:
        watched = Watched(browser)
        answer = watched.page.goto(f"{base}/graphql")
        assert answer is not None and answer.status == 404
        advice = watched.page.locator("main")
        expect(advice).to_contain_text("The GraphQL IDE is not installed")
        expect(advice).to_contain_text("run scripts/bootstrap")
        expect(advice).to_contain_text("GraphQL 开发工具未安装")
        assert str(tmp_path) not in watched.page.content()  # the server's folders stay on the server
        assert watched.elsewhere(base) == []
        # The page's own status is the only error the browser reports: its stylesheet loaded, nothing was refused.
        assert [e for e in watched.errors if "404" not in e] == []
        assert watched.page.eval_on_selector("main", "e => getComputedStyle(e).maxWidth") != "none"
