"""Races and failures on both stores: exactly one of two conflicting writers wins; a failed commit writes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from retrace.app.capture import CaptureEvents
from retrace.app.ports import DuplicateKey, GraphStore, StaleWrite
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.changes import ChangeSet
from retrace.domain.errors import BatchRejected, Conflict, StoreUnavailable, TraceError
from retrace.domain.events import Aggregate, Disassemble, Weigh
from retrace.domain.identifiers import parse_identifier
from retrace.domain.model import Status
from tests.world import NOW, at, battery, commission, digital_link, handover, lot, registration, vin

pytestmark = pytest.mark.asyncio


class RaceAtCommit:
    """The real store, but the first ``commit`` of each writer waits until both writers have read everything.

    This forces the interleaving that makes two devices race (both read version n, both try to write n+1); the
    outcome is decided by the real store and the real use case, nothing is faked."""

    def __init__(self, store: GraphStore, barrier: asyncio.Barrier) -> None:
        self._store = store
        self._barrier = barrier
        self._waited = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def commit(self, changes: ChangeSet) -> None:
        if not self._waited:
            self._waited = True
            await asyncio.wait_for(self._barrier.wait(), timeout=30)
        await self._store.commit(changes)


@pytest.fixture
async def ready(store: GraphStore) -> GraphStore:
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            commission("e1", at(0), "car-maker", ((vin(40),), "bev")),
            *handover("h", at(1), "car-maker", "dismantler", vin(40)),
        ]
    )
    return store


async def test_two_devices_dismantling_the_same_vehicle_at_once_exactly_one_wins(ready: GraphStore) -> None:
    barrier = asyncio.Barrier(2)

    def device(name: str) -> Any:
        capture = CaptureEvents(RaceAtCommit(ready, barrier), clock=lambda: NOW)
        return capture.execute(
            [
                Disassemble(
                    f"d-{name}",
                    at(5),
                    "site-dismantler",
                    "dismantler",
                    object=vin(40),
                    lots=(lot(f"ST-{name}", "steel", 900),),
                )
            ]
        )

    results = await asyncio.gather(device("a"), device("b"), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1, results
    loser = losers[0]
    assert isinstance(loser, BatchRejected)
    assert loser.details["errors"][0]["code"] == "DOUBLE_TREATMENT"
    _, history = await TraceQueries(ready).history(vin(40))
    assert [r.event_id for r in history].count("d-a") + [r.event_id for r in history].count("d-b") == 1


async def test_two_devices_commissioning_the_same_tag_at_once_exactly_one_wins(store: GraphStore) -> None:
    await RegisterMasterData(store).execute(registration())
    barrier = asyncio.Barrier(2)

    def device(name: str) -> Any:
        capture = CaptureEvents(RaceAtCommit(store, barrier), clock=lambda: NOW)
        return capture.execute([commission(f"c-{name}", at(0), "tv-maker", ((digital_link(9100),), "tv"))])

    results = await asyncio.gather(device("a"), device("b"), return_exceptions=True)
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(losers) == 1, results
    assert isinstance(losers[0], BatchRejected)
    assert losers[0].details["errors"][0]["code"] == "IDENTIFIER_TAKEN"
    assert (await store.counts())["objects"] == 1


async def test_the_same_event_sent_twice_at_once_is_stored_once(store: GraphStore) -> None:
    await RegisterMasterData(store).execute(registration())
    barrier = asyncio.Barrier(2)
    event = commission("same", at(0), "tv-maker", ((digital_link(9200),), "tv"))

    def device() -> Any:
        capture = CaptureEvents(RaceAtCommit(store, barrier), clock=lambda: NOW)
        return capture.execute([event])

    first, second = await asyncio.gather(device(), device())
    assert sorted([first.outcomes[0].status, second.outcomes[0].status]) == ["created", "replayed"]
    assert first.outcomes[0].created_ids == second.outcomes[0].created_ids
    assert (await store.counts())["events"] == 1


# Four packs of one holder: P inside A, D inside C.  Putting C into P reads A (the cycle check walks up from P) and
# changes P and C; putting A into D reads C and changes D and A.  Neither changes what the other changes: only the
# versions of what each one read can tell that, together, they make the cycle C > D > A > P > C.
A, P, C, D = (battery("P", n) for n in (61, 62, 63, 64))


def c_into_p(event_id: str = "x-c-into-p") -> Aggregate:
    return Aggregate(event_id, at(2), "site-car-maker", "car-maker", parent=P, children=(C,))


def a_into_d(event_id: str = "y-a-into-d") -> Aggregate:
    return Aggregate(event_id, at(2), "site-car-maker", "car-maker", parent=D, children=(A,))


@pytest.fixture
async def nested(store: GraphStore) -> GraphStore:
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [
            commission("c", at(0), "car-maker", *[((code,), "ncm-pack") for code in (A, P, C, D)]),
            Aggregate("a-pa", at(1), "site-car-maker", "car-maker", parent=A, children=(P,)),
            Aggregate("a-dc", at(1), "site-car-maker", "car-maker", parent=C, children=(D,)),
        ]
    )
    return store


async def _containers(store: GraphStore) -> dict[str, str | None]:
    """Each pack's container, as pack code → container code (None: loose)."""
    found = await store.find_by_keys([parse_identifier(code).key for code in (A, P, C, D)])
    code_of = {obj.id: code for code in (A, P, C, D) for obj in [found[parse_identifier(code).key]]}
    return {code_of[o.id]: code_of.get(o.parent_id or "") for o in found.values()}


