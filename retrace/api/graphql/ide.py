"""The GraphQL IDE served in development at ``/graphql``: GraphiQL, self-hosted.

GraphiQL, React and ReactDOM are not part of this repository: ``npm ci`` (``scripts/bootstrap``) installs them from
the npm registry at the versions ``package-lock.json`` pins, and this module serves four files of theirs (GraphiQL's
browser bundle and stylesheet, React's and ReactDOM's UMD builds) from where they were installed
(``TRACE_GRAPHQL_IDE_MODULES``) at ``/graphql/ide/…``, beside the page's own script and stylesheet. Nothing is loaded
from a CDN or any other host: the Content-Security-Policy allows this origin only, so a page that tried would fail
(and so would its test). Strawberry's own GraphiQL page is never used, because it loads all of this from unpkg.com.

The page opens the examples of ``examples.py`` (the queries ``docs/graphql.md`` shows with their answers on the demo
data) as GraphiQL tabs. Without the npm packages, ``/graphql`` in a browser says what to run instead, and the server
warns at start. In production none of this is mounted.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from retrace.api.errors import body as error_body
from retrace.api.graphql.examples import EXAMPLES
from retrace.api.static import Asset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Library:
    """A file of an npm package that the page loads, served by its ``name`` beside the page's own files."""

    name: str
    package: str
    path: str  # inside the package's folder in node_modules

    def location(self, node_modules: Path) -> Path:
        return node_modules / self.package / self.path


# React 18 is the last with UMD builds (browser globals React and ReactDOM), which GraphiQL 3's bundle expects; the
# bundle carries everything else it needs (graphql-js, CodeMirror, the graphql-ws client).
LIBRARIES = (
    Library("react.production.min.js", "react", "umd/react.production.min.js"),
    Library("react-dom.production.min.js", "react-dom", "umd/react-dom.production.min.js"),
    Library("graphiql.min.js", "graphiql", "graphiql.min.js"),
    Library("graphiql.min.css", "graphiql", "graphiql.min.css"),
)
# The page's own files, beside this module.
OWN_FILES = ("ide.js", "ide.css")

ADVICE = (
    "run scripts/bootstrap (it runs `npm ci`, which installs GraphiQL, React and ReactDOM into node_modules/) or set "
    "TRACE_GRAPHQL_IDE_MODULES to a node_modules folder that has them, then restart the server"
)
ADVICE_ZH = (
    "请运行 scripts/bootstrap（即 npm ci，安装 GraphiQL、React 与 ReactDOM 到 node_modules/）后重启服务"
)


def content_security_policy(request: Request) -> str:
    """This origin only: no inline script and no eval (GraphiQL's bundle needs neither). Its websocket is named as
    well as ``'self'``, which browsers before CSP 3 do not extend to ws(s). One exception, for ``<style>`` elements
    only: GraphiQL's dialogs (settings, shortcuts) lock the page's scrolling by adding one, whose text depends on
    the width of the browser's scrollbar, so no hash can name it; ``style`` attributes stay refused (GraphiQL sets
    styles through the DOM, which the policy does not govern)."""
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-elem 'self' 'unsafe-inline'",
            "font-src data:",  # GraphiQL's stylesheet embeds its fonts (Roboto, Fira Code)
            "img-src 'self' data:",
            f"connect-src 'self' {scheme}://{request.url.netloc}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _headers(request: Request) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(request),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",  # revalidated each time; the ETag makes that a 304
    }


@dataclass(frozen=True)
class Ide:
    """The IDE as installed: every file the page loads, by name, and the libraries that were not found."""

    assets: Mapping[str, Asset]
    missing: tuple[Library, ...]

    @property
    def installed(self) -> bool:
        return not self.missing


def _own(name: str) -> bytes:
    return resources.files("retrace.api.graphql").joinpath(name).read_bytes()


def load_ide(node_modules: Path) -> Ide:
    """Read the libraries from ``node_modules`` (those not there are listed as missing) and the page's own files."""
    assets = {name: Asset.of(_own(name), name) for name in OWN_FILES}
    missing: list[Library] = []
    for library in LIBRARIES:
        location = library.location(node_modules)
        if location.is_file():
            assets[library.name] = Asset.of(location.read_bytes(), library.name)
        else:
            missing.append(library)
    return Ide(assets=assets, missing=tuple(missing))


@functools.cache
def ide(node_modules: Path) -> Ide:
    """The IDE served from ``node_modules``, read once per process on first use (about 4 MB, development only)."""
    return load_ide(node_modules)


def examples_json() -> str:
    """The examples as the page's script reads them; safe inside ``<script>`` (every ``<`` is escaped in JSON)."""
    examples = [
        {"title": e.title, "title_zh": e.title_zh, "query": e.query, "variables": e.variables}
        for e in EXAMPLES
    ]
    return json.dumps(examples, ensure_ascii=False).replace("<", "\\u003c")


@functools.cache
def page_html(assets: str) -> str:
    """The page, loading its files from the path ``assets`` (``/graphql/ide/``)."""
    data = examples_json()
    # GraphiQL keeps its tabs in the browser's storage and shows them instead of the examples on a later visit;
    # keyed by the examples, a deployment that changes them opens them afresh.
    storage = "trace-graphiql-" + hashlib.sha256(data.encode()).hexdigest()[:12]
    return (
        _own("ide.html")
        .decode()
        .replace("__ASSETS__", assets)
        .replace("__STORAGE__", storage)
        .replace("__EXAMPLES__", data)
    )


@functools.cache
def missing_page_html(assets: str) -> str:
    return (
        _own("ide-missing.html")
        .decode()
        .replace("__ASSETS__", assets)
        .replace("__ADVICE__", html.escape(ADVICE))
        .replace("__ADVICE_ZH__", html.escape(ADVICE_ZH))
    )


def page(request: Request, node_modules: Path, assets: str) -> HTMLResponse:
    """GraphiQL, or (404) what to run to install it."""
    if ide(node_modules).installed:
        return HTMLResponse(page_html(assets), headers=_headers(request))
    return HTMLResponse(missing_page_html(assets), status_code=404, headers=_headers(request))


def _serve(name: str, request: Request, installed: Ide) -> Response:
    asset = installed.assets.get(name)
    if asset is None:
        if any(library.name == name for library in installed.missing):
            # The server's folders go to the log only, as everywhere else.
            return JSONResponse(
                error_body(
                    "NOT_FOUND",
                    f"the GraphQL IDE's {name} is not installed on this server: {ADVICE}",
                    f"GraphQL 开发工具的 {name} 未安装：{ADVICE_ZH}",
                ),
                status_code=404,
                headers=_headers(request),
            )
        raise HTTPException(status_code=404)
    return asset.response(request, _headers(request))


def router_for(node_modules: Path, assets: str) -> APIRouter:
    """The IDE's files at ``assets`` (``/graphql/ide/``); at the server's start they warn if GraphiQL is missing."""

    @asynccontextmanager
    async def warn_without_graphiql(app: FastAPI) -> AsyncIterator[None]:
        missing = ide(node_modules).missing
        if missing:
            log.warning(
                "the GraphQL IDE is missing %s (looked for in %s): /graphql shows browsers what to run instead; %s",
                ", ".join(f"{library.package}/{library.path}" for library in missing),
                node_modules,
                ADVICE,
            )
        yield

    router = APIRouter(include_in_schema=False, lifespan=warn_without_graphiql)

    @router.get(assets + "{name}")
    async def ide_file(name: str, request: Request) -> Response:
        return _serve(name, request, ide(node_modules))

    return router
