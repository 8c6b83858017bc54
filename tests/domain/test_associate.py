"""The associate event on the pure ledger: new identifiers for an item already in the graph, and every refusal."""

from __future__ import annotations

import copy

import pytest

from retrace.domain import errors as codes
from retrace.domain.changes import Direction
from retrace.domain.errors import TraceError
from retrace.domain.events import Associate, Correct, Disassemble, Event, Ship, event_from_payload
from retrace.domain.ledger import Ledger
from retrace.domain.model import Status
from tests.domain.test_ledger_properties import empty_ledger
from tests.world import (
    at,
    battery,
    commission,
    digital_link,
    handover,
    lot,
    receive,
    sgtin_hex,
    sgtin_urn,
    vin,
)

PACK, SECOND_LIFE = battery("P", 1), battery("P", 901)
TV = digital_link(1)


def associate(eid: str, party: str, item: str, *identifiers: str, hours: float = 10) -> Associate:
    return Associate(eid, at(hours), f"site-{party}", party, object=item, identifiers=identifiers)


def apply(ledger: Ledger, *events: Event) -> None:
    for event in events:
        ledger.apply(event, event.fingerprint())


def refused(ledger: Ledger, event: Event) -> TraceError:
    """Apply an event that must be refused; check that the refusal changed nothing."""
    before = (copy.deepcopy(ledger.objects), dict(ledger.keys), len(ledger.change_set().records))
    with pytest.raises(TraceError) as caught:
        ledger.apply(event, event.fingerprint())
    assert (ledger.objects, ledger.keys, len(ledger.change_set().records)) == before
    return caught.value


@pytest.fixture
def ledger() -> Ledger:
    """A pack and a TV at their makers, a vehicle at the dismantler."""
    ledger = empty_ledger()
    apply(
        ledger,
        commission("c-pack", at(0), "car-maker", ((PACK,), "ncm-pack")),
        commission("c-tv", at(0), "tv-maker", ((TV,), "tv")),
        commission("c-car", at(0), "car-maker", ((vin(1),), "bev")),
        *handover("h", at(1), "car-maker", "dismantler", vin(1)),
    )
    return ledger


def test_the_item_keeps_its_identifiers_and_is_found_by_the_new_ones(ledger: Ledger) -> None:
    apply(ledger, associate("a", "car-maker", PACK, SECOND_LIFE, sgtin_urn(901)))
    pack = ledger.objects[ledger.keys[f"gbt34014:{PACK}"]]
    assert ledger.keys[f"gbt34014:{SECOND_LIFE}"] == pack.id
    assert ledger.keys["gs1:01/80614141123458/21/901"] == pack.id
    assert pack.identifiers == (
        ("gbt34014", PACK),
        ("gbt34014", SECOND_LIFE),
        ("sgtin", sgtin_urn(901)),
    )
    assert (pack.status, pack.holder_id, pack.mass_g, pack.last_event_id) == (
        Status.ACTIVE,
        "car-maker",
        400_000,
        "a",
    )
    record = ledger.records["a"]
    assert record.object_roles == ((pack.id, "subject"),)
    assert record.flows == ()  # no mass moves
    (written,) = [o for o in ledger.change_set().new_objects if o.id == pack.id]  # made in the same batch
    assert set(written.keys) == {
        f"gbt34014:{PACK}",
        f"gbt34014:{SECOND_LIFE}",
        "gs1:01/80614141123458/21/901",
    }


def test_later_events_name_the_item_by_a_new_identifier(ledger: Ledger) -> None:
    apply(
        ledger,
        associate("a", "car-maker", PACK, SECOND_LIFE),
        Ship("s", at(11), "site-car-maker", "car-maker", objects=(SECOND_LIFE,), to_party_id="recycler"),
        receive("r", at(12), "recycler", f"gbt34014:{PACK}"),
    )
    pack = ledger.objects[ledger.keys[f"gbt34014:{SECOND_LIFE}"]]
    assert (pack.holder_id, pack.status) == ("recycler", Status.ACTIVE)
    flows = [f.direction for r in ledger.change_set().records for f in r.flows if f.object_id == pack.id]
    assert Direction.SHIPPED in flows and Direction.RECEIVED in flows


def test_an_identifier_of_another_object_is_taken(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "car-maker", PACK, SECOND_LIFE, vin(1)))
    assert (error.code, error.field, error.details) == (
        codes.IDENTIFIER_TAKEN,
        "identifiers[1]",
        {"identifier": vin(1)},
    )
    # Another form of the same SGTIN is the same identifier: the TV's QR code, read from an RFID tag as hex.
    error = refused(ledger, associate("a", "car-maker", PACK, sgtin_hex(1)))
    assert (error.code, error.field) == (codes.IDENTIFIER_TAKEN, "identifiers[0]")


