"""The capture rules for reagents, transformations of several streams and cascade reuse, on the pure ledger, with
numbers worked out by hand (tests/rates/chains.py explains each one)."""

from __future__ import annotations

import dataclasses
import doctest
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrace.domain import apportion
from retrace.domain.changes import ChangeSet, Direction, FlowRecord, Stage
from retrace.domain.errors import TraceError
from retrace.domain.events import Correct, Dispose, Event, Remanufacture, Transform, Weigh, event_from_payload
from retrace.domain.identifiers import parse_identifier
from retrace.domain.ledger import Ledger
from retrace.domain.model import Fate, Status, Stream, TracedObject
from tests.rates.chains import (
    MIXED_INPUT,
    MODULES,
    REAGENTS_G,
    SALT_REAGENTS,
    SALTS,
    cascade_chain,
    mixed_chain,
    refinery_chain,
    registration_with_modules,
)
from tests.rates.support import FEB, JAN, at, ledger, move, replay


def applied(events: Sequence[Event], reg: object = None) -> Ledger:
    book = ledger(reg)  # type: ignore[arg-type]
    for event in events:
        book.apply(event, event.fingerprint())
    return book


def refused(events: Sequence[Event], reg: object = None) -> TraceError:
    book = applied(events[:-1], reg)
    with pytest.raises(TraceError) as caught:
        book.apply(events[-1], events[-1].fingerprint())
    return caught.value


def obj(book: Ledger, code: str) -> TracedObject:
    return book.objects[book.keys[parse_identifier(code).key]]


def records(changes: ChangeSet, event_id: str, direction: Direction) -> list[FlowRecord]:
    return [f for f in changes.flows if f.event_id == event_id and f.direction is direction]


def test_the_apportioning_examples_hold() -> None:
    assert doctest.testmod(apportion).failed == 0


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_a_split_is_exact_and_proportional(total: int, weights: list[int]) -> None:
    parts = apportion.split(total, weights)
    assert sum(parts) == total
    whole = sum(weights) or len(weights)
    for part, weight in zip(parts, weights or [1], strict=False):
        exact = total * (weight if sum(weights) else 1) / whole
        assert abs(part - exact) < 1


# -- reagents ---------------------------------------------------------------------------------------------------------


def test_reagents_count_as_input_for_the_mass_balance() -> None:
    book = applied(refinery_chain())
    assert {code: obj(book, code).reagent_g for code in SALT_REAGENTS} == SALT_REAGENTS
    assert obj(book, "RES-1").reagent_g == 0  # the recovered outputs take the reagents first


def test_without_reagents_hydrated_salts_break_the_mass_balance() -> None:
    error = refused(refinery_chain(reagents_g=None))
    assert error.code == "MASS_BALANCE_EXCEEDED"
    assert error.details["input_kg"] == 80.0 and error.details["output_kg"] == 128.7
    assert "reagents_kg" not in error.details


def test_the_mass_balance_boundary_with_reagents() -> None:
    # (80,000 + R) × 1.02 ≥ 128,700 ⇔ R ≥ 46,176.47…: 46,177 g is enough, 46,176 g is not.
    applied(refinery_chain(reagents_g=46_177))
    error = refused(refinery_chain(reagents_g=46_176))
    assert error.code == "MASS_BALANCE_EXCEEDED" and error.details["reagents_kg"] == 46.176
    assert "46.176 kg of it reagents" in error.message


def test_reagent_records_go_beside_the_outputs_that_hold_them() -> None:
    changes = replay(refinery_chain())
    beside = records(changes, "t-bm", Direction.REAGENT)
    assert [(f.material, f.mass_g, f.fate, f.stage) for f in beside] == [
        ("lithium_carbonate", 9_660, "recycling", Stage.SECONDARY),
        ("nickel_sulfate_hexahydrate", 35_534, "recycling", Stage.SECONDARY),
        ("cobalt_sulfate_heptahydrate", 15_800, "recycling", Stage.SECONDARY),
        ("manganese_sulfate_monohydrate", 14_006, "recycling", Stage.SECONDARY),
    ]
    assert sum(f.mass_g for f in beside) == REAGENTS_G
    assert all(not f.elements_g for f in beside)  # the element content is on the output's own record
    produced = records(changes, "t-bm", Direction.PRODUCED)
    assert sum(f.mass_g for f in produced) == 128_700  # physical masses, as weighed


