"""The EPCIS 2.0 form of a transformation with reagents, of a lot of several streams and of cascade reuse
(docs/events.md): schema-valid, and nothing the event carries is lost."""

from __future__ import annotations

from typing import Any

import pytest

from retrace.domain.epcis import reagents_uri, to_epcis, to_epcis_document
from retrace.domain.identifiers import parse_identifier
from retrace.domain.ledger import Ledger
from retrace.domain.model import ObjectKind
from tests.domain.test_epcis import assert_valid, leaves
from tests.rates.chains import (
    REAGENTS_G,
    cascade_chain,
    mixed_chain,
    refinery_chain,
    registration_with_modules,
)
from tests.rates.support import battery, ledger


@pytest.fixture(scope="module")
def book() -> Ledger:
    """The three chains in one ledger (the cascade plant opens a pack of its own)."""
    book = ledger(registration_with_modules())
    events = [*mixed_chain(), *refinery_chain()[4:], *cascade_chain(pack=battery(2))]
    for event in events:
        book.apply(event, event.fingerprint())
    return book


def epcis(book: Ledger, event_id: str) -> dict[str, Any]:
    return to_epcis(book.records[event_id], book.objects, targets=book.records)


def test_reagents_are_a_quantity_input_of_the_transformation(book: Ledger) -> None:
    event = epcis(book, "t-bm")
    assert_valid(event)
    assert event["inputQuantityList"] == [
        {"epcClass": "urn:retrace:lot:BM-1", "quantity": 80.0, "uom": "KGM"},
        {"epcClass": "urn:retrace:material:reagents", "quantity": 75.0, "uom": "KGM"},
    ]
    assert event["retrace:reagentsG"] == REAGENTS_G
    # The outputs at their physical mass.
    quantities = {q["epcClass"]: q["quantity"] for q in event["outputQuantityList"]}
    assert quantities["urn:retrace:lot:NS-1"] == 51.5


def test_a_lot_of_several_streams_weighs_its_whole_mass(book: Ledger) -> None:
    event = epcis(book, "t-mix")
    assert_valid(event)
    assert {q["epcClass"]: q["quantity"] for q in event["outputQuantityList"]} == {
        "urn:retrace:lot:CUC-1": 27.0,
        "urn:retrace:lot:CSL-1": 1.5,
    }
    cathode = next(o for o in event["retrace:objects"] if o["retrace:uri"] == "urn:retrace:lot:CUC-1")
    assert (cathode["retrace:massG"], cathode["retrace:stream"]) == (27_000, "battery")


def test_cascade_reuse_says_its_fate(book: Ledger) -> None:
    event = epcis(book, "k-reuse")
    assert_valid(event)
    assert (event["action"], event["bizStep"], event["disposition"]) == ("OBSERVE", "repairing", "active")
    assert event["retrace:fate"] == "reuse"
    assert {o["retrace:fate"] for o in event["retrace:objects"]} == {"reuse"}


@pytest.mark.parametrize("event_id", ["t-bm", "t-mix", "k-reuse"])
def test_every_value_of_the_event_is_in_its_epcis_form(book: Ledger, event_id: str) -> None:
    out = epcis(book, event_id)
    found = set(leaves(out))
    keys = {parse_identifier(t).key for o in out["retrace:objects"] for t in o["retrace:identifiers"]}
    for value in leaves(book.records[event_id].event.payload()):
        if value in found:
            continue
        assert isinstance(value, str), f"{value!r} of {event_id} is missing"
        assert parse_identifier(value).key in keys, (
            f"{value!r} of {event_id} is missing"
        )  # identifiers by key


def test_the_whole_story_is_one_valid_document(book: Ledger) -> None:
    assert_valid(to_epcis_document(list(book.records.values()), book.objects))
    assert reagents_uri() == "urn:retrace:material:reagents"
    assert all(o.kind is ObjectKind.LOT or o.reagent_g == 0 for o in book.objects.values())
