"""Lists never cost a store call per entry: the real store, counted, under a query for 100 items with their
holders, sites, operators, models, producers and creating events."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrace.api.app import create_app
from retrace.app.ports import GraphStore
from retrace.config import Settings
from tests.graphql.conftest import data, gql
from tests.graphql.world import REGISTER, registration_input
from tests.world import digital_link

pytestmark = pytest.mark.asyncio


class CountingStore:
    """The real store; every call of a port method is counted (nothing else changes)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await attribute(*args, **kwargs)

        return counted


QUERY = """
query($ids: [String!]!) {
  items(identifiers: $ids) {
    identifiers { value }
    holder { name licences { number } }
    site { name party { name } }
    model { name producer { name } }
    created_by { event_id party { name } site { name } }
    last_event { event_id }
  }
}
"""


async def test_a_list_of_100_items_costs_the_same_few_store_calls_as_a_list_of_10(
    store: GraphStore, tmp_path: Path
) -> None:
    counting = CountingStore(store)
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db"), store=counting)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://trace.test"
    ) as client:
        await data(client, REGISTER, {"input": registration_input()})
        tvs = [digital_link(1000 + i) for i in range(100)]
        # Two commissions by two producers' sites, so holders, sites and events differ across the list.
        for n, half in enumerate((tvs[:50], tvs[50:])):
            await data(
                client,
                "mutation($c: CommissionInput!) { commission_items(input: $c) { created } }",
                {
                    "c": {
                        "event_id": f"c-{n}",
                        "event_time": "2026-03-02T09:00:00+08:00",
                        "site_id": "site-tv-maker" if n == 0 else "site-collector",
                        "party_id": "tv-maker" if n == 0 else "collector",
                        "items": [{"identifiers": [tv], "model_id": "tv"} for tv in half],
                    }
                },
            )

        async def calls_for(ids: list[str]) -> Counter[str]:
            counting.calls.clear()
            result = await data(client, QUERY, {"ids": ids})
            assert [i["identifiers"][0]["value"] for i in result["items"]] == ids
            assert {i["holder"]["name"] for i in result["items"]} == (
                {"Tv-Maker", "Collector"} if len(ids) > 50 else {"Tv-Maker"}
            )
            return Counter(counting.calls)

        ten = await calls_for(tvs[:10])
        hundred = await calls_for(tvs)
    assert hundred == ten, (ten, hundred)
    # one lookup of all identifiers, then one call per kind of record and level of the query
    assert hundred["find_by_keys"] == 1 and hundred["get_events"] == 1 and hundred["get_models"] == 1
    assert hundred["get_sites"] <= 2 and hundred["get_parties"] <= 3 and hundred["get_licences"] == 1
    assert sum(hundred.values()) <= 9, hundred


async def test_a_list_of_100_identifiers_that_name_nothing_costs_one_lookup(
    store: GraphStore, tmp_path: Path
) -> None:
    """Misses are answered from the same batched lookup as hits (each with the error a single lookup gives)."""
    counting = CountingStore(store)
    app = create_app(Settings(sqlite_path=tmp_path / "trace.db"), store=counting)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://trace.test"
    ) as client:
        await data(client, REGISTER, {"input": registration_input()})
        await data(
            client,
            "mutation($c: CommissionInput!) { commission_items(input: $c) { created } }",
            {
                "c": {
                    "event_id": "c-0",
                    "event_time": "2026-03-02T09:00:00+08:00",
                    "site_id": "site-tv-maker",
                    "party_id": "tv-maker",
                    "items": [{"identifiers": [digital_link(1000)], "model_id": "tv"}],
                }
            },
        )
        misses = [digital_link(5000 + i) for i in range(100)]
        counting.calls.clear()
        body = await gql(
            client,
            "query($ids: [String!]!) { items(identifiers: $ids) { identifiers { value } } }",
            {"ids": [*misses, digital_link(1000)]},
        )
        calls = Counter(counting.calls)
    assert body["data"]["items"] == [None] * 100 + [{"identifiers": [{"value": digital_link(1000)}]}]
    errors = sorted(body["errors"], key=lambda e: e["path"][1])
    assert [e["path"] for e in errors] == [["items", i] for i in range(100)]
    assert {e["extensions"]["code"] for e in errors} == {"OBJECT_NOT_FOUND"}
    assert [e["extensions"]["field"] for e in errors] == [f"identifiers[{i}]" for i in range(100)]
    assert errors[7]["message"] == f"no object is known by {misses[7]!r}"
    assert calls == Counter({"find_by_keys": 1}), calls
