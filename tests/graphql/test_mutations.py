"""Every mutation, through the real app, on both stores: registration, commissioning, recording one event or a
batch (idempotent, all or nothing), and declaring an error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql.conftest import data, gql, only_error
from tests.graphql.world import RECORD, chain_inputs, registration_input
from tests.world import battery, vin

pytestmark = pytest.mark.asyncio

Json = dict[str, Any]

T = "2026-03-02T09:00:00+08:00"

RECORD_ONE = """
mutation One($event: EventInput!) {
  record_event(event: $event) { created replayed outcomes { event_id status created_ids created { kind status } } }
}
"""


def event(kind: str, event_id: str, party: str, when: str = T, **fields: Any) -> Json:
    return {
        kind: {
            "event_id": event_id,
            "event_time": when,
            "site_id": f"site-{party}",
            "party_id": party,
            **fields,
        }
    }


async def item_status(client: httpx.AsyncClient, identifier: str) -> str:
    result = await data(client, "query($i: String!) { item(identifier: $i) { status } }", {"i": identifier})
    status: str = result["item"]["status"]
    return status


async def test_master_data_registers_kind_by_kind(client: httpx.AsyncClient) -> None:
    world = registration_input()
    counted = await data(
        client,
        """mutation($p: [PartyInput!]!, $l: [LicenceInput!]!, $s: [SiteInput!]!, $m: [ProductModelInput!]!) {
          parties: register_parties(parties: $p) { parties }
          licences: register_licences(licences: $l) { licences }
          sites: register_sites(sites: $s) { sites }
          models: register_product_models(models: $m) { models }
        }""",
        {"p": world["parties"], "l": world["licences"], "s": world["sites"], "m": world["models"]},
    )
    assert counted == {
        "parties": {"parties": 9},
        "licences": {"licences": 5},
        "sites": {"sites": 9},
        "models": {"models": 6},
    }
    model = await data(
        client, '{ product_model(id: "bev") { nominal_mass_kg composition { material mass_kg } } }'
    )
    assert model["product_model"]["nominal_mass_kg"] == 1600.0
    assert {c["material"] for c in model["product_model"]["composition"]} == {
        "steel",
        "aluminium",
        "plastics",
    }
    # registering again replaces (master data is corrected by re-registering)
    renamed = [{**world["parties"][0], "name": "Renamed"}]
    await data(
        client, "mutation($p: [PartyInput!]!) { register_parties(parties: $p) { parties } }", {"p": renamed}
    )
    assert (await data(client, f'{{ party(id: "{renamed[0]["id"]}") {{ name }} }}'))["party"][
        "name"
    ] == "Renamed"


async def test_registration_rules_are_the_use_cases(client: httpx.AsyncClient) -> None:
    world = registration_input()
    not_a_producer = {**world["models"][0], "producer_id": "collector"}
    body = await gql(
        client,
        "mutation($i: RegistrationInput!) { register_master_data(input: $i) { models } }",
        {"i": {"parties": world["parties"], "models": [not_a_producer]}},
    )
    error = only_error(body)
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "ROLE_MISSING",
        "models[0].producer_id",
    )
    assert body["data"] is None
    # nothing was saved: the parties of the refused request are not there either
    assert (
        only_error(await gql(client, '{ party(id: "collector") { id } }'))["extensions"]["code"]
        == "PARTY_NOT_FOUND"
    )
    twice = {
        **world["models"][0],
        "composition": [{"material": "steel", "mass_kg": 1}, {"material": "steel", "mass_kg": 2}],
    }
    error = only_error(
        await gql(
            client,
            "mutation($m: [ProductModelInput!]!) { register_product_models(models: $m) { models } }",
            {"m": [twice]},
        )
    )
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "VALIDATION_ERROR",
        "models[0].composition[1].material",
    )


async def test_commission_items(registered: httpx.AsyncClient) -> None:
    result = await data(
        registered,
        """mutation($c: CommissionInput!) { commission_items(input: $c) {
             created replayed
             outcomes { event_id status recorded_at created_ids created { kind mass_kg model_id } }
        } }""",
        {
            "c": {
                "event_id": "c-1",
                "event_time": T,
                "site_id": "site-car-maker",
                "party_id": "car-maker",
                "items": [
                    {"identifiers": [vin(5)], "model_id": "bev"},
                    {"identifiers": [battery("P", 5)], "model_id": "ncm-pack", "mass_kg": 398.5},
                ],
            }
        },
    )
    commission = result["commission_items"]
    assert commission["created"] == 1 and commission["replayed"] == 0
    outcome = commission["outcomes"][0]
    assert outcome["status"] == "CREATED" and len(outcome["created_ids"]) == 2
    assert sorted((c["mass_kg"], c["model_id"], c["kind"]) for c in outcome["created"]) == [
        (398.5, "ncm-pack", "ITEM"),
        (1600.0, "bev", "ITEM"),
    ]


async def test_a_batch_is_idempotent_and_a_replay_answers_as_the_first_time(
    registered: httpx.AsyncClient,
) -> None:
    first = (await data(registered, RECORD, {"events": chain_inputs()}))["record_events"]
    again = (await data(registered, RECORD, {"events": chain_inputs()}))["record_events"]
    assert first["created"] == len(chain_inputs()) and first["replayed"] == 0
    assert again["created"] == 0 and again["replayed"] == len(chain_inputs())
    for a, b in zip(first["outcomes"], again["outcomes"], strict=True):
        assert (a["event_id"], a["recorded_at"], a["created_ids"]) == (
            b["event_id"],
            b["recorded_at"],
            b["created_ids"],
        )
        assert (a["status"], b["status"]) == ("CREATED", "REPLAYED")


async def test_one_event_recorded_twice_is_replayed_and_stored_once(registered: httpx.AsyncClient) -> None:
    query = """
    mutation One($event: EventInput!) {
      record_event(event: $event) { created replayed outcomes { event_id status recorded_at created_ids } }
    }
    """
    commission = chain_inputs()[0]  # four cells
    first = (await data(registered, query, {"event": commission}))["record_event"]
    again = (await data(registered, query, {"event": commission}))["record_event"]
    assert (first["created"], first["replayed"], again["created"], again["replayed"]) == (1, 0, 0, 1)
    (made,), (replayed,) = first["outcomes"], again["outcomes"]
    assert (made["status"], replayed["status"]) == ("CREATED", "REPLAYED")
    assert len(made["created_ids"]) == 4
    assert {k: v for k, v in replayed.items() if k != "status"} == {
        k: v for k, v in made.items() if k != "status"
    }
    stored = await data(
        registered,
        """query($i: String!) {
          events(party_id: "car-maker") { nodes { event_id } }
          item(identifier: $i) { history { event { event_id } } }
        }""",
        {"i": battery("C", 1)},
    )
    assert stored["events"]["nodes"] == [{"event_id": "c-cells"}]
    assert stored["item"]["history"] == [{"event": {"event_id": "c-cells"}}]


async def test_a_batch_with_one_bad_event_stores_nothing(registered: httpx.AsyncClient) -> None:
    events = chain_inputs()[:8]
    events[5] = event("receive", "bad-recv", "workshop", objects=[battery("P", 1)])  # not in transit to it
    body = await gql(registered, RECORD, {"events": events})
    error = only_error(body)
    assert error["extensions"]["code"] == "BATCH_REJECTED" and body["data"] is None
    (rejected,) = error["extensions"]["details"]["errors"]
    assert rejected["index"] == 5 and rejected["event_id"] == "bad-recv"
    assert (
        only_error(await gql(registered, f'{{ item(identifier: "{battery("C", 1)}") {{ id }} }}'))[
            "extensions"
        ]["code"]
        == "OBJECT_NOT_FOUND"
    )


async def test_the_same_id_with_other_content_is_a_conflict(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()[:1]})
    changed = chain_inputs()[0]
    changed["commission"]["event_time"] = "2026-03-02T10:00:00+08:00"
    error = only_error(await gql(registered, RECORD_ONE, {"event": changed}))
    assert error["extensions"]["code"] == "BATCH_REJECTED"
    assert error["extensions"]["details"]["errors"][0]["code"] == "EVENT_ID_CONFLICT"


async def test_a_batch_over_the_limit_is_refused(registered: httpx.AsyncClient) -> None:
    events = [event("receive", f"r-{i}", "collector", objects=[vin(i)]) for i in range(51)]
    error = only_error(await gql(registered, RECORD, {"events": events}))
    assert error["extensions"]["code"] == "BATCH_TOO_LARGE" and error["extensions"]["details"] == {
        "max_batch": 50,
        "size": 51,
    }


async def test_one_event_must_be_exactly_one_type(registered: httpx.AsyncClient) -> None:
    both = {
        **event("receive", "x", "collector", objects=[vin(1)]),
        **event("ship", "y", "collector", objects=[vin(1)], to_party_id="recycler"),
    }
    error = only_error(await gql(registered, RECORD_ONE, {"event": both}))
    assert error["extensions"]["code"] == "QUERY_INVALID"


async def test_every_event_type_one_by_one(registered: httpx.AsyncClient) -> None:
    async def record(e: Json) -> Json:
        outcome: Json = (await data(registered, RECORD_ONE, {"event": e}))["record_event"]
        return outcome

    engine, car = "ENGINE-0001", vin(9)
    await record(event("commission", "c-car", "car-maker", items=[{"identifiers": [car], "model_id": "bev"}]))
    made = await record(
        event(
            "commission",
            "c-eng",
            "car-maker",
            items=[{"identifiers": [f"internal:{engine}"], "model_id": "engine"}],
        )
    )
    assert made["outcomes"][0]["created"] == [{"kind": "ITEM", "status": "ACTIVE"}]
    await record(
        event("aggregate", "agg", "car-maker", "2026-03-02T10:00:00+08:00", parent=car, children=[engine])
    )
    await record(
        event("disaggregate", "dis", "car-maker", "2026-03-02T11:00:00+08:00", parent=car, children=[engine])
    )
    await record(event("weigh", "w", "car-maker", "2026-03-02T12:00:00+08:00", object=engine, mass_kg=118.25))
    assert (await data(registered, f'{{ item(identifier: "{engine}") {{ mass_kg }} }}'))["item"][
        "mass_kg"
    ] == 118.25
    await record(
        event(
            "ship",
            "s",
            "car-maker",
            "2026-03-03T09:00:00+08:00",
            objects=[engine],
            to_party_id="reman",
            to_site_id="site-reman",
        )
    )
    assert await item_status(registered, engine) == "IN_TRANSIT"
    await record(
        event(
            "receive", "r", "reman", "2026-03-04T09:00:00+08:00", objects=[engine], from_party_id="car-maker"
        )
    )
    await record(event("remanufacture", "rm", "reman", "2026-03-05T09:00:00+08:00", objects=[engine]))
    assert await item_status(registered, engine) == "REMANUFACTURED"
    await record(
        event("dispose", "d", "car-maker", "2026-03-06T09:00:00+08:00", objects=[car], fate="ENERGY_RECOVERY")
    )
    assert await item_status(registered, car) == "DISPOSED"
    history = (
        await data(
            registered,
            f"""{{ item(identifier: "{engine}") {{ history {{ event {{
              type
              ... on WeighEvent {{ object mass_kg }}
              ... on AggregateEvent {{ parent children }}
              ... on DisaggregateEvent {{ parent children }}
              ... on ReceiveEvent {{ from_party_id }}
              ... on RemanufactureEvent {{ objects }}
            }} }} }} }}""",
        )
    )["item"]["history"]
    assert [h["event"]["type"] for h in history] == [
        "COMMISSION",
        "AGGREGATE",
        "DISAGGREGATE",
        "WEIGH",
        "SHIP",
        "RECEIVE",
        "REMANUFACTURE",
    ]
    assert history[3]["event"] == {"type": "WEIGH", "object": engine, "mass_kg": 118.25}
    assert history[5]["event"] == {"type": "RECEIVE", "from_party_id": "car-maker"}
    disposal = (await data(registered, '{ event(event_id: "d") { ... on DisposeEvent { objects fate } } }'))[
        "event"
    ]
    assert disposal == {"objects": [car], "fate": "ENERGY_RECOVERY"}


async def test_declare_an_error_on_an_earlier_event(registered: httpx.AsyncClient) -> None:
    await data(registered, RECORD, {"events": chain_inputs()})
    result = await data(
        registered,
        """mutation($c: CorrectInput!) { declare_error(input: $c) { created outcomes { event_id status } } }""",
        {
            "c": {
                "event_id": "fix-1",
                "event_time": "2026-03-09T09:00:00+08:00",
                "site_id": "site-refiner",
                "party_id": "refiner",
                "target_event_id": "t-li",
                "reason": "outputs were weighed wrong",
            }
        },
    )
    assert result["declare_error"] == {"created": 1, "outcomes": [{"event_id": "fix-1", "status": "CREATED"}]}
    target = (
        await data(
            registered,
            """{ event(event_id: "t-li") { corrected_by_id corrected_by { event_id
                 ... on CorrectEvent { target_event_id target { event_id } reason corrective_event_ids } } } }""",
        )
    )["event"]
    assert target["corrected_by_id"] == "fix-1"
    assert target["corrected_by"] == {
        "event_id": "fix-1",
        "target_event_id": "t-li",
        "target": {"event_id": "t-li"},
        "reason": "outputs were weighed wrong",
        "corrective_event_ids": [],
    }
    assert await item_status(registered, "BM-0001") == "ACTIVE"  # its consumption was undone
    error = only_error(await gql(registered, '{ item(identifier: "LI2CO3-0001") { status } }'))
    assert error["extensions"]["code"] == "OBJECT_NOT_FOUND"  # the voided lot gave its code up