def test_reagents_beyond_the_recovered_outputs_go_to_the_others_and_beyond_all_outputs_to_none() -> None:
    assert apportion.allocate_reagents(120_000, [(s.mass_g, s.fate) for s in SALTS]) == [
        *apportion.split(108_700, [14_000, 51_500, 22_900, 20_300]),
        11_300,
    ]
    assert apportion.allocate_reagents(500_000, [(s.mass_g, s.fate) for s in SALTS]) == [
        s.mass_g for s in SALTS
    ]


def test_a_disposed_lot_takes_its_reagents_with_it() -> None:
    events = [*refinery_chain(), Dispose("x-ms", at(FEB, 1), "site-refiner", "refiner", objects=("MS-1",))]
    changes = replay(events)
    (beside,) = records(changes, "x-ms", Direction.REAGENT)
    assert (beside.mass_g, beside.stage, beside.fate, beside.prior_fate) == (
        14_006,
        None,
        "disposal",
        "recycling",
    )


def test_reagents_an_input_holds_stay_only_as_far_as_the_outputs_need_them() -> None:
    # NS-1 (51.5 kg, 35,534 g reagent, so 15,966 g traced) is dissolved again with 20 kg of lye: 18 kg hydroxide and
    # 40 kg sodium sulfate.  58 − 20 − 15.966 = 22.034 kg of its reagent is needed to explain the outputs; the rest
    # left with the water.  42,034 g of reagent: the hydroxide (recycled) takes 18,000, the sulfate 24,034.
    events = [
        *refinery_chain(),
        *move("m-ns", at(FEB, 0), "refiner", "shredder", "NS-1"),
        Transform("t-ns", at(FEB, 5), "site-shredder", "shredder", inputs=("NS-1",), reagents_g=20_000,
                  outputs=(dataclasses.replace(SALTS[1], code="NH-1", material="nickel_hydroxide", mass_g=18_000),
                           dataclasses.replace(SALTS[4], code="SS-1", material="sodium_sulfate", mass_g=40_000))),
    ]  # fmt: skip
    book = applied(events)
    assert (obj(book, "NH-1").reagent_g, obj(book, "SS-1").reagent_g) == (18_000, 24_034)
    changes = book.change_set()
    (consumed,) = records(changes, "t-ns", Direction.REAGENT)[:1]
    assert (consumed.stage, consumed.mass_g) == (Stage.INTERMEDIATE, 35_534)  # leaves with the consumed lot


def test_weighing_a_lot_lighter_than_its_reagents_caps_them() -> None:
    book = applied(
        [*refinery_chain(), Weigh("w", at(FEB, 1), "site-refiner", "refiner", object="NS-1", mass_g=30_000)]
    )
    assert obj(book, "NS-1").reagent_g == 30_000
    book = applied(
        [*refinery_chain(), Weigh("w", at(FEB, 1), "site-refiner", "refiner", object="NS-1", mass_g=50_000)]
    )
    assert obj(book, "NS-1").reagent_g == 35_534


def test_a_correction_takes_the_reagent_records_back() -> None:
    events = [*refinery_chain(), Correct("k", at(FEB, 1), "site-refiner", "refiner", target_event_id="t-bm",
                                         reason="wrong batch")]  # fmt: skip
    changes = replay(events)
    back = records(changes, "k", Direction.REAGENT)
    assert sorted(f.mass_g for f in back) == sorted(-g for g in SALT_REAGENTS.values() if g)
    assert all(f.reverses for f in back)


