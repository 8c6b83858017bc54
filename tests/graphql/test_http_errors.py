"""An HTTP request to /graphql that carries no readable operation gets a coded GraphQL error in JSON (as every other
refusal), in English and Chinese, not strawberry's plain text."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        (
            {"content": "query { parties { nodes { id } } }", "headers": {"content-type": "text/plain"}},
            "Unsupported content type",
        ),
        ({"content": "{not json", "headers": {"content-type": "application/json"}}, "Unable to parse"),
        ({"json": {"variables": {}}}, "No GraphQL query"),
        ({"json": [{"query": "{ __typename }"}]}, "Batching is not enabled"),
    ],
    ids=["content-type", "broken-json", "no-query", "batch"],
)
async def test_an_unreadable_request_gets_a_coded_json_error(
    client: httpx.AsyncClient, request_kwargs: dict[str, Any], message: str
) -> None:
    response = await client.post("/graphql", **request_kwargs)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"]["code"] == "QUERY_INVALID"
    assert error["extensions"]["message_zh"]


async def test_a_readable_request_is_still_answered(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