async def test_two_aggregations_that_together_make_a_cycle_exactly_one_wins(nested: GraphStore) -> None:
    """Each device only reads what the other one changes: the stores must check what was read, not only what is
    written, or both commit and the packs end up inside each other (and shipping one would never end)."""
    barrier = asyncio.Barrier(2)
    before = await nested.counts()

    def device(event: Aggregate) -> Any:
        return CaptureEvents(RaceAtCommit(nested, barrier), clock=lambda: NOW).execute([event])

    results = await asyncio.gather(device(c_into_p()), device(a_into_d()), return_exceptions=True)
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(losers) == 1, results
    loser = losers[0]
    assert isinstance(loser, BatchRejected), loser
    assert [(e["code"], e["field"]) for e in loser.details["errors"]] == [
        ("AGGREGATION_INVALID", "children[0]")
    ]
    assert isinstance(loser.worst, Conflict)  # 409, as for every lost race the rules see on re-reading
    won, lost = ("x-c-into-p", "y-a-into-d") if results[1] is loser else ("y-a-into-d", "x-c-into-p")
    assert set(await nested.get_events([won, lost])) == {won}
    assert await nested.counts() == {**before, "events": before["events"] + 1}
    containers = await _containers(nested)
    expected = {A: None, P: A, C: P, D: C} if won == "x-c-into-p" else {A: D, P: A, C: None, D: C}
    assert containers == expected


async def test_a_commit_whose_read_object_changed_since_writes_nothing(nested: GraphStore) -> None:
    capture = CaptureEvents(nested, clock=lambda: NOW)
    ledger = await capture._load([c_into_p()])
    ledger.apply(c_into_p(), "fp")
    changes = ledger.change_set()
    assert len(changes.read_versions) == 1  # A, read by the cycle check
    await capture.execute([a_into_d()])  # changes A (and D): nothing this change set writes
    before = await nested.counts()
    with pytest.raises(StaleWrite):
        await nested.commit(changes)
    assert await nested.counts() == before
    assert await nested.get_events(["x-c-into-p"]) == {}
    assert (await _containers(nested))[C] is None


