"""What the ledger records about what it read: the versions a store must find unchanged for a decision to hold."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrace.domain.errors import TraceError
from retrace.domain.events import Aggregate, Correct, Event, Ship, Weigh
from retrace.domain.identifiers import parse_identifier
from retrace.domain.ledger import Ledger
from tests.domain.test_ledger_properties import build, empty_ledger, operation
from tests.world import at, battery, commission, digital_link, vin

A, P, C, D = (battery("P", n) for n in (61, 62, 63, 64))  # P inside A; D inside C


def loaded(events: list[Event]) -> Ledger:
    """A ledger holding what ``events`` made, as the application would load it from a store for the next batch."""
    history = empty_ledger()
    for event in events:
        history.apply(event, event.fingerprint())
    return Ledger(
        now=history.now,
        rules=history.rules,
        objects=dict(history.objects),
        keys=dict(history.keys),
        parties=history.parties,
        sites=history.sites,
        models=history.models,
        licences=history.licences,
        children=copy.deepcopy(history.children),
        records={},
    )


def nested() -> Ledger:
    return loaded(
        [
            commission("c", at(0), "car-maker", *[((code,), "ncm-pack") for code in (A, P, C, D)]),
            Aggregate("a-pa", at(1), "site-car-maker", "car-maker", parent=A, children=(P,)),
            Aggregate("a-dc", at(1), "site-car-maker", "car-maker", parent=C, children=(D,)),
        ]
    )


def ids(ledger: Ledger, *codes: str) -> list[str]:
    return sorted(ledger.keys[parse_identifier(code).key] for code in codes)


def test_an_aggregation_records_the_containers_above_its_parent_as_read() -> None:
    ledger = nested()
    (a,) = ids(ledger, A)
    ledger.apply(Aggregate("x", at(2), "site-car-maker", "car-maker", parent=P, children=(C,)), "fp")
    changes = ledger.change_set()
    # The cycle check walked up from P to A and found no C: that holds only while A stays where it was.
    assert sorted(u.object.id for u in changes.updates) == ids(ledger, P, C)
    assert changes.read_versions == {a: ledger.objects[a].version}


def test_what_a_batch_changes_is_not_listed_again_as_read() -> None:
    ledger = nested()
    ledger.apply(Weigh("w", at(2), "site-car-maker", "car-maker", object=C, mass_g=390_000), "fp")
    # Shipping C reads its contents (D), and changes both; C was already changed by the weighing.
    ledger.apply(
        Ship("s", at(3), "site-car-maker", "car-maker", objects=(C,), to_party_id="dismantler"), "fp"
    )
    changes = ledger.change_set()
    assert sorted(u.object.id for u in changes.updates) == ids(ledger, C, D)
    assert changes.read_versions == {}


def test_the_reads_of_a_refused_event_are_not_kept() -> None:
    ledger = nested()
    # C into D, which is inside C: a cycle, refused after walking up from D
    with pytest.raises(TraceError) as refused:
        ledger.apply(Aggregate("x", at(2), "site-car-maker", "car-maker", parent=D, children=(C,)), "fp")
    assert refused.value.code == "AGGREGATION_INVALID"
    ledger.apply(Weigh("w", at(2), "site-car-maker", "car-maker", object=A, mass_g=390_000), "fp")
    assert ledger.change_set().read_versions == {}


def test_objects_made_by_the_same_batch_are_not_listed_as_read() -> None:
    ledger = nested()
    new = battery("P", 65)
    ledger.apply(commission("c2", at(2), "car-maker", ((new,), "ncm-pack")), "fp")
    ledger.apply(Aggregate("x", at(3), "site-car-maker", "car-maker", parent=new, children=(C,)), "fp")
    changes = ledger.change_set()
    assert [o.id for o in changes.new_objects] == [ledger.keys[parse_identifier(new).key]]
    assert changes.read_versions == {}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(operation, st.booleans()), min_size=1, max_size=40))
def test_whatever_changes_what_is_inside_an_object_changes_the_object(
    ops: list[tuple[tuple[str, int, int, int, int], bool]],
) -> None:
    """Why reading a container's contents needs no version of its own: any event that moves something into or out
    of an object changes that object, so the object's version (changed or read) covers its contents."""
    ledger = empty_ledger()
    names = [vin(1), vin(2), vin(3), digital_link(1), digital_link(2)]
    ledger.apply(
        commission(
            "start", at(0), "car-maker", ((vin(1),), "bev"), ((vin(2),), "bev"), ((vin(3),), "engine")
        ),
        "fp",
    )
    ledger.apply(
        commission("start-tv", at(0), "tv-maker", ((digital_link(1),), "tv"), ((digital_link(2),), "tv")),
        "fp",
    )
    accepted: list[Event] = []
    for step, (op, correct) in enumerate(ops):
        event: Event = build(op, step, names, ledger)
        if correct and accepted:  # undo the latest accepted event instead (corrections move contents back)
            target = accepted[-1]
            event = Correct(
                f"fix-{step}",
                at(10 + step),
                target.site_id,
                target.party_id,
                target_event_id=target.event_id,
                reason="recorded by mistake",
            )
        contents = {oid: set(kids) for oid, kids in ledger.children.items()}
        versions = {oid: obj.version for oid, obj in ledger.objects.items()}
        try:
            ledger.apply(event, "fp")
        except TraceError:
            continue
        accepted.append(event)
        for oid, version in versions.items():
            if ledger.children.get(oid, set()) != contents.get(oid, set()):
                assert ledger.objects[oid].version != version, (event, oid)
