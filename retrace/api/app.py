"""The REST API's application factory.

``create_app(settings, store)`` builds a fresh app: nothing is created at import time, so tests, workers and the CLI
each get their own.  Given a store, the app uses it as is (the caller owns it); otherwise the app's lifespan opens
the store the settings name and closes it at shutdown.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from retrace.api import docs_ui, errors
from retrace.api.graphql import router as graphql
from retrace.api.limits import BodySizeLimit
from retrace.api.routers import (
    dashboard,
    epcis,
    events,
    health,
    items,
    labels,
    registry,
    reports,
    resolver,
    scanner,
    sites,
)
from retrace.app.ports import GraphStore
from retrace.bootstrap import Services, open_store
from retrace.config import Settings

DESCRIPTION = """\
Traceability of recycled resources (WEEE, end-of-life vehicles, traction batteries): capture what happens to tagged
items, and ask where each came from, where every part of it went and who held it when.

再生资源（废弃电器电子产品、报废机动车、动力蓄电池）追溯平台：采集带标识物品的处理事件，查询其来源、去向与监管链。

Masses are in kilograms, timestamps RFC 3339 with an offset. Every error has the body
`{"error": {"code", "message", "message_zh", "field", "details"}}`; `code` is stable.
"""

TAGS = [
    {"name": "capture", "description": "Record events (idempotent, all or nothing) / 采集事件"},
    {"name": "registry", "description": "Parties, licences, sites, product models / 主数据"},
    {"name": "items", "description": "Find an item and trace it / 物品查询与追溯"},
    {"name": "sites", "description": "Inventory and mass flows of a site / 场地库存与物质流"},
    {"name": "health", "description": "Liveness of the API and its store / 健康检查"},
    {"name": "reports", "description": "Recovery against targets, EPR, mass balances, flows / 回收利用报告"},
    {"name": "labels", "description": "QR labels: PNG, SVG, A4 PDF sheets / 二维码标签"},
    {"name": "resolver", "description": "GS1 Digital Link resolver for scanned labels / 标签链接解析"},
    {"name": "epcis", "description": "Events as EPCIS 2.0 (query, read-only) / EPCIS 2.0 事件查询"},
]


def _version() -> str:
    try:
        return version("retrace")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings if settings is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            yield
            return
        opened = await open_store(settings)
        app.state.services = Services.build(settings, opened)
        try:
            yield
        finally:
            app.state.services = None
            await opened.close()

    app = FastAPI(
        title="trace",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by docs_ui from local assets instead of a CDN
        redirect_slashes=False,  # an API answers with its error body, never with a redirect
        redoc_url=None,
    )
    if store is not None:
        kind = type(store).__name__.removesuffix("Store").lower() or "custom"
        app.state.services = Services.build(settings, store, store_kind=kind)
    errors.install(app)
    docs_ui.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # labels before items: the items router's /{identifier:path} would take …/label.png as part of an identifier.
    for router in (events.router, registry.router, labels.router, items.router, sites.router, health.router):
        app.include_router(router)
    app.include_router(resolver.router)  # /01/…, /id/…, /.well-known/gs1resolver at the root
    scanner.install(app, settings)  # the mobile web scanner at /scan/ (static, not in OpenAPI)
    app.include_router(reports.router)  # recovery reports against targets, EPR, flows, drill-down
    app.include_router(epcis.router)  # the EPCIS 2.0 REST binding's query side at /epcis/events
    app.include_router(dashboard.router)  # the regulators' and producers' dashboard at /dashboard/ (static)
    graphql.install(app, settings)  # /graphql (not in OpenAPI: schema.graphql documents it)
    return app


def openapi_json() -> str:
    """The OpenAPI document as committed in ``docs/openapi.json`` (independent of the environment's settings)."""
    document = create_app(Settings.model_construct()).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
