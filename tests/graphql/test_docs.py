"""``docs/graphql.md`` tells the truth: every example query, run on the demo data through the real app, gives the
answer the page shows (the subscription gets the notice of the page's mutation)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
from httpx_ws.transport import ASGIWebSocketTransport

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.api.graphql.examples import EXAMPLES, Example
from retrace.bootstrap import Services
from retrace.config import Settings
from retrace.demo.dataset import demo_events, demo_registration
from retrace.demo.loader import batched, load
from tests.graphql.conftest import websocket

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
Json = dict[str, Any]


async def run_examples(folder: Path) -> dict[str, Json]:
    """Each example's answer on a freshly loaded demo data set (queries first, then the subscription with the
    mutation whose event it reports)."""
    settings = Settings(sqlite_path=folder / "trace.db")
    store = await SqliteStore.open(settings.sqlite_path)
    answers: dict[str, Json] = {}
    try:
        await load(
            store,
            demo_registration(),
            batched(demo_events(), 500),
            capture=Services.build(settings, store).capture,
        )
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


async def test_every_example_in_the_docs_gives_the_answer_shown(tmp_path: Path) -> None:
    pages = documented()
    assert sorted(pages) == sorted(e.title for e in EXAMPLES), (
        "docs/graphql.md and examples.py list other examples"
    )
    answers = await run_examples(tmp_path)
    for example in EXAMPLES:
        query, variables, answer = pages[example.title]
        assert query == example.query, example.title
        assert (variables or {}) == example.variables, example.title
        assert answers[example.title] == answer, (
            example.title,
            json.dumps(answers[example.title], ensure_ascii=False),
        )
