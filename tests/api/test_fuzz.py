"""Whatever a client sends, the answer is a structured error or a success: never a 500, never a traceback."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.config import Settings
from tests.api.payloads import commission, disassemble, lot, receive, registry, ship, transform
from tests.world import battery, digital_link, sgtin_hex, vin

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
TEXTS = st.sampled_from(
    [digital_link(1), sgtin_hex(1), vin(1), battery("P", 1), "", "x", "🙂" * 3, "internal:", "30" + "F" * 22]
) | st.text(max_size=40)
VALID = [
    commission("f-c", 0, digital_link(1)),
    ship("f-s", 1, "maker", "collector", digital_link(1)),
    receive("f-r", 2, "collector", digital_link(1)),
    disassemble("f-d", 3, "dismantler", digital_link(1), lot("F-LOT-1", "steel", 5)),
    transform("f-t", 4, "recycler", ["F-LOT-1"], lot("F-LOT-2", "steel", 4)),
]
KEYS = sorted({key for event in VALID for key in event} | {"items", "objects", "mass_kg", "lots", "outputs"})


def _mutated(base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**base, key: value}


EVENTS = st.builds(_mutated, st.sampled_from(VALID), st.sampled_from(KEYS), JSON | TEXTS)
BODIES = JSON | st.builds(lambda events: {"events": events}, st.lists(EVENTS | JSON, min_size=0, max_size=3))


def test_capture_answers_any_body_with_a_status_below_500(tmp_path_factory: pytest.TempPathFactory) -> None:
    loop = asyncio.new_event_loop()
    path = tmp_path_factory.mktemp("fuzz") / "trace.db"
    store = loop.run_until_complete(SqliteStore.open(path))
    app = create_app(Settings(sqlite_path=path, max_batch=5), store=store)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test")
    try:
        assert loop.run_until_complete(client.post("/api/v1/registry", json=registry())).status_code == 200

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(BODIES)
        def answers(body: Any) -> None:
            response = loop.run_until_complete(client.post("/api/v1/events", json=body))
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"] and error["message_zh"]

        answers()
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(store.close())
        loop.close()


def test_item_lookup_answers_any_identifier_below_500(tmp_path_factory: pytest.TempPathFactory) -> None:
    loop = asyncio.new_event_loop()
    path = tmp_path_factory.mktemp("fuzz") / "trace.db"
    store = loop.run_until_complete(SqliteStore.open(path))
    app = create_app(Settings(sqlite_path=path), store=store)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test")
    try:

        @settings(max_examples=200, deadline=None)
        @given(TEXTS.filter(lambda s: bool(s.strip())))
        def answers(identifier: str) -> None:
            for suffix in ("", "/history", "/lineage", "/custody"):
                response = loop.run_until_complete(
                    client.get(f"/api/v1/items/{quote(identifier, safe='')}{suffix}")
                )
                assert response.status_code in (404, 422), response.text
                assert response.json()["error"]["code"] in (
                    "OBJECT_NOT_FOUND",
                    "INVALID_IDENTIFIER",
                    "NOT_FOUND",
                )

        answers()
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(store.close())
        loop.close()
