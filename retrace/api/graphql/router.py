"""``/graphql``: queries and mutations over HTTP (POST, or GET for queries), subscriptions over a websocket
(graphql-transport-ws), and in development a console page for people.

Strawberry's own GraphiQL page loads React and GraphiQL from a CDN (unpkg.com); a platform used in yards with bad
connectivity and audited for what it loads cannot depend on that, so it is never served.  In development the page
at ``/graphql`` is this project's console instead (``console.html``): self-contained, with the example queries of
``docs/graphql.md``, variables, live subscriptions and the schema, and a Content-Security-Policy that forbids loading
anything from elsewhere.  In production there is no page, no introspection and no suggestions.
"""

from __future__ import annotations

import html
import json
from datetime import timedelta
from importlib import resources
from typing import Any

from cross_web import HTTPException  # what strawberry raises for a request it cannot read
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.requests import HTTPConnection
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from retrace.api.deps import get_services
from retrace.api.graphql.context import Context
from retrace.api.graphql.errors import request_error_body
from retrace.api.graphql.examples import EXAMPLES
from retrace.api.graphql.schema import build_schema, schema_sdl
from retrace.app.browsing import MAX_PAGE
from retrace.config import Settings

PATH = "/graphql"

# Everything the console needs is in the page itself; the policy makes the browser refuse anything else.
CONSOLE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def console_page() -> str:
    template = resources.files("retrace.api.graphql").joinpath("console.html").read_text(encoding="utf-8")
    examples = [
        {"title": e.title, "title_zh": e.title_zh, "query": e.query, "variables": e.variables}
        for e in EXAMPLES
    ]
    # </script> cannot appear inside the JSON: every "<" is escaped, which JSON allows.
    data = json.dumps(examples, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("/*EXAMPLES*/[]", data).replace("<!--SCHEMA-->", html.escape(schema_sdl()))


class TraceGraphQLRouter(GraphQLRouter[Context, None]):
    @property
    def graphql_ide_html(self) -> str:
        return console_page()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.graphql_ide_html, headers={"Content-Security-Policy": CONSOLE_POLICY})

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
        graphql_ide=None if production else "graphiql",  # "graphiql" only switches the page on: it is ours
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        include_in_schema=False,  # GraphQL documents itself (schema.graphql); the OpenAPI document is REST's
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Mount ``/graphql`` on the app."""
    app.include_router(graphql_router(settings), prefix=PATH)