def test_an_identifier_given_earlier_in_the_same_batch_is_taken(ledger: Ledger) -> None:
    apply(ledger, associate("a1", "car-maker", PACK, SECOND_LIFE))
    error = refused(ledger, associate("a2", "tv-maker", TV, SECOND_LIFE))
    assert (error.code, error.field) == (codes.IDENTIFIER_TAKEN, "identifiers[0]")


def test_an_identifier_the_item_already_carries_is_already_associated(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "tv-maker", TV, sgtin_urn(1)))  # the QR code's unit, as an EPC URN
    assert (error.code, error.field) == (codes.ALREADY_ASSOCIATED, "identifiers[0]")
    assert error.details == {
        "identifier": sgtin_urn(1),
        "object_id": ledger.keys["gs1:01/80614141123458/21/1"],
    }


def test_two_forms_of_one_new_identifier_are_named_twice(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "car-maker", PACK, sgtin_urn(77), sgtin_hex(77)))
    assert (error.code, error.field) == (codes.VALIDATION_ERROR, "identifiers[1]")


def test_identifiers_validate_as_usual(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "car-maker", PACK, SECOND_LIFE, "vin:LFV2A21K1D4010942"))
    assert (error.code, error.field) == (codes.INVALID_IDENTIFIER, "identifiers[1]")
    error = refused(ledger, associate("a", "car-maker", "gbt34014:0A1PE050000000000000001", SECOND_LIFE))
    assert (error.code, error.field) == (codes.INVALID_IDENTIFIER, "object")


def test_the_item_must_exist_and_not_be_terminal(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "car-maker", vin(99), SECOND_LIFE))
    assert (error.code, error.field) == (codes.OBJECT_NOT_FOUND, "object")
    apply(
        ledger,
        Disassemble(
            "d", at(5), "site-dismantler", "dismantler", object=vin(1), lots=(lot("ST-1", "steel", 900),)
        ),
    )
    error = refused(ledger, associate("a", "dismantler", vin(1), vin(2)))
    assert (error.code, error.field) == (codes.OBJECT_TERMINAL, "object")


def test_only_the_holder_associates(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "recycler", PACK, SECOND_LIFE))
    assert (error.code, error.details["holder_id"]) == (codes.NOT_HOLDER, "car-maker")
    apply(ledger, Ship("s", at(5), "site-car-maker", "car-maker", objects=(PACK,), to_party_id="recycler"))
    for party in (
        "car-maker",
        "recycler",
    ):  # in transit: the sender let it go, the receiver has not got it yet
        assert refused(ledger, associate("a", party, PACK, SECOND_LIFE)).code == codes.NOT_HOLDER
    apply(ledger, receive("r", at(6), "recycler", PACK), associate("a", "recycler", PACK, SECOND_LIFE))


def test_a_lot_is_known_by_its_code(ledger: Ledger) -> None:
    apply(
        ledger,
        Disassemble(
            "d", at(5), "site-dismantler", "dismantler", object=vin(1), lots=(lot("ST-1", "steel", 900),)
        ),
    )
    error = refused(ledger, associate("a", "dismantler", "ST-1", sgtin_urn(5)))
    assert (error.code, error.field) == (codes.VALIDATION_ERROR, "object")


def test_not_before_the_item_existed(ledger: Ledger) -> None:
    error = refused(ledger, associate("a", "car-maker", PACK, SECOND_LIFE, hours=-1))
    assert error.code == codes.EVENT_BEFORE_OBJECT


def test_an_associate_needs_an_identifier() -> None:
    with pytest.raises(TraceError) as caught:
        associate("a", "car-maker", PACK)
    assert (caught.value.code, caught.value.field) == (codes.VALIDATION_ERROR, "identifiers")


def test_a_correction_takes_the_identifiers_away_again(ledger: Ledger) -> None:
    apply(
        ledger,
        associate("a", "car-maker", PACK, SECOND_LIFE),
        Correct("x", at(11), "site-car-maker", "car-maker", target_event_id="a", reason="wrong pack"),
    )
    pack = ledger.objects[ledger.keys[f"gbt34014:{PACK}"]]
    assert pack.identifiers == (("gbt34014", PACK),) and pack.status is Status.ACTIVE
    assert f"gbt34014:{SECOND_LIFE}" not in ledger.keys
    # The code is free again: the pack it was really meant for takes it.
    apply(
        ledger,
        commission("c-other", at(12), "car-maker", ((battery("P", 2),), "ncm-pack")),
        associate("a2", "car-maker", battery("P", 2), SECOND_LIFE, hours=13),
    )
    assert ledger.keys[f"gbt34014:{SECOND_LIFE}"] != pack.id


def test_the_payload_reads_back_as_the_same_event() -> None:
    event = associate("a", "car-maker", PACK, SECOND_LIFE, sgtin_urn(3))
    assert event_from_payload(event.payload()) == event
    assert event.payload()["identifiers"] == [SECOND_LIFE, sgtin_urn(3)]
