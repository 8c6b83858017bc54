"""``/graphql``: queries and mutations over HTTP (POST, or GET for queries), subscriptions over a websocket
(graphql-transport-ws), and in development the GraphQL IDE for people.

The IDE is GraphiQL, served by this app from the npm packages ``scripts/bootstrap`` installs (``ide.py``), never
from a CDN: strawberry's own GraphiQL page, which loads React and GraphiQL from unpkg.com, is replaced by ours. In
production there is no page, no introspection and no suggestions.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from cross_web import HTTPException  # what strawberry raises for a request it cannot read
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.requests import HTTPConnection
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from retrace.api.deps import get_services
from retrace.api.graphql import ide
from retrace.api.graphql.context import Context
from retrace.api.graphql.errors import request_error_body
from retrace.api.graphql.schema import build_schema
from retrace.app.browsing import MAX_PAGE
from retrace.config import Settings

PATH = "/graphql"

IDE_ASSETS = PATH + "/ide/"  # GraphiQL's files and the page's own, in development


class TraceGraphQLRouter(GraphQLRouter[Context, None]):
    def __init__(self, *args: Any, ide_modules: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ide_modules = ide_modules

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Asked for by a browser (Accept: text/html) in development only: strawberry calls this when graphql_ide
        # is set, which it is not in production.
        return ide.page(request, self.ide_modules, IDE_ASSETS)

    def parse_json(self, data: str | bytes) -> Any:
        # Strawberry reads fields from whatever JSON it gets; a body of `true` or `3` would crash it (a 500), so
        # anything but an object (or a batch's list, which it refuses itself) is a bad request here.
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, 'The request must be a JSON object: {"query": "…", "variables": {…}}.')
        return parsed

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry answers a request it cannot read (wrong content type, broken JSON, no query) in plain text;
        # clients of this API parse every answer as JSON with coded errors, so these get the same shape.
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as e:
            return JSONResponse(request_error_body(e.reason), status_code=e.status_code)


def graphql_router(settings: Settings) -> GraphQLRouter[Context, None]:
    production = settings.env == "production"

    async def context(connection: HTTPConnection) -> Context:
        services = get_services(connection)  # type: ignore[arg-type]  # a websocket has the same app state
        return Context(services, settings.feed_poll_interval_s, max_page=MAX_PAGE)

    return TraceGraphQLRouter(
        build_schema(production=production),
        context_getter=context,
        graphql_ide=None
        if production
        else "graphiql",  # only switches the page on: render_graphql_ide is ours
        ide_modules=settings.graphql_ide_modules,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        include_in_schema=False,  # GraphQL documents itself (schema.graphql); the OpenAPI document is REST's
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Mount ``/graphql`` on the app, and in development the IDE's files at ``/graphql/ide/``."""
    app.include_router(graphql_router(settings), prefix=PATH)
    if settings.env != "production":
        app.include_router(ide.router_for(settings.graphql_ide_modules, IDE_ASSETS))
