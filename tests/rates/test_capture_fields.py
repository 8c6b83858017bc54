"""What events carry for the rates: lot assays and remanufacturing values, without changing older events."""

from __future__ import annotations

import hashlib
import json

import pytest

from retrace.domain.epcis import to_epcis
from retrace.domain.errors import InvalidInput
from retrace.domain.events import NewLot, Remanufacture, event_from_payload
from retrace.domain.ledger import Ledger
from retrace.domain.model import Fate
from tests.rates.support import JAN, at, battery, commission, ledger, lot, move, transform


def test_an_event_without_the_new_fields_keeps_its_payload_and_fingerprint() -> None:
    plain = lot("CU-0001", "copper", 1_000)
    assert "composition_g" not in transform("t", JAN, "batt", ["X-1"], plain).payload()["outputs"][0]
    event = Remanufacture("r", JAN, "site-reman", "reman", objects=("ENG-1",))
    # The payload, and so the fingerprint, of an event as it was sent before the fields existed: a replay of a
    # stored event stays a replay.
    before = {"type": "remanufacture", "event_id": "r", "event_time": JAN.isoformat(), "site_id": "site-reman",
              "party_id": "reman", "objects": ["ENG-1"]}  # fmt: skip
    assert event.payload() == before
    canonical = json.dumps(before, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert event.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()


def test_assays_and_values_round_trip_through_the_payload() -> None:
    assayed = lot("BM-0001", "black_mass", 1_000, lithium=40, nickel=120)
    assert assayed.composition_g == (("lithium", 40), ("nickel", 120))  # one canonical order
    event = transform("t", JAN, "batt", ["X-1"], assayed)
    assert event.payload()["outputs"][0]["composition_g"] == {"lithium": 40, "nickel": 120}
    assert event_from_payload(event.payload()) == event
    valued = Remanufacture("r", JAN, "site-reman", "reman", objects=("ENG-1",), value_cny=8_600)
    assert event_from_payload(valued.payload()) == valued and valued.payload()["value_cny"] == 8_600
    same = NewLot("BM-0001", "black_mass", 1_000, Fate.RECYCLING, (("nickel", 120), ("Lithium", 40)))
    assert same.composition_g == assayed.composition_g


@pytest.mark.parametrize(
    "composition",
    [(("lithium", -1),), (("lithium", 1_001),), (("", 5),)],
)
def test_an_impossible_assay_is_refused(composition: tuple[tuple[str, int], ...]) -> None:
    with pytest.raises(InvalidInput) as caught:
        NewLot("BM-0001", "black_mass", 1_000, Fate.RECYCLING, composition)
    assert caught.value.field == "composition"


def test_a_negative_value_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Remanufacture("r", JAN, "site-reman", "reman", objects=("ENG-1",), value_cny=-1)


def _recorded(book: Ledger, events: list) -> list:  # type: ignore[type-arg]
    return [book.apply(e, e.fingerprint()) for e in events]


def test_epcis_carries_the_assay_and_the_value() -> None:
    book = ledger()
    pack = battery(7)
    records = _recorded(
        book,
        [
            commission("c", JAN, "maker", pack, "pack"),
            *move("m", at(JAN, 1), "maker", "batt", pack),
            transform("t", at(JAN, 5), "batt", [pack], lot("BM-0007", "black_mass", 80_000, lithium=2_900)),
        ],
    )
    body = to_epcis(records[-1], book.objects)
    lots = [o for o in body["retrace:objects"] if o["retrace:kind"] == "lot"]
    assert lots[0]["retrace:compositionG"] == {"lithium": 2_900}
    items = [o for o in body["retrace:objects"] if o["retrace:kind"] == "item"]
    assert items and "retrace:compositionG" not in items[0]


def test_epcis_carries_the_remanufacturing_value() -> None:
    book = ledger()
    records = _recorded(
        book,
        [
            commission("c", JAN, "maker", "ENG-0001", "engine"),
            *move("m", at(JAN, 1), "maker", "reman", "ENG-0001"),
            Remanufacture("r", at(JAN, 5), "site-reman", "reman", objects=("ENG-0001",), value_cny=8_600),
        ],
    )
    assert to_epcis(records[-1], book.objects)["retrace:valueCny"] == 8_600