def test_reagent_mass_is_validated_and_has_one_form_for_none() -> None:
    base = refinery_chain()[-1]
    assert isinstance(base, Transform)
    with pytest.raises(TraceError) as caught:
        dataclasses.replace(base, reagents_g=-1)
    assert (caught.value.code, caught.value.field) == ("VALIDATION_ERROR", "reagents_kg")
    none, zero = dataclasses.replace(base, reagents_g=None), dataclasses.replace(base, reagents_g=0)
    assert zero.reagents_g is None and zero.fingerprint() == none.fingerprint()
    assert "reagents_g" not in none.payload()  # events sent before reagents existed keep their fingerprint
    assert event_from_payload(base.payload()) == base


# -- a transformation of several streams -------------------------------------------------------------------------------


def test_outputs_of_several_streams_are_split_by_input_mass() -> None:
    book = applied(mixed_chain())
    cathode = obj(book, "CUC-1")
    assert cathode.stream is Stream.BATTERY  # the stream with more input names the lot
    assert cathode.stream_mix == MIXED_INPUT and cathode.streams == (Stream.BATTERY, Stream.ELV)
    changes = book.change_set()
    produced = {(f.material, f.stream.value): (f.mass_g, dict(f.elements_g)) for f in
                records(changes, "t-mix", Direction.PRODUCED)}  # fmt: skip
    assert produced == {
        ("copper_cathode", "battery"): (18_000, {"copper": 18_000}),
        ("copper_cathode", "elv"): (9_000, {"copper": 9_000}),
        ("copper_slag", "battery"): (1_000, {}),
        ("copper_slag", "elv"): (500, {}),
    }


def test_a_lot_of_several_streams_keeps_its_split_downstream() -> None:
    events = [*mixed_chain(), *move("m-cuc", at(FEB, 1), "shredder", "dismantler", "CUC-1")]
    changes = replay(events)
    shipped = records(changes, "m-cuc-s", Direction.SHIPPED)
    assert {(f.stream.value, f.mass_g) for f in shipped} == {("battery", 18_000), ("elv", 9_000)}


def test_a_lot_of_several_streams_goes_only_to_a_party_licensed_for_each() -> None:
    error = refused([*mixed_chain(), *move("m-cuc", at(FEB, 1), "shredder", "refiner", "CUC-1")][:-1])
    assert (error.code, error.field, error.details["stream"]) == ("LICENCE_INVALID", "to_party_id", "elv")


def test_a_single_stream_transformation_is_unchanged() -> None:
    book = applied(refinery_chain())
    assert obj(book, "NS-1").stream_mix == () and obj(book, "NS-1").stream is Stream.BATTERY


# -- cascade reuse -----------------------------------------------------------------------------------------------------


def test_modules_put_to_a_second_use_are_reused() -> None:
    book = applied(cascade_chain(), registration_with_modules())
    for code in MODULES:
        module = obj(book, code)
        assert (module.status, module.fate, module.remanufactured) == (
            Status.REMANUFACTURED,
            Fate.REUSE,
            True,
        )
    changes = book.change_set()
    reused = records(changes, "k-reuse", Direction.REMANUFACTURED)
    assert [(f.fate, f.prior_fate, f.mass_g) for f in reused] == [("reuse", None, 20_000)] * 4


def test_remanufacture_takes_only_remanufacture_or_reuse() -> None:
    with pytest.raises(TraceError) as caught:
        Remanufacture("r", JAN, "site-batt", "batt", objects=MODULES, fate=Fate.DISPOSAL)
    assert (caught.value.code, caught.value.field) == ("VALIDATION_ERROR", "fate")
    plain = Remanufacture("r", JAN, "site-batt", "batt", objects=MODULES)
    explicit = Remanufacture("r", JAN, "site-batt", "batt", objects=MODULES, fate=Fate.REMANUFACTURE)
    assert explicit.fingerprint() == plain.fingerprint() and "fate" not in plain.payload()
    reuse = Remanufacture("r", JAN, "site-batt", "batt", objects=MODULES, fate=Fate.REUSE)
    assert event_from_payload(reuse.payload()) == reuse and reuse.resulting_fate is Fate.REUSE