async def test_a_commit_with_a_stale_version_writes_nothing(ready: GraphStore) -> None:
    capture = CaptureEvents(ready, clock=lambda: NOW)
    ledger = await capture._load(
        [
            Disassemble(
                "d1",
                at(5),
                "site-dismantler",
                "dismantler",
                object=vin(40),
                lots=(lot("ST-1", "steel", 900),),
            )
        ]
    )
    ledger.apply(
        Disassemble(
            "d1", at(5), "site-dismantler", "dismantler", object=vin(40), lots=(lot("ST-1", "steel", 900),)
        ),
        "fp",
    )
    changes = ledger.change_set()
    stale = dataclasses.replace(
        changes,
        updates=[dataclasses.replace(u, expected_version=u.expected_version - 1) for u in changes.updates],
    )
    before = await ready.counts()
    with pytest.raises(StaleWrite):
        await ready.commit(stale)
    assert await ready.counts() == before
    assert (await TraceQueries(ready).find(vin(40))).status is Status.ACTIVE
    assert await ready.find_by_keys(["internal:ST-1"]) == {}


async def test_a_commit_failing_on_its_last_write_writes_nothing(ready: GraphStore) -> None:
    """The database refusing part of a batch (here: a key taken) must leave no half-written batch."""
    capture = CaptureEvents(ready, clock=lambda: NOW)
    event = commission("c9", at(0), "tv-maker", ((digital_link(9300),), "tv"), ((digital_link(9301),), "tv"))
    ledger = await capture._load([event])
    ledger.apply(event, "fp")
    changes = ledger.change_set()
    # Someone else takes the second tag after we read: our commit must fail as a whole.
    other = commission("c10", at(0), "tv-maker", ((digital_link(9301),), "tv"))
    await capture.execute([other])
    before = await ready.counts()
    with pytest.raises(DuplicateKey):
        await ready.commit(changes)
    assert await ready.counts() == before
    assert await ready.find_by_keys([f"gs1:01/80614141123458/21/{9300}"]) == {}


async def test_a_store_that_went_away_reports_store_unavailable(ready: GraphStore) -> None:
    await ready.close()
    with pytest.raises(StoreUnavailable) as info:
        await CaptureEvents(ready, clock=lambda: NOW).execute(
            [commission("late", at(0), "tv-maker", ((digital_link(9400),), "tv"))]
        )
    assert info.value.code == "STORE_UNAVAILABLE"
    assert isinstance(info.value, TraceError)


def _weighing(name: str, kg: float) -> Weigh:
    return Weigh(f"w-{name}", at(5), "site-dismantler", "dismantler", object=vin(40), mass_g=int(kg * 1000))


async def test_two_weighings_at_once_both_land_because_the_loser_retries_on_what_the_winner_wrote(
    ready: GraphStore,
) -> None:
    barrier = asyncio.Barrier(2)

    def device(name: str, kg: float) -> Any:
        return CaptureEvents(RaceAtCommit(ready, barrier), clock=lambda: NOW).execute([_weighing(name, kg)])

    first, second = await asyncio.gather(device("a", 1601.0), device("b", 1602.0))
    assert first.created and second.created
    _, history = await TraceQueries(ready).history(vin(40))
    assert {"w-a", "w-b"} <= {r.event_id for r in history}


async def test_a_writer_that_keeps_losing_the_race_gets_concurrent_modification_and_stores_nothing(
    ready: GraphStore,
) -> None:
    """With no retry left, the loser of a real race is told to retry (CONCURRENT_MODIFICATION), never half-written."""
    barrier = asyncio.Barrier(2)

    def device(name: str, kg: float) -> Any:
        capture = CaptureEvents(RaceAtCommit(ready, barrier), clock=lambda: NOW, retries=0)
        return capture.execute([_weighing(name, kg)])

    masses = {"a": 1601.0, "b": 1602.0}
    results = await asyncio.gather(*(device(n, kg) for n, kg in masses.items()), return_exceptions=True)
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(losers) == 1, results
    loser = losers[0]
    assert isinstance(loser, Conflict) and loser.code == "CONCURRENT_MODIFICATION", loser
    _, history = await TraceQueries(ready).history(vin(40))
    stored = {r.event_id for r in history} & {"w-a", "w-b"}
    assert len(stored) == 1
    # The device resends the same event, as its queue does: now it lands, once.
    lost = next(n for n in masses if f"w-{n}" not in stored)
    again = await CaptureEvents(ready, clock=lambda: NOW).execute([_weighing(lost, masses[lost])])
    assert again.created
