"""Whatever a client sends, the answer is a structured error or a success: never a 500, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.fuzzing import app_on_its_own_loop
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
    with app_on_its_own_loop(tmp_path_factory.mktemp("fuzz"), max_batch=5) as (run, client):
        assert run(client.post("/api/v1/registry", json=registry())).status_code == 200

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(BODIES)
        def answers(body: Any) -> None:
            response = run(client.post("/api/v1/events", json=body))
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"] and error["message_zh"]

        answers()


def test_item_lookup_answers_any_identifier_below_500(tmp_path_factory: pytest.TempPathFactory) -> None:
    with app_on_its_own_loop(tmp_path_factory.mktemp("fuzz")) as (run, client):

        @settings(max_examples=200, deadline=None)
        @given(TEXTS.filter(lambda s: bool(s.strip())))
        def answers(identifier: str) -> None:
            for suffix in ("", "/history", "/lineage", "/custody"):
                response = run(client.get(f"/api/v1/items/{quote(identifier, safe='')}{suffix}"))
                assert response.status_code in (404, 422), response.text
                assert response.json()["error"]["code"] in (
                    "OBJECT_NOT_FOUND",
                    "INVALID_IDENTIFIER",
                    "NOT_FOUND",
                )

        answers()


OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
MONTHS = st.sampled_from(["2026-01", "2026-13", "2025-12", "26-01", "", "2026-1"])
VALUES = (
    TEXTS
    | MONTHS
    | st.integers(-5, 10**7).map(str)
    | st.sampled_from(["nation", "province", "site", "32", "-1"])
)


def _get_routes() -> list[tuple[str, list[str]]]:
    """Every GET route of the published OpenAPI document with its query parameters' names."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    routes = []
    for path, operations in sorted(document["paths"].items()):
        if "get" in operations:
            names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
            routes.append((path, names))
    return routes


ROUTES = _get_routes()


@st.composite
def get_requests(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    path, names = draw(st.sampled_from(ROUTES))
    for placeholder in re.findall(r"\{(\w+)\}", path):
        value = (
            draw(TEXTS.filter(lambda s: bool(s.strip())))
            if placeholder != "fmt"
            else draw(st.sampled_from(["png", "svg", "pdf", "gif", ""]))
        )
        path = path.replace("{" + placeholder + "}", quote(value, safe="") or "x")
    chosen = draw(st.lists(st.sampled_from([*names, "junk"]) if names else st.just("junk"), max_size=6))
    return path, {name: draw(VALUES) for name in chosen}


def test_every_get_route_answers_any_parameters_below_500(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each route the OpenAPI document publishes, with random path values and query parameters: an answer or a
    coded error, never a 500 (the document is the list, so a new route is fuzzed without touching this test)."""
    with app_on_its_own_loop(tmp_path_factory.mktemp("fuzz")) as (run, client):
        assert run(client.post("/api/v1/registry", json=registry())).status_code == 200
        seeded = run(client.post("/api/v1/events", json={"events": VALID[:3]}))
        assert seeded.status_code == 201, seeded.text

        @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(get_requests())
        def answers(request: tuple[str, dict[str, str]]) -> None:
            url, params = request
            response = run(client.get(url, params=params, headers={"accept": "application/json"}))
            assert response.status_code < 500, (url, params, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["code"], response.text

        answers()
