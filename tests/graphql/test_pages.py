"""Cursor pagination of every registry list, on both stores: following ``end_cursor`` with ``after`` visits every
row exactly once, in id order; a cursor is good for its own list only."""

from __future__ import annotations

from itertools import permutations
from typing import Any

import httpx
import pytest

from tests.graphql.conftest import data, gql, only_error
from tests.graphql.world import RECORD, chain_inputs
from tests.world import registration

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]

LISTS = {
    "parties": sorted(p.id for p in registration().parties),
    "sites": sorted(s.id for s in registration().sites),
    "product_models": sorted(m.id for m in registration().models),
}


def page_query(listing: str, filters: str = "") -> str:
    arguments = f"{filters} first: $first, after: $after".strip()
    return f"""
    query($first: Int!, $after: String) {{
      {listing}({arguments}) {{ nodes {{ id }} page_info {{ has_next_page end_cursor }} }}
    }}
    """


async def walk(client: httpx.AsyncClient, listing: str, first: int, filters: str = "") -> list[list[str]]:
    """Every page of ``listing``, following each page's ``end_cursor``."""
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        page = (await data(client, page_query(listing, filters), {"first": first, "after": after}))[listing]
        pages.append([n["id"] for n in page["nodes"]])
        assert len(pages) <= 20, "the cursor does not advance"
        if not page["page_info"]["has_next_page"]:
            return pages
        after = page["page_info"]["end_cursor"]
        assert after, "a page followed by another must give its cursor"


@pytest.mark.parametrize("listing", sorted(LISTS))
async def test_following_the_cursor_visits_every_row_exactly_once(
    registered: httpx.AsyncClient, listing: str
) -> None:
    for first in (1, 2, 4):
        pages = await walk(registered, listing, first)
        rows = [row for page in pages for row in page]
        assert rows == LISTS[listing], first  # each once, in id order, none left out
        assert [len(p) for p in pages[:-1]] == [first] * (len(pages) - 1) and 1 <= len(pages[-1]) <= first
        assert len(pages) == -(-len(LISTS[listing]) // first)


@pytest.mark.parametrize(
    ("listing", "filters", "expected"),
    [
        ("sites", 'region: "440000",', ["site-carrier", "site-collector", "site-tv-maker", "site-workshop"]),
        (
            "product_models",
            'producer_id: "car-maker",',
            ["bev", "engine", "ncm-cell", "ncm-module", "ncm-pack"],
        ),
        ("product_models", "stream: BATTERY,", ["ncm-cell", "ncm-module", "ncm-pack"]),
    ],
)
async def test_a_filtered_list_pages_through_its_own_rows(
    registered: httpx.AsyncClient, listing: str, filters: str, expected: list[str]
) -> None:
    pages = await walk(registered, listing, 2, filters)
    assert [row for page in pages for row in page] == expected


async def end_cursor(client: httpx.AsyncClient, query: str, listing: str) -> str:
    result = await data(client, query)
    cursor: str = result[listing]["page_info"]["end_cursor"]
    assert cursor
    return cursor


async def test_a_cursor_of_one_list_is_refused_by_another(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()})
    node = {"parties": "id", "sites": "id", "product_models": "id", "events": "event_id"}
    cursors = {
        listing: await end_cursor(
            registered,
            f"{{ {listing}(first: 1) {{ nodes {{ {field} }} page_info {{ end_cursor }} }} }}",
            listing,
        )
        for listing, field in node.items()
    }
    for giver, taker in permutations(node, 2):
        body = await gql(
            registered,
            f"query($after: String) {{ {taker}(after: $after) {{ nodes {{ {node[taker]} }} }} }}",
            {"after": cursors[giver]},
        )
        error = only_error(body)
        assert body["data"] is None, (giver, taker)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", "after")
        assert "is not a cursor of this listing" in error["message"] and error["extensions"]["message_zh"]
    for listing, field in node.items():  # and each list still takes its own
        own = f"query($after: String) {{ {listing}(after: $after) {{ nodes {{ {field} }} }} }}"
        assert (await data(registered, own, {"after": cursors[listing]}))[listing]["nodes"]
