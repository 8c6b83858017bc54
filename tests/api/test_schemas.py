"""The API's event models mirror the domain's event types exactly (masses in kg at the edge)."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest

from retrace.api.errors import field_path
from retrace.api.schemas.events import AnyEvent, EventBase, NewItemSpec, NewLotSpec, event_view
from retrace.domain import events as domain
from retrace.domain.model import Fate
from tests.world import at, battery, digital_link, vin

ITEM = domain.NewItem((digital_link(1), battery("P", 1)), "tv", 12_345, Fate.REUSE)
LOT = domain.NewLot("CU-1", "copper", 2_001, Fate.RECYCLING)
COMMON: dict[str, Any] = {"event_id": "e-1", "event_time": at(1), "site_id": "site-a", "party_id": "party-a"}

EXAMPLES: list[domain.Event] = [
    domain.Commission(**COMMON, items=(ITEM, domain.NewItem((vin(3),), "bev"))),
    domain.Ship(**COMMON, objects=(digital_link(1),), to_party_id="b", to_site_id="site-b"),
    domain.Ship(**COMMON, objects=(digital_link(1),), to_party_id="b"),
    domain.Receive(**COMMON, objects=(digital_link(1), "CU-1"), from_party_id="a"),
    domain.Weigh(**COMMON, object=vin(3), mass_g=1_500_001),
    domain.Aggregate(**COMMON, parent=battery("P", 1), children=(battery("M", 1), battery("M", 2))),
    domain.Disaggregate(**COMMON, parent=battery("P", 1), children=(battery("M", 1),)),
    domain.Disassemble(**COMMON, object=vin(3), parts=(ITEM,), lots=(LOT,)),
    domain.Transform(**COMMON, inputs=("CU-1",), outputs=(LOT,)),
    domain.Transform(**COMMON, inputs=("CU-1",), outputs=(LOT,), reagents_g=5_650),
    domain.Remanufacture(**COMMON, objects=(vin(3),)),
    domain.Remanufacture(**COMMON, objects=(vin(3),), fate=Fate.REUSE),
    domain.Dispose(**COMMON, objects=(vin(3),), fate=Fate.ENERGY_RECOVERY),
    domain.Correct(**COMMON, target_event_id="e-0", reason="wrong item", corrective_event_ids=("e-2",)),
    domain.Associate(**COMMON, object=battery("P", 1), identifiers=(battery("P", 2), digital_link(9))),
]


def test_every_domain_event_type_has_an_api_model() -> None:
    union = typing.get_args(typing.get_args(AnyEvent)[0])
    api_types = {typing.get_args(model.model_fields["type"].annotation)[0] for model in union}
    assert api_types == set(domain.EVENT_TYPES)
    assert {type(e).type for e in EXAMPLES} == set(domain.EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: f"{e.type}")
def test_api_shape_round_trips_to_the_same_domain_event(event: domain.Event) -> None:
    view = event_view(event)
    assert isinstance(view, EventBase)
    assert view.to_domain() == event
    assert view.to_domain().fingerprint() == event.fingerprint()


@pytest.mark.parametrize("cls", [*domain.EVENT_TYPES.values(), domain.NewItem, domain.NewLot])
def test_api_fields_are_the_domain_fields_with_kilograms(cls: Any) -> None:
    domain_fields = {
        f.name.replace("mass_g", "mass_kg")
        .replace("composition_g", "composition_kg")
        .replace("reagents_g", "reagents_kg")
        for f in dataclasses.fields(cls)
    }
    if cls is domain.NewItem:
        model: Any = NewItemSpec
    elif cls is domain.NewLot:
        model = NewLotSpec
    else:
        model = next(
            m
            for m in typing.get_args(typing.get_args(AnyEvent)[0])
            if m.model_fields["type"].annotation.__args__[0] == cls.type
        )
    api_fields = set(model.model_fields) - {"type"}
    assert api_fields == domain_fields


def test_history_shows_kilograms() -> None:
    view = event_view(EXAMPLES[0]).model_dump(mode="json")
    assert view["items"][0]["mass_kg"] == 12.345 and view["items"][1]["mass_kg"] is None


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (
            ("body", "events", 2, "commission", "items", 0, "identifiers", 1),
            "events[2].items[0].identifiers[1]",
        ),
        (("body", "events", 0, "event_time"), "events[0].event_time"),
        (("query", "depth"), "depth"),
        (("body",), None),
        (("body", "parties", 1, "commission"), "parties[1].commission"),  # only event tags are dropped
    ],
)
def test_field_paths(loc: tuple[str | int, ...], path: str | None) -> None:
    assert field_path(loc) == path
