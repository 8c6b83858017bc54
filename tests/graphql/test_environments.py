"""Development and production: introspection, "did you mean" suggestions and the console page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from graphql import get_introspection_query

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.api.graphql.examples import EXAMPLES
from retrace.config import Settings
from tests.graphql.conftest import data, gql, only_error

pytestmark = pytest.mark.asyncio


async def _client(tmp_path: Path, env: str) -> AsyncIterator[httpx.AsyncClient]:
    store = await SqliteStore.open(tmp_path / "trace.db")
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db", env=env), store=store)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://trace.test"
        ) as c:
            yield c
    finally:
        await store.close()


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(tmp_path, "production"):
        yield c


@pytest.fixture
async def development(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(tmp_path, "development"):
        yield c


TYPO = "{ partys { nodes { id } } }"


async def test_production_has_no_introspection_no_suggestions_and_no_page(
    production: httpx.AsyncClient,
) -> None:
    body = await gql(production, get_introspection_query())
    assert body["data"] is None and {e["extensions"]["code"] for e in body["errors"]} == {"QUERY_INVALID"}
    assert "introspection has been disabled" in body["errors"][0]["message"]
    error = only_error(await gql(production, '{ __type(name: "Item") { name } }'))
    assert error["extensions"]["code"] == "QUERY_INVALID"
    typo = only_error(await gql(production, TYPO))
    assert typo["message"] == "Cannot query field 'partys' on type 'Query'."
    enum_typo = only_error(await gql(production, "{ parties(role: RECYCLR) { nodes { id } } }"))
    assert (
        "Did you mean" not in enum_typo["message"]
        and "Did you mean" not in enum_typo["extensions"]["message_zh"]
    )
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert await data(production, "{ parties { nodes { id } } }") == {"parties": {"nodes": []}}


async def test_development_has_introspection_and_suggestions(development: httpx.AsyncClient) -> None:
    result = await data(development, '{ __type(name: "Item") { name description } }')
    assert result["__type"]["name"] == "Item" and result["__type"]["description"]
    typo = only_error(await gql(development, TYPO))
    assert (
        typo["message"] == "Cannot query field 'partys' on type 'Query'. Did you mean 'party' or 'parties'?"
    )
    assert typo["extensions"]["code"] == "QUERY_INVALID"


async def test_development_serves_a_console_that_loads_nothing_from_elsewhere(
    development: httpx.AsyncClient,
) -> None:
    page = await development.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    html = page.text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page links to another host"
    assert "unpkg" not in html and "cdn" not in html.lower()
    for example in EXAMPLES:
        assert example.title in html
    assert '<script src="/graphql/ide/graphiql.min.js"' in html  # GraphiQL, from this server
    # GET with a query still runs it (for tools that use GET); the page is only for browsers asking for HTML
    answer = await development.get("/graphql", params={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}


async def test_a_mutation_cannot_come_from_a_form_or_a_link(development: httpx.AsyncClient) -> None:
    """What a page on another site can make a browser send without CORS (a form post, a link) is refused."""
    mutation = "mutation { register_parties(parties: []) { parties } }"
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ):
        sent = await development.post(
            "/graphql", content=f'{{"query": "{mutation}"}}', headers={"content-type": content_type}
        )
        assert sent.status_code == 400
        assert sent.json()["errors"][0]["message"] == "Unsupported content type"
    linked = await development.get("/graphql", params={"query": mutation})
    assert linked.status_code == 400 and "not allowed" in linked.text
