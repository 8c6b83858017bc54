"""Random event sequences against the pure ledger: the invariants hold whatever devices send, in whatever order."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrace.domain.changes import LinkKind
from retrace.domain.errors import TraceError
from retrace.domain.events import (
    Aggregate,
    Associate,
    Disaggregate,
    Disassemble,
    Dispose,
    Event,
    Receive,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import parse_identifier
from retrace.domain.ledger import CaptureRules, Ledger
from retrace.domain.model import TERMINAL, Fate, Status
from tests.world import NOW, at, commission, digital_link, lot, registration, vin

PARTIES = ["car-maker", "dismantler", "recycler", "workshop", "carrier", "collector"]


def empty_ledger() -> Ledger:
    reg = registration()
    licences: dict[str, list] = {}  # type: ignore[type-arg]
    for lic in reg.licences:
        licences.setdefault(lic.party_id, []).append(lic)
    return Ledger(
        now=NOW,
        rules=CaptureRules(),
        objects={},
        keys={},
        parties={p.id: p for p in reg.parties},
        sites={s.id: s for s in reg.sites},
        models={m.id: m for m in reg.models},
        licences=licences,
        children={},
        records={},
    )


operation = st.tuples(
    st.sampled_from(
        [
            "ship",
            "receive",
            "weigh",
            "aggregate",
            "disaggregate",
            "disassemble",
            "transform",
            "dispose",
            "associate",
        ]
    ),
    st.integers(0, 11),  # acting party: 0-5 any party, 6-11 whoever holds (or is sent) the first object
    st.integers(0, 7),  # first object
    st.integers(0, 7),  # second object
    st.integers(0, 2_000),  # a mass in kg
)


def build(op: tuple[str, int, int, int, int], step: int, names: list[str], ledger: Ledger) -> Event:
    kind, who, a, b, mass = op
    first, second = names[a % len(names)], names[b % len(names)]
    party = PARTIES[who % len(PARTIES)]
    if who >= len(PARTIES):  # most real events come from the party that has the thing in hand
        holder = next((o for o in ledger.objects.values() if any(k.endswith(first) for k in o.keys)), None)
        if holder is not None:
            party = holder.in_transit_to or holder.holder_id or party
    site = f"site-{party}"
    t = at(10 + step)
    eid = f"op-{step}"
    match kind:
        case "ship":
            return Ship(eid, t, site, party, objects=(first,), to_party_id=PARTIES[b % len(PARTIES)])
        case "receive":
            return Receive(eid, t, site, party, objects=(first,))
        case "weigh":
            return Weigh(eid, t, site, party, object=first, mass_g=mass * 1000)
        case "aggregate":
            return Aggregate(eid, t, site, party, parent=first, children=(second,))
        case "disaggregate":
            return Disaggregate(eid, t, site, party, parent=first, children=(second,))
        case "disassemble":
            lot_name = f"LOT-{step}"
            names.append(lot_name)
            return Disassemble(eid, t, site, party, object=first, lots=(lot(lot_name, "steel", mass),))
        case "transform":
            lot_name = f"OUT-{step}"
            names.append(lot_name)
            # Every other transformation declares reagents (a quarter of the drawn mass, so outputs may outweigh
            # the inputs), and its output may go to disposal (reagents then land there).
            return Transform(
                eid,
                t,
                site,
                party,
                inputs=tuple(dict.fromkeys([first, second])),
                outputs=(lot(lot_name, "copper", mass / 2, Fate.RECYCLING if mass % 3 else Fate.DISPOSAL),),
                reagents_g=mass * 250 if step % 2 else None,
            )
        case "associate":
            if mass % 2:  # an identifier in use: the second object's (or the first's own)
                return Associate(eid, t, site, party, object=first, identifiers=(second,))
            fresh = vin(100 + step)
            names.append(fresh)  # later events may name the item by it
            return Associate(eid, t, site, party, object=first, identifiers=(fresh,))
    return Dispose(eid, t, site, party, objects=(first,), fate=Fate.DISPOSAL)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=40))
def test_invariants_hold_for_any_sequence(ops: list[tuple[str, int, int, int, int]]) -> None:
    ledger = empty_ledger()
    names = [vin(1), vin(2), vin(3), digital_link(1), digital_link(2)]
    start = commission(
        "start", at(0), "car-maker", ((vin(1),), "bev"), ((vin(2),), "bev"), ((vin(3),), "engine")
    )
    ledger.apply(start, "fp")
    ledger.apply(
        commission("start-tv", at(0), "tv-maker", ((digital_link(1),), "tv"), ((digital_link(2),), "tv")),
        "fp",
    )
    accepted = 2
    for step, op in enumerate(ops):
        event = build(op, step, names, ledger)
        snapshot = (
            copy.deepcopy(ledger.objects),
            dict(ledger.keys),
            copy.deepcopy(ledger.children),
            len(ledger.change_set().records),
        )
        try:
            ledger.apply(event, "fp")
            accepted += 1
        except TraceError:
            # a refused event changes nothing at all
            assert (
                ledger.objects,
                ledger.keys,
                ledger.children,
                len(ledger.change_set().records),
            ) == snapshot
    changes = ledger.change_set()
    assert len(changes.records) == accepted

    # nothing is dismantled or consumed twice
    treated = Counter(
        oid
        for r in changes.records
        if r.event.type in ("disassemble", "transform")
        for oid, role in r.object_roles
        if role == "input"
    )
    assert all(n == 1 for n in treated.values()), treated

    # every accepted treatment respects mass balance, its declared reagents counted as input
    for record in changes.records:
        if record.event.type in ("disassemble", "transform"):
            inputs = sum(f.mass_g for f in record.flows if f.direction.value == "consumed")
            outputs = sum(f.mass_g for f in record.flows if f.direction.value == "produced")
            declared = getattr(record.event, "reagents_g", None) or 0
            assert outputs <= Decimal(inputs + declared) * Decimal("1.02")
            # reagent mass sits only in outputs, never more than they weigh, and never more than could be there
            bound = sum(f.mass_g for f in record.flows if f.direction.value == "reagent" and f.stage is not None
                        and f.stage.value in ("primary", "secondary"))  # fmt: skip
            carried = sum(f.mass_g for f in record.flows if f.direction.value == "reagent" and f.stage is not None
                          and f.stage.value in ("entry", "intermediate"))  # fmt: skip
            assert 0 <= bound <= min(outputs, declared + carried)
        # a lot of several streams: its records add up to its mass, one per stream
        for oid in {f.object_id for f in record.flows}:
            for direction in {f.direction for f in record.flows if f.object_id == oid}:
                parts = [f for f in record.flows if f.object_id == oid and f.direction is direction]
                assert len({f.stream for f in parts}) == len(parts)

    for obj in ledger.objects.values():
        assert 0 <= obj.reagent_g <= obj.mass_g
        assert sum(w for _, w in obj.stream_mix) >= 0 and len(obj.stream_mix) != 1

    for obj in ledger.objects.values():
        # in-transit objects name where they go; others do not
        assert (obj.status is Status.IN_TRANSIT) == (obj.in_transit_to is not None) or obj.status in TERMINAL
        # contents are where their container is
        if obj.parent_id is not None and not obj.terminal:
            parent = ledger.objects[obj.parent_id]
            assert (obj.holder_id, obj.site_id) == (parent.holder_id, parent.site_id)
    # the key index and the objects agree, one object per key
    assert all(key in ledger.objects[oid].keys for key, oid in ledger.keys.items())
    assert all(ledger.keys[key] == obj.id for obj in ledger.objects.values() for key in obj.keys)
    # an accepted associate gave its item every identifier it names, and took none from another object
    for record in changes.records:
        if isinstance(record.event, Associate):
            (subject,) = [oid for oid, _ in record.object_roles]
            for text in record.event.identifiers:
                assert ledger.keys[parse_identifier(text).key] == subject
    # containment links never form a cycle
    contains = {(lk.from_id, lk.to_id) for lk in changes.links if lk.kind is LinkKind.CONTAINS}
    for a, b in contains:
        assert (b, a) not in contains


@given(st.integers(1, 5_000), st.integers(0, 6_000))
def test_mass_balance_boundary(input_kg: int, output_kg: int) -> None:
    ledger = empty_ledger()
    ledger.apply(commission("c", at(0), "tv-maker", ((digital_link(5),), "tv"), mass_g=input_kg * 1000), "fp")
    event = Disassemble(
        "d",
        at(1),
        "site-tv-maker",
        "tv-maker",
        object=digital_link(5),
        lots=(lot("OUT-1", "steel", output_kg),),
    )
    if output_kg <= Decimal(input_kg) * Decimal("1.02"):
        ledger.apply(event, "fp")
    else:
        with pytest.raises(TraceError) as info:
            ledger.apply(event, "fp")
        assert info.value.code == "MASS_BALANCE_EXCEEDED"


@given(st.integers(1, 5_000), st.integers(0, 5_000), st.integers(0, 12_000))
def test_mass_balance_boundary_with_reagents(input_kg: int, reagents_kg: int, output_kg: int) -> None:
    ledger = empty_ledger()
    ledger.apply(commission("c", at(0), "tv-maker", ((digital_link(5),), "tv"), mass_g=input_kg * 1000), "fp")
    event = Transform(
        "t",
        at(1),
        "site-tv-maker",
        "tv-maker",
        inputs=(digital_link(5),),
        outputs=(lot("OUT-1", "copper", output_kg),),
        reagents_g=reagents_kg * 1000,
    )
    if output_kg <= Decimal(input_kg + reagents_kg) * Decimal("1.02"):
        ledger.apply(event, "fp")
        (out,) = [o for o in ledger.objects.values() if o.material == "copper"]
        assert out.reagent_g == min(reagents_kg, output_kg) * 1000  # the one output holds what it can
    else:
        with pytest.raises(TraceError) as info:
            ledger.apply(event, "fp")
        assert info.value.code == "MASS_BALANCE_EXCEEDED"


def test_a_later_batch_may_arrive_with_earlier_event_times() -> None:
    """Offline devices sync late: an event time earlier than the last event is fine, before creation is not."""
    ledger = empty_ledger()
    ledger.apply(commission("c", at(0), "car-maker", ((vin(9),), "bev")), "fp")
    ledger.apply(
        Ship("s", at(5), "site-car-maker", "car-maker", objects=(vin(9),), to_party_id="dismantler"), "fp"
    )
    ledger.apply(Receive("r", at(3), "site-dismantler", "dismantler", objects=(vin(9),)), "fp")
    early = Weigh("w", at(0) - timedelta(seconds=1), "site-dismantler", "dismantler", object=vin(9), mass_g=1)
    with pytest.raises(TraceError) as info:
        ledger.apply(early, "fp")
    assert info.value.code == "EVENT_BEFORE_OBJECT"
