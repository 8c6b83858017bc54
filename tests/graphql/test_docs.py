"""``docs/graphql.md`` and the README tell the truth: every example query, run on the demo data through the real app,
gives the answer the page shows (the subscription gets the notice of the page's mutation)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_ws.transport import ASGIWebSocketTransport

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.api.graphql.examples import EXAMPLES, Example
from retrace.config import Settings
from tests.conftest import copy_demo
from tests.graphql.conftest import websocket

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "graphql.md"
README = ROOT / "README.md"
Json = dict[str, Any]


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set loaded once; each test works on a copy."""
    return copy_demo(demo_template, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "trace.db"
    shutil.copy(demo_db, copy)
    return copy


async def run_examples(db: Path) -> dict[str, Json]:
    """Each example's answer on the demo data set in ``db`` (queries first, then the subscription with the mutation
    whose event it reports)."""
    settings = Settings(sqlite_path=db)
    store = await SqliteStore.open(settings.sqlite_path)
    answers: dict[str, Json] = {}
    try:
        app = create_app(settings, store=store)
        subscription = next(e for e in EXAMPLES if e.query.startswith("subscription"))
        mutations = [e for e in EXAMPLES if e.query.startswith("mutation")]
        queries = [e for e in EXAMPLES if e.query.startswith("query")]
        async with (
            ASGIWebSocketTransport(app=app) as transport,
            httpx.AsyncClient(transport=transport, base_url="http://trace.test") as client,
        ):
            for example in queries:
                answers[example.title] = await _post(client, example)
            async with websocket(client) as ws:
                await ws.send_json({"type": "connection_init"})
                assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
                payload = {"query": subscription.query, "variables": subscription.variables}
                await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
                await asyncio.sleep(0.3)
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://trace.test"
                ) as http:
                    for example in mutations:
                        answers[example.title] = await _post(http, example)
                message = await ws.receive_json(timeout=10)
                assert message["type"] == "next", message
                answers[subscription.title] = message["payload"]
    finally:
        await store.close()
    return answers


async def _post(client: httpx.AsyncClient, example: Example) -> Json:
    response = await client.post("/graphql", json={"query": example.query, "variables": example.variables})
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    return answer


def documented() -> dict[str, tuple[str, Json | None, Json]]:
    """Title → (query, variables, answer) as the page shows them."""
    text = DOC.read_text(encoding="utf-8")
    out: dict[str, tuple[str, Json | None, Json]] = {}
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0].split(" / ")[0].strip()
        blocks = re.findall(r"^```(\w+)\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
        graphql = [b for lang, b in blocks if lang == "graphql"]
        jsons = [json.loads(b) for lang, b in blocks if lang == "json"]
        if not graphql:
            continue
        variables = jsons[0] if len(jsons) == 2 else None
        out[title] = (graphql[0], variables, jsons[-1])
    return out


async def test_every_example_in_the_docs_gives_the_answer_shown(demo_copy: Path) -> None:
    pages = documented()
    assert sorted(pages) == sorted(e.title for e in EXAMPLES), (
        "docs/graphql.md and examples.py list other examples"
    )
    answers = await run_examples(demo_copy)
    for example in EXAMPLES:
        query, variables, answer = pages[example.title]
        assert query == example.query, example.title
        assert (variables or {}) == example.variables, example.title
        assert answers[example.title] == answer, (
            example.title,
            json.dumps(answers[example.title], ensure_ascii=False),
        )


def readme_queries() -> list[tuple[str, Json, Json]]:
    """(query, variables, answer) of each query in the README's GraphQL section, in order: a ``graphql`` block, a
    line with the variables as inline code followed by an arrow, and a ``json`` block with the answer."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## GraphQL\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(
        r"^```graphql\n(.*?)^```\n\s*`(\{.*?\})` →\s*\n\s*^```json\n(.*?)^```",
        section,
        flags=re.MULTILINE | re.DOTALL,
    )
    return [(query, json.loads(variables), json.loads(answer)) for query, variables, answer in found]


async def test_the_readmes_queries_give_the_answers_shown(demo_copy: Path) -> None:
    shown = readme_queries()
    names = [re.findall(r"^query (\w+)", query) for query, _, _ in shown]
    assert names == [["TvByQrCode"], ["PackCustody"], ["LithiumOrigin"]], (
        "the README's GraphQL section shows three queries, each with its variables and answer"
    )
    store = await SqliteStore.open(demo_copy)
    try:
        app = create_app(Settings(sqlite_path=demo_copy), store=store)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://trace.test"
        ) as client:
            for query, variables, answer in shown:
                response = await client.post("/graphql", json={"query": query, "variables": variables})
                assert response.status_code == 200, response.text
                assert response.json() == answer, (query, json.dumps(response.json(), ensure_ascii=False))
    finally:
        await store.close()
