"""The same bad input sent to REST and to GraphQL gets the same error: GraphQL's ``extensions`` is exactly REST's
``error`` object (code, message, message_zh, field, details), and its ``message`` the same message."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.payloads import associate, commission, disassemble, lot, receive, registry, ship
from tests.graphql.conftest import gql, only_error

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]


def gql_event(rest: Json) -> Json:
    """A REST event body as a GraphQL EventInput: the type becomes the field, enum values their names."""

    def convert(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: convert(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v, key) for v in value]
        if key == "fate" and isinstance(value, str):
            return value.upper()
        return value

    fields = {k: v for k, v in rest.items() if k != "type"}
    return {rest["type"]: convert(fields)}


def gql_registry(rest: Json) -> Json:
    out: Json = {}
    for kind, entries in rest.items():
        converted = []
        for entry in entries:
            entry = dict(entry)
            if "roles" in entry:
                entry["roles"] = [r.upper() for r in entry["roles"]]
            if "streams" in entry:
                entry["streams"] = [s.upper() for s in entry["streams"]]
            if "stream" in entry:
                entry["stream"] = entry["stream"].upper()
            if "composition_kg" in entry:
                entry["composition"] = [
                    {"material": m, "mass_kg": kg} for m, kg in entry.pop("composition_kg").items()
                ]
            if "nominal_mass_kg" in entry:
                entry["nominal_mass_kg"] = float(entry["nominal_mass_kg"])
            converted.append(entry)
        out[kind] = converted
    return out


RECORD = "mutation($e: [EventInput!]!) { record_events(events: $e) { created } }"
REGISTER = "mutation($i: RegistrationInput!) { register_master_data(input: $i) { parties } }"


def _clockless(value: Json) -> Json:
    """The error with the server's clock reading (in EVENT_TIME_IN_FUTURE messages) taken out: the two requests
    were answered a few milliseconds apart."""
    text = re.sub(r'(server time |"server_time": ")[0-9T:.+-]+', r"\1…", json.dumps(value))
    out: Json = json.loads(text)
    return out


async def same_error(rest: httpx.Response, body: Json) -> Json:
    assert rest.status_code >= 400, rest.text
    error = only_error(body)
    rest_error: Json = rest.json()["error"]
    assert _clockless(error["extensions"]) == _clockless(rest_error)
    assert _clockless({"m": error["message"]}) == _clockless({"m": rest_error["message"]})
    return rest_error


@pytest.fixture
async def ready(client: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await client.post("/api/v1/registry", json=registry())
    assert response.status_code == 200, response.text
    response = await client.post("/api/v1/events", json={"events": [commission("tv-c", 0, "TV-0001")]})
    assert response.status_code == 201, response.text
    return client


@pytest.mark.parametrize(
    ("name", "events", "code", "field"),
    [
        (
            "naive time",
            [{**commission("x-1", 1, "TV-0002"), "event_time": "2026-03-02T09:00:00"}],
            "VALIDATION_ERROR",
            "events[0].event_time",
        ),
        (
            "no items",
            [{**commission("x-1", 1, "TV-0002"), "items": []}],
            "VALIDATION_ERROR",
            "events[0].items",
        ),
        (
            "negative mass",
            [commission("x-1", 1, "TV-0002", mass_kg=-1)],
            "VALIDATION_ERROR",
            "events[0].items[0].mass_kg",
        ),
        (
            "bad identifier",
            [ship("x-1", 1, "maker", "collector", "urn:epc:id:sgtin:0614141.812345")],
            "BATCH_REJECTED",
            None,
        ),
        ("unknown item", [ship("x-1", 1, "maker", "collector", "NO-SUCH-TV")], "BATCH_REJECTED", None),
        (
            "in the future",
            [{**ship("x-1", 1, "maker", "collector", "TV-0001"), "event_time": "2099-01-01T00:00:00Z"}],
            "BATCH_REJECTED",
            None,
        ),
        (
            "outputs over inputs",
            [disassemble("x-1", 1, "maker", "TV-0001", lot("CU-9", "copper", 50))],
            "BATCH_REJECTED",
            None,
        ),
        (
            "replay conflict",
            [{**commission("tv-c", 0, "TV-0001"), "party_id": "collector", "site_id": "site-collector"}],
            "BATCH_REJECTED",
            None,
        ),
        (
            "no new identifier",
            [associate("x-1", 1, "maker", "TV-0001")],
            "VALIDATION_ERROR",
            "events[0].identifiers",
        ),
        (
            "identifier taken",
            [commission("x-0", 1, "TV-0002"), associate("x-1", 1, "maker", "TV-0002", "TV-0001")],
            "BATCH_REJECTED",
            None,
        ),
        ("already associated", [associate("x-1", 1, "maker", "TV-0001", "TV-0001")], "BATCH_REJECTED", None),
        (
            "associate by another",
            [associate("x-1", 1, "collector", "TV-0001", "TV-9")],
            "BATCH_REJECTED",
            None,
        ),
        (
            "one bad of three",
            [
                ship("x-1", 1, "maker", "collector", "TV-0001"),
                receive("x-2", 2, "collector", "TV-0001"),
                disassemble("x-3", 3, "collector", "TV-0001", lot("CU-9", "copper", 50)),
            ],
            "BATCH_REJECTED",
            None,
        ),
    ],
)
async def test_capture_errors_are_the_same(
    ready: httpx.AsyncClient, name: str, events: list[Json], code: str, field: str | None
) -> None:
    rest = await ready.post("/api/v1/events", json={"events": events})
    body = await gql(ready, RECORD, {"e": [gql_event(e) for e in events]})
    error = await same_error(rest, body)
    assert (error["code"], error["field"]) == (code, field), name
    if code == "BATCH_REJECTED":
        assert error["details"]["errors"], name


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (lambda r: r["parties"][0].update(region="999999"), "VALIDATION_ERROR", "parties[0].region"),
        (lambda r: r["parties"][0].update(region="12"), "VALIDATION_ERROR", "parties[0].region"),
        (lambda r: r["sites"][0].update(party_id="nobody"), "PARTY_NOT_FOUND", "sites[0].party_id"),
        (
            lambda r: r["licences"][0].update(valid_to="2019-01-01"),
            "VALIDATION_ERROR",
            "licences[0].valid_to",
        ),
        (lambda r: r["models"][0].update(producer_id="collector"), "ROLE_MISSING", "models[0].producer_id"),
        (lambda r: r["models"][0].update(gtin="80614141123459"), "INVALID_IDENTIFIER", "models[0].gtin"),
        (lambda r: r["parties"][1].update(roles=[]), "VALIDATION_ERROR", "parties[1].roles"),
    ],
)
async def test_registry_errors_are_the_same(
    client: httpx.AsyncClient, change: Any, code: str, field: str
) -> None:
    bad = registry()
    change(bad)
    rest = await client.post("/api/v1/registry", json=bad)
    body = await gql(client, REGISTER, {"i": gql_registry(bad)})
    error = await same_error(rest, body)
    assert (error["code"], error["field"]) == (code, field)


@pytest.mark.parametrize(
    ("path", "query", "code"),
    [
        (
            "/api/v1/items/{id}",
            '{ item(identifier: "%s") { id } }',
            "INVALID_IDENTIFIER",
        ),
        ("/api/v1/items/NO-SUCH-LOT", '{ item(identifier: "NO-SUCH-LOT") { id } }', "OBJECT_NOT_FOUND"),
        (
            "/api/v1/items/TV-0001/lineage?depth=51",
            '{ item(identifier: "TV-0001") { lineage(depth: 51) { depth } } }',
            "VALIDATION_ERROR",
        ),
        (
            "/api/v1/sites/nowhere/flows?start=2026-01-01T00:00:00Z&end=2026-02-01T00:00:00Z",
            '{ site(id: "nowhere") { id } }',
            "SITE_NOT_FOUND",
        ),
        (
            "/api/v1/sites/site-maker/flows?start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z",
            '{ site(id: "site-maker") { mass_balance(start: "2026-02-01T00:00:00Z", end: "2026-01-01T00:00:00Z") '
            "{ site_id } } }",
            "VALIDATION_ERROR",
        ),
    ],
)
async def test_query_errors_are_the_same(ready: httpx.AsyncClient, path: str, query: str, code: str) -> None:
    bad_urn = "urn:epc:id:sgtin:0614141.812345"
    rest = await ready.get(path.format(id=quote(bad_urn, safe="")))
    body = await gql(ready, query.replace("%s", bad_urn))
    error = await same_error(rest, body)
    assert error["code"] == code
