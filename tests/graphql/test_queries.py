"""Every query, through the real app, on both stores: an item by any identifier, its history, lineage and custody;
parties, sites and product models with filters and pages; a site's inventory, mass balance and events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql.conftest import data, gql, only_error
from tests.graphql.world import RECORD, chain_inputs
from tests.world import battery, sgtin_hex, sgtin_urn, vin

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]


@pytest.fixture
async def world(registered: httpx.AsyncClient) -> httpx.AsyncClient:
    result = await data(registered, RECORD, {"events": chain_inputs()})
    assert result["record_events"]["created"] == len(chain_inputs())
    return registered


ITEM = """
query Item($id: String!) {
  item(identifier: $id) {
    id kind stream status terminal mass_kg category material fate version
    identifiers { scheme value }
    holder_id holder { id name name_zh roles region { code province_code province_name } }
    site_id site { id name party { id } region { code } }
    in_transit_to in_transit_to_party { id }
    model_id model { id name stream category nominal_mass_kg composition { material mass_kg } gtin producer { id } }
    parent_id parent { identifiers { value } }
    contents { identifiers { value } }
    created_at created_by_event created_by { event_id type }
    last_event_id last_event { event_id type }
  }
}
"""


async def test_an_item_by_its_battery_code_with_everything_around_it(world: httpx.AsyncClient) -> None:
    item = (await data(world, ITEM, {"id": battery("M", 1)}))["item"]
    assert item["kind"] == "ITEM" and item["stream"] == "BATTERY" and item["status"] == "DISMANTLED"
    assert item["terminal"] is True and item["category"] == "ncm_module" and item["material"] is None
    assert item["mass_kg"] == 8.0 and item["identifiers"] == [
        {"scheme": "gbt34014", "value": battery("M", 1)}
    ]
    assert item["holder"] == {
        "id": "recycler",
        "name": "Recycler",
        "name_zh": "recycler",
        "roles": ["RECYCLER"],
        "region": {"code": "430100", "province_code": "430000", "province_name": "湖南"},
    }
    assert item["site"] == {
        "id": "site-recycler",
        "name": "Recycler yard",
        "party": {"id": "recycler"},
        "region": {"code": "430100"},
    }
    assert item["model"]["id"] == "ncm-module" and item["model"]["producer"] == {"id": "car-maker"}
    assert item["model"]["nominal_mass_kg"] == 40.0 and item["model"]["composition"] == []
    assert item["created_by"] == {"event_id": "c-modules", "type": "COMMISSION"}
    assert item["last_event"] == {"event_id": "d-m1", "type": "DISASSEMBLE"}
    assert item["in_transit_to"] is None and item["in_transit_to_party"] is None


async def test_containers_and_contents(world: httpx.AsyncClient) -> None:
    # The pack was released from the car by the car's disassembly; its modules were taken apart, their cells
    # released into the recycler's transform.
    pack = (await data(world, ITEM, {"id": battery("P", 1)}))["item"]
    assert pack["parent_id"] is None and pack["contents"] == []
    lot = (await data(world, ITEM, {"id": "BM-0001"}))["item"]
    assert lot["kind"] == "LOT" and lot["material"] == "black_mass" and lot["fate"] == "RECYCLING"
    assert lot["model"] is None and lot["holder"]["id"] == "refiner"


async def test_parent_and_contents_while_aggregated(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()[:6]})  # cells in modules, modules in the pack
    module = (await data(registered, ITEM, {"id": battery("M", 2)}))["item"]
    assert module["parent"] == {"identifiers": [{"value": battery("P", 1)}]}
    assert sorted(_name(c) for c in module["contents"]) == [battery("C", 3), battery("C", 4)]


async def test_every_form_of_an_identifier_finds_the_same_item(registered: httpx.AsyncClient) -> None:
    commission = {
        "commission": {
            "event_id": "c-tv",
            "event_time": "2026-03-02T09:00:00+08:00",
            "site_id": "site-tv-maker",
            "party_id": "tv-maker",
            "items": [{"identifiers": [sgtin_urn(7)], "model_id": "tv"}],
        }
    }
    await data(registered, RECORD, {"events": [commission]})
    ids = set()
    for form in (sgtin_urn(7), sgtin_hex(7), "https://id.gs1.org/01/80614141123458/21/7"):
        ids.add(
            (await data(registered, "query($i: String!) { item(identifier: $i) { id } }", {"i": form}))[
                "item"
            ]["id"]
        )
    assert len(ids) == 1


async def test_items_are_looked_up_together_and_a_missing_one_is_an_error_at_its_index(
    world: httpx.AsyncClient,
) -> None:
    body = await gql(
        world,
        "query($ids: [String!]!) { items(identifiers: $ids) { identifiers { value } } }",
        {"ids": [battery("C", 1), "NO-SUCH-LOT", vin(1), "not an identifier at all!"]},
    )
    assert [i and i["identifiers"][0]["value"] for i in body["data"]["items"]] == [
        battery("C", 1),
        None,
        vin(1),
        None,
    ]
    errors = sorted(body["errors"], key=lambda e: e["path"])
    assert [e["path"] for e in errors] == [["items", 1], ["items", 3]]
    assert errors[0]["extensions"]["code"] == "OBJECT_NOT_FOUND"
    assert errors[0]["extensions"]["field"] == "identifiers[1]"
    assert errors[1]["extensions"]["code"] == "INVALID_IDENTIFIER"


async def test_history_lists_every_event_with_its_type_and_the_items_role(world: httpx.AsyncClient) -> None:
    query = """
    query($id: String!) { item(identifier: $id) { history {
      roles
      event {
        event_id type event_time recorded_at site_id site { id } party_id party { id } corrected_by_id
        touched { object_id role item { id } }
        created_ids created { id }
        ... on CommissionEvent { items { identifiers model_id mass_kg fate } }
        ... on AggregateEvent { parent children }
        ... on ShipEvent { objects to_party_id to_party { id } to_site_id to_site { id } }
        ... on ReceiveEvent { objects from_party_id }
        ... on DisassembleEvent { object parts { identifiers } lots { code material mass_kg fate } }
        ... on TransformEvent { inputs outputs { code material mass_kg fate } }
      }
    } } }
    """
    history = (await data(world, query, {"id": battery("C", 1)}))["item"]["history"]
    assert [h["event"]["event_id"] for h in history] == [
        "c-cells",
        "a-m1",
        "h1-ship",
        "h1-recv",
        "h2-ship",
        "h2-recv",
        "d-m1",
        "t-bm",
    ]
    first = history[0]
    assert first["roles"] == ["output"] and first["event"]["type"] == "COMMISSION"
    assert first["event"]["items"][0] == {
        "identifiers": [battery("C", 1)],
        "model_id": "ncm-cell",
        "mass_kg": None,
        "fate": None,
    }
    assert first["event"]["created"] and first["event"]["site"] == {"id": "site-car-maker"}
    ship = history[2]["event"]
    assert (
        ship["type"] == "SHIP"
        and ship["to_party"] == {"id": "dismantler"}
        and ship["to_site"] == {"id": "site-dismantler"}
    )
    transform = history[-1]["event"]
    assert transform["outputs"][0] == {
        "code": "BM-0001",
        "material": "black_mass",
        "mass_kg": 8.0,
        "fate": "RECYCLING",
    }
    assert {t["role"] for t in transform["touched"]} == {"input", "output"}
    assert all(t["item"]["id"] == t["object_id"] for t in transform["touched"])


LINEAGE = """
query($id: String!, $direction: LineageWay!, $depth: Int!) {
  item(identifier: $id) {
    lineage(direction: $direction, depth: $depth) {
      root { identifiers { value } }
      direction depth
      objects { identifiers { value } }
      hops {
        distance kind mass_kg from_id to_id event_id event { type }
        from { identifiers { value } } to { identifiers { value } }
      }
      tree {
        item { identifiers { value } } via { kind }
        children { item { identifiers { value } } children { item { identifiers { value } } } }
      }
    }
  }
}
"""


def _name(node: Json) -> str:
    value: str = node["identifiers"][0]["value"]
    return value


async def test_lineage_upstream_as_objects_hops_and_a_tree(world: httpx.AsyncClient) -> None:
    lineage = (await data(world, LINEAGE, {"id": "LI2CO3-0001", "direction": "UPSTREAM", "depth": 10}))[
        "item"
    ]["lineage"]
    assert lineage["direction"] == "UPSTREAM" and lineage["depth"] == 10
    assert {_name(o) for o in lineage["objects"]} == {
        "LI2CO3-0001",
        "BM-0001",
        *[battery("C", i) for i in range(1, 5)],
        battery("M", 1),
        battery("M", 2),
        battery("P", 1),
        vin(1),
    }
    hops = lineage["hops"]
    assert [h["distance"] for h in hops] == sorted(h["distance"] for h in hops)
    assert (hops[0]["distance"], _name(hops[0]["from"]), _name(hops[0]["to"]), hops[0]["kind"]) == (
        1,
        "BM-0001",
        "LI2CO3-0001",
        "TRANSFORMED_INTO",
    )
    assert (
        hops[0]["mass_kg"] == 0.9
        and hops[0]["event"] == {"type": "TRANSFORM"}
        and hops[0]["event_id"] == "t-li"
    )
    to_car = [h for h in hops if _name(h["from"]) == vin(1)]
    assert (
        to_car
        and to_car[0]["kind"] == "CONTAINS"
        and to_car[0]["mass_kg"] is None
        and to_car[0]["distance"] == 5
    )
    tree = lineage["tree"]
    assert _name(tree["item"]) == "LI2CO3-0001" and tree["via"] is None
    assert [_name(c["item"]) for c in tree["children"]] == ["BM-0001"]
    assert sorted(_name(c["item"]) for c in tree["children"][0]["children"]) == [
        battery("C", i) for i in range(1, 5)
    ]


async def test_lineage_downstream_depth_one(world: httpx.AsyncClient) -> None:
    lineage = (await data(world, LINEAGE, {"id": vin(1), "direction": "DOWNSTREAM", "depth": 1}))["item"][
        "lineage"
    ]
    assert {_name(o) for o in lineage["objects"]} == {vin(1), battery("P", 1), "STEEL-001", "ALU-001"}
    assert {h["kind"] for h in lineage["hops"]} == {"CONTAINS", "DISASSEMBLED_INTO"}
    assert all(h["distance"] == 1 for h in lineage["hops"])


async def test_custody_chain(world: httpx.AsyncClient) -> None:
    query = """query($id: String!) { item(identifier: $id) { custody {
      party_id party { id } site_id site { id } start end
      start_event_id start_event { event_id } end_event_id end_event { event_id }
    } } }"""
    custody = (await data(world, query, {"id": battery("P", 1)}))["item"]["custody"]
    assert [(c["party_id"], c["start_event_id"], c["end_event_id"]) for c in custody] == [
        ("car-maker", "c-pack", "h1-ship"),
        ("dismantler", "h1-recv", "h2-ship"),
        ("recycler", "h2-recv", None),
    ]
    assert custody[1]["party"] == {"id": "dismantler"} and custody[1]["site"] == {"id": "site-dismantler"}
    assert custody[1]["start"] == "2026-03-06T15:00:00+08:00" and custody[2]["end"] is None
    assert custody[2]["end_event"] is None and custody[0]["end_event"] == {"event_id": "h1-ship"}


PARTIES = """
query($role: PartyRole, $region: String, $name: String, $first: Int!, $after: String) {
  parties(role: $role, region: $region, name_contains: $name, first: $first, after: $after) {
    nodes { id licences { number party_id party { id } streams valid_from valid_to } }
    page_info { has_next_page end_cursor }
  }
}
"""


async def test_parties_by_role_region_and_name_page_by_page(world: httpx.AsyncClient) -> None:
    async def ids(**variables: Any) -> list[str]:
        result = (await data(world, PARTIES, {"first": 50, **variables}))["parties"]
        return [n["id"] for n in result["nodes"]]

    assert await ids(role="RECYCLER") == ["recycler", "refiner", "workshop"]
    assert await ids(region="430000") == ["dismantler", "recycler"]
    assert await ids(region="440300", role="RECYCLER") == ["workshop"]
    assert await ids(name="MAKER") == ["car-maker", "tv-maker"]
    seen: list[str] = []
    after = None
    while True:
        page = (await data(world, PARTIES, {"first": 4, "after": after}))["parties"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["page_info"]["has_next_page"]:
            break
        after = page["page_info"]["end_cursor"]
    assert seen == sorted(seen) and len(seen) == 9
    refiner = (await data(world, PARTIES, {"first": 1, "name": "refiner"}))["parties"]["nodes"][0]
    assert refiner["licences"] == [
        {
            "number": "LIC-F-1",
            "party_id": "refiner",
            "party": {"id": "refiner"},
            "streams": ["BATTERY"],
            "valid_from": "2020-01-01",
            "valid_to": "2030-12-31",
        }
    ]


async def test_one_party_site_model_and_event_by_id(world: httpx.AsyncClient) -> None:
    result = await data(
        world,
        """{ party(id: "reman") { name roles } site(id: "site-refiner") { party_id }
             product_model(id: "tv") { producer_id composition { material mass_kg } }
             event(event_id: "t-li") { type party_id ... on TransformEvent { inputs } } }""",
    )
    assert result["party"] == {"name": "Reman", "roles": ["REMANUFACTURER"]}
    assert result["site"] == {"party_id": "refiner"}
    assert result["product_model"]["composition"] == [
        {"material": "glass", "mass_kg": 3.0},
        {"material": "plastics", "mass_kg": 7.0},
        {"material": "steel", "mass_kg": 5.0},
    ]
    assert result["event"] == {"type": "TRANSFORM", "party_id": "refiner", "inputs": ["BM-0001"]}


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ('{ party(id: "nobody") { id } }', "PARTY_NOT_FOUND", "party_id"),
        ('{ site(id: "nowhere") { id } }', "SITE_NOT_FOUND", "site_id"),
        ('{ product_model(id: "none") { id } }', "MODEL_NOT_FOUND", "model_id"),
        ('{ event(event_id: "never") { event_id } }', "EVENT_NOT_FOUND", "event_id"),
        ('{ item(identifier: "NO-SUCH-LOT") { id } }', "OBJECT_NOT_FOUND", "identifier"),
        ('{ parties(region: "999999") { nodes { id } } }', "VALIDATION_ERROR", "region"),
        ('{ parties(after: "bm90IGEgY3Vyc29y") { nodes { id } } }', "VALIDATION_ERROR", "after"),
        ("{ parties(first: 0) { nodes { id } } }", "VALIDATION_ERROR", "first"),
        ('{ events(site_id: "nowhere") { nodes { event_id } } }', "SITE_NOT_FOUND", "site_id"),
        ('{ events(party_id: "nobody") { nodes { event_id } } }', "PARTY_NOT_FOUND", "party_id"),
        ('{ events(start: "2026-03-02T09:00:00") { nodes { event_id } } }', "VALIDATION_ERROR", "start"),
        (
            '{ events(start: "2026-03-03T00:00:00Z", end: "2026-03-02T00:00:00Z") { nodes { event_id } } }',
            "VALIDATION_ERROR",
            "end",
        ),
    ],
)
async def test_what_does_not_exist_or_cannot_be_asked_is_a_coded_error(
    world: httpx.AsyncClient, query: str, code: str, field: str
) -> None:
    error = only_error(await gql(world, query))
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field)
    assert error["message"] == error["extensions"]["message"] and error["extensions"]["message_zh"]


async def test_sites_and_product_models_with_filters(world: httpx.AsyncClient) -> None:
    result = await data(
        world,
        """{
          by_party: sites(party_id: "refiner") { nodes { id } }
          sichuan: sites(region: "510000") { nodes { id } }
          named: sites(name_contains: "YARD", first: 2) { nodes { id } page_info { has_next_page } }
          batteries: product_models(stream: BATTERY) { nodes { id stream } }
          engines: product_models(producer_id: "car-maker", category: "engine") { nodes { id } }
          tvs: product_models(producer_id: "tv-maker") { nodes { id } }
        }""",
    )
    assert result["by_party"]["nodes"] == [{"id": "site-refiner"}] == result["sichuan"]["nodes"]
    assert len(result["named"]["nodes"]) == 2 and result["named"]["page_info"]["has_next_page"] is True
    assert [m["id"] for m in result["batteries"]["nodes"]] == ["ncm-cell", "ncm-module", "ncm-pack"]
    assert result["engines"]["nodes"] == [{"id": "engine"}] and result["tvs"]["nodes"] == [{"id": "tv"}]


INVENTORY = """
query($first: Int!, $after: String) { site(id: "site-recycler") {
  inventory(first: $first, after: $after) { nodes { identifiers { value } } page_info { has_next_page end_cursor } }
} }
"""


async def test_site_inventory_page_by_page(world: httpx.AsyncClient) -> None:
    first = (await data(world, INVENTORY, {"first": 3}))["site"]["inventory"]
    assert len(first["nodes"]) == 3 and first["page_info"]["has_next_page"] is True
    rest = (await data(world, INVENTORY, {"first": 3, "after": first["page_info"]["end_cursor"]}))["site"][
        "inventory"
    ]
    assert len(rest["nodes"]) == 1 and rest["page_info"]["has_next_page"] is False
    names = sorted(_name(n) for n in first["nodes"] + rest["nodes"])
    assert names == ["CELL-AL-CU-1", "MOD-CU-1", "MOD-CU-2", "PACK-ALU-1"]


async def test_site_mass_balance_for_a_period(world: httpx.AsyncClient) -> None:
    query = """query($start: DateTime!, $end: DateTime!) { site(id: "site-refiner") {
      mass_balance(start: $start, end: $end) {
        site_id start end
        totals { direction material fate mass_kg count }
        by_direction { direction mass_kg count }
      }
    } }"""
    balance = (
        await data(world, query, {"start": "2026-03-02T09:00:00+08:00", "end": "2026-04-01T00:00:00+08:00"})
    )["site"]["mass_balance"]
    assert balance["site_id"] == "site-refiner" and balance["start"] == "2026-03-02T09:00:00+08:00"
    assert balance["totals"] == [
        {"direction": "CONSUMED", "material": "black_mass", "fate": "recycling", "mass_kg": 8.0, "count": 1},
        {
            "direction": "PRODUCED",
            "material": "lithium_carbonate",
            "fate": "recycling",
            "mass_kg": 0.9,
            "count": 1,
        },
        {
            "direction": "PRODUCED",
            "material": "nickel_sulfate",
            "fate": "recycling",
            "mass_kg": 3.2,
            "count": 1,
        },
        {"direction": "PRODUCED", "material": "residue", "fate": "disposal", "mass_kg": 2.5, "count": 1},
        {"direction": "RECEIVED", "material": "black_mass", "fate": "recycling", "mass_kg": 8.0, "count": 1},
    ]
    assert balance["by_direction"] == [
        {"direction": "CONSUMED", "mass_kg": 8.0, "count": 1},
        {"direction": "PRODUCED", "mass_kg": 6.6, "count": 3},
        {"direction": "RECEIVED", "mass_kg": 8.0, "count": 1},
    ]
    error = only_error(
        await gql(world, query, {"start": "2026-04-01T00:00:00+08:00", "end": "2026-03-01T00:00:00+08:00"})
    )
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION_ERROR", "end")


async def test_events_of_a_site_a_party_an_item_and_a_period(world: httpx.AsyncClient) -> None:
    async def ids(query: str) -> list[str]:
        result = await data(world, query)
        connection = next(iter(result.values()))
        if "events" in connection:
            connection = connection["events"]
        return [n["event_id"] for n in connection["nodes"]]

    assert await ids('{ events(site_id: "site-recycler") { nodes { event_id } } }') == [
        "h2-recv",
        "d-pack",
        "d-m1",
        "d-m2",
        "t-bm",
        "h3-ship",
    ]
    assert await ids('{ site(id: "site-refiner") { events { nodes { event_id } } } }') == ["h3-recv", "t-li"]
    assert await ids('{ party(id: "dismantler") { events { nodes { event_id } } } }') == [
        "h1-recv",
        "d-car",
        "h2-ship",
    ]
    assert await ids(
        f'{{ events(identifier: "{battery("P", 1)}", party_id: "recycler") {{ nodes {{ event_id }} }} }}'
    ) == ["h2-recv", "d-pack"]
    period = '{ events(start: "2026-03-07T19:00:00+08:00", end: "2026-03-08T05:00:00+08:00") { nodes { event_id } } }'
    assert await ids(period) == ["d-pack", "d-m1", "d-m2"]
    page = (
        await data(
            world,
            '{ events(site_id: "site-recycler", first: 2) '
            "{ nodes { event_id } page_info { has_next_page end_cursor } } }",
        )
    )["events"]
    rest = (
        await data(
            world,
            'query($a: String) { events(site_id: "site-recycler", first: 10, after: $a) '
            "{ nodes { event_id } page_info { has_next_page } } }",
            {"a": page["page_info"]["end_cursor"]},
        )
    )["events"]
    assert [n["event_id"] for n in page["nodes"] + rest["nodes"]] == [
        "h2-recv",
        "d-pack",
        "d-m1",
        "d-m2",
        "t-bm",
        "h3-ship",
    ]
    assert rest["page_info"]["has_next_page"] is False
