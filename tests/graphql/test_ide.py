"""The GraphQL IDE's files (no browser here; tests/graphql/test_console.py drives it in Chromium): GraphiQL, React and
ReactDOM are served from the npm packages at exactly the versions package-lock.json pins, nothing of theirs is in
the repository, the page names no other host, production mounts none of it, and a server without the packages warns
at start and says what to run."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from retrace.api.app import create_app
from retrace.api.graphql import ide
from retrace.api.graphql.examples import EXAMPLES
from retrace.config import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = Path(ide.__file__).resolve().parent
NODE_MODULES = REPOSITORY / "node_modules"
OWN_PAGE_FILES = ("ide.html", "ide-missing.html", "ide.js", "ide.css")


@asynccontextmanager
async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started as uvicorn starts it (its store opened, its warnings logged), spoken to in-process."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test") as client,
    ):
        yield client


@pytest.fixture
async def development(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_app(Settings(sqlite_path=tmp_path / "trace.db"))) as client:
        yield client


def test_the_lock_pins_graphiql_and_react_exactly_and_records_no_download_address() -> None:
    declared = json.loads((REPOSITORY / "package.json").read_text())["dependencies"]
    lock_text = (REPOSITORY / "package-lock.json").read_text()
    locked = json.loads(lock_text)["packages"]
    for package in ("graphiql", "react", "react-dom"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", declared[package]), f"{package} is not pinned exactly"
        assert locked[f"node_modules/{package}"]["version"] == declared[package]
        assert locked[f"node_modules/{package}"]["integrity"].startswith("sha512-")
    assert declared["graphiql"].startswith("3.")  # the last major with a browser bundle that needs no bundler
    assert declared["react"] == declared["react-dom"] and declared["react"].startswith("18.")  # the last UMD
    assert '"resolved"' not in lock_text  # where npm downloaded from stays out of the repository


async def test_the_served_files_are_the_npm_packages_at_the_versions_the_lock_pins(
    development: httpx.AsyncClient,
) -> None:
    assert Settings.model_fields["graphql_ide_modules"].default == NODE_MODULES
    locked = json.loads((REPOSITORY / "package-lock.json").read_text())["packages"]
    for library in ide.LIBRARIES:
        location = library.location(NODE_MODULES)
        assert location.is_file(), f"{library.package} is not installed: run scripts/bootstrap (npm ci)"
        installed = json.loads((NODE_MODULES / library.package / "package.json").read_text())
        assert installed["version"] == locked[f"node_modules/{library.package}"]["version"], (
            f"node_modules has {library.package} {installed['version']}, the lock pins another: "
            "run scripts/bootstrap"
        )
        served = await development.get(f"/graphql/ide/{library.name}")
        assert served.status_code == 200, served.text
        assert served.content == location.read_bytes()
        assert served.headers["content-type"].startswith(
            "text/css" if library.name.endswith(".css") else "text/javascript"
        )
        assert "etag" in served.headers and "default-src 'none'" in served.headers["content-security-policy"]
        again = await development.get(
            f"/graphql/ide/{library.name}", headers={"If-None-Match": served.headers["etag"]}
        )
        assert again.status_code == 304 and again.content == b""
    # ReactDOM's bundle names its own version: the one the page runs is the one the lock pins.
    react_dom = (await development.get("/graphql/ide/react-dom.production.min.js")).text
    assert f'version="{locked["node_modules/react-dom"]["version"]}' in react_dom
    # Only the files the page loads are served from node_modules, nothing else of it.
    for other in ("package.json", "graphiql.min.js.map", "..%2Fpackage.json", "jsQR.js"):
        assert (await development.get(f"/graphql/ide/{other}")).status_code == 404


async def test_the_page_loads_graphiql_from_this_server_with_the_examples_as_tabs(
    development: httpx.AsyncClient,
) -> None:
    page = await development.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy
    assert "connect-src 'self' ws://trace.test;" in policy
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == [
        "/graphql/ide/react.production.min.js",
        "/graphql/ide/react-dom.production.min.js",
        "/graphql/ide/graphiql.min.js",
        "/graphql/ide/ide.js",
    ]
    data = re.search(r'<script type="application/json" id="trace-examples">(.*?)</script>', page.text, re.S)
    assert data is not None
    assert [e["query"] for e in json.loads(data.group(1))] == [e.query for e in EXAMPLES]
    for own in ("ide.js", "ide.css"):
        assert (await development.get(f"/graphql/ide/{own}")).content == (PACKAGE / own).read_bytes()
    # Over https the websocket is wss.
    secure = await development.get("https://trace.test/graphql", headers={"Accept": "text/html"})
    assert "connect-src 'self' wss://trace.test;" in secure.headers["content-security-policy"]


def test_the_pages_own_files_name_no_other_host() -> None:
    """The CSP enforces it in the browser; this says which file broke it."""
    for name in OWN_PAGE_FILES:
        text = (PACKAGE / name).read_text()
        assert re.findall(r"(https?:|wss?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I) == [], name
        assert "@import" not in text and "cdn" not in text.lower(), name
    assert not list(REPOSITORY.joinpath("retrace").rglob("graphiql*.js")), "GraphiQL is not to be committed"


async def test_production_mounts_no_ide(tmp_path: Path) -> None:
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db", env="production"))
    async with _client(app) as production:
        assert (await production.get("/graphql", headers={"Accept": "text/html"})).status_code == 404
        for name in ("graphiql.min.js", "react.production.min.js", "ide.js"):
            assert (await production.get(f"/graphql/ide/{name}")).status_code == 404


async def test_without_the_packages_the_server_warns_and_the_page_says_to_run_bootstrap(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "node_modules"
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db", graphql_ide_modules=empty))
    with caplog.at_level(logging.WARNING, logger=ide.log.name):
        async with _client(app) as development:  # started: the warning is logged once, at the start
            warnings = [r.getMessage() for r in caplog.records if r.name == ide.log.name]
            assert len(warnings) == 1, warnings
            assert str(empty) in warnings[0] and "graphiql/graphiql.min.js" in warnings[0]
            assert "scripts/bootstrap" in warnings[0]
            page = await development.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
            assert "run scripts/bootstrap" in page.text and "npm ci" in page.text
            assert "GraphQL 开发工具未安装" in page.text
            assert "<script" not in page.text and str(tmp_path) not in page.text
            library = await development.get("/graphql/ide/graphiql.min.js")
            assert library.status_code == 404
            error = library.json()["error"]
            assert error["code"] == "NOT_FOUND" and "scripts/bootstrap" in error["message"]
            assert "scripts/bootstrap" in error["message_zh"] and str(tmp_path) not in library.text
            assert (
                await development.get("/graphql/ide/ide.css")
            ).status_code == 200  # the advice page's style
            # The API itself works as ever.
            answer = await development.post("/graphql", json={"query": "{ __typename }"})
            assert answer.json() == {"data": {"__typename": "Query"}}
