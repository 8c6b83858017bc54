"""What is particular to the embedded store: the file, its settings, transactions across processes, failures.

What both stores must agree on is in ``tests/contract``; these tests check what only SQLite can get wrong.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from retrace.adapters.sqlite import SqliteStore, reads, writes
from retrace.adapters.sqlite.columns import CHUNK, utc_text
from retrace.adapters.sqlite.schema import LIVE_CONDITION, LIVE_STATUSES, SCHEMA_VERSION
from retrace.app.capture import CaptureEvents
from retrace.app.ports import DuplicateEventId, DuplicateKey, FlowTotal, LineageDirection, StaleWrite
from retrace.app.registry import RegisterMasterData, Registration
from retrace.domain.changes import ChangeSet, LineageLink, LinkKind, ObjectUpdate, RecordedEvent
from retrace.domain.errors import StoreUnavailable
from retrace.domain.events import Commission, Correct, Disassemble, NewItem, NewLot, Weigh
from retrace.domain.model import (
    TERMINAL,
    Fate,
    Licence,
    ObjectKind,
    Party,
    ProductModel,
    RegionCode,
    Role,
    Site,
    Status,
    Stream,
    TracedObject,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)
BEIJING = timezone(timedelta(hours=8))
DAY = timedelta(days=1)


def _clock() -> datetime:
    return NOW


async def _register(store: SqliteStore) -> None:
    party = Party(
        "P1",
        "Green Dismantling",
        frozenset({Role.PRODUCER, Role.DISMANTLER}),
        RegionCode("110101"),
        name_zh="绿色拆解",
    )
    await RegisterMasterData(store).execute(
        Registration(
            parties=[party],
            licences=[Licence("LIC-1", "P1", frozenset({Stream.WEEE}), date(2020, 1, 1), date(2030, 12, 31))],
            sites=[Site("S1", "Yard 1", "P1", RegionCode("110101"), name_zh="一号场")],
            models=[
                ProductModel(
                    "M-TV", "P1", Stream.WEEE, "tv", "TV 55", 20_000, {"steel": 8_000, "copper": 1_000}
                )
            ],
        )
    )


def _commission(event_id: str, *codes: str, at: datetime = T0) -> Commission:
    return Commission(
        event_id, at, "S1", "P1", items=tuple(NewItem((f"internal:{c}",), "M-TV") for c in codes)
    )


async def _capture(store: SqliteStore, *events: Commission | Disassemble | Correct | Weigh) -> None:
    await CaptureEvents(store, clock=_clock).execute(list(events))


def _object(object_id: str, *, keys: tuple[str, ...] = (), version: int = 1) -> TracedObject:
    return TracedObject(
        id=object_id,
        kind=ObjectKind.ITEM,
        keys=keys,
        identifiers=(),
        stream=Stream.WEEE,
        mass_g=1_000,
        status=Status.ACTIVE,
        created_at=T0,
        created_by_event="e-seed",
        holder_id="P1",
        site_id="S1",
        version=version,
    )


def _weigh_record(event_id: str, obj: TracedObject, mass_g: int) -> RecordedEvent:
    event = Weigh(event_id, T0 + timedelta(hours=1), "S1", "P1", object=f"internal:{obj.id}", mass_g=mass_g)
    return RecordedEvent(event, event.fingerprint(), NOW, ((obj.id, "subject"),), before=(obj,))


def _weigh(event_id: str, obj: TracedObject, mass_g: int, expected: int | None = None) -> ChangeSet:
    """A change set that reweighs ``obj`` as read (or as if read at version ``expected``)."""
    new = dataclasses.replace(obj, mass_g=mass_g, version=obj.version + 1, last_event_id=event_id)
    version = obj.version if expected is None else expected
    return ChangeSet(records=[_weigh_record(event_id, obj, mass_g)], updates=[ObjectUpdate(new, version)])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "trace.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path)
    await _register(opened)
    yield opened
    await opened.close()


async def _snapshot(
    store: SqliteStore,
) -> tuple[dict[str, int], TracedObject, list[RecordedEvent], list[FlowTotal]]:
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    return await store.counts(), tv, await store.history(tv.id), await store.site_flows("S1", T0, NOW)


# -- the file --------------------------------------------------------------------------------------------------


async def test_everything_survives_close_and_reopen(store: SqliteStore, db_path: Path) -> None:
    await _capture(store, _commission("e1", "TV-0001", "TV-0002"))
    await _capture(
        store,
        Disassemble(
            "e2",
            T0 + timedelta(hours=2),
            "S1",
            "P1",
            object="internal:TV-0001",
            lots=(NewLot("LOT-CU-1", "copper", 900, Fate.RECYCLING),),
        ),
    )
    before = await _snapshot(store)
    await store.close()

    reopened = await SqliteStore.open(db_path)
    try:
        after = await _snapshot(reopened)
        assert after == before
        assert after[0] == {"objects": 3, "events": 2, "parties": 1, "sites": 1}
        tv = after[1]
        assert tv.status is Status.DISMANTLED
        lineage = await reopened.lineage(tv.id, LineageDirection.DOWNSTREAM, 1)
        assert lineage is not None
        assert [o.material for o in lineage.objects if o.id != tv.id] == ["copper"]
        assert (await reopened.get_licences(["P1"]))["P1"][0].number == "LIC-1"
    finally:
        await reopened.close()


async def test_the_file_is_in_wal_mode_with_the_schema_version(store: SqliteStore, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    finally:
        conn.close()


async def test_opening_twice_is_idempotent_and_keeps_the_data(store: SqliteStore, db_path: Path) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    second = await SqliteStore.open(db_path)  # a second worker process on the same file
    try:
        assert (await second.counts())["objects"] == 1
    finally:
        await second.close()


async def test_a_file_at_schema_3_is_upgraded_in_place_with_its_data(
    store: SqliteStore, db_path: Path
) -> None:
    await _capture(store, _commission("e1", "TV-0001", "TV-0002"), _commission("e2", "TV-0003", at=T0 + DAY))
    await _capture(
        store, Weigh("w1", T0 + timedelta(hours=3), "S1", "P1", object="internal:TV-0001", mass_g=1)
    )
    before = (
        await _snapshot(store),
        await store.commissioned("P1", T0, NOW, 10),
        await store.events_since(0, 10),
    )
    await store.close()
    # Version 4 added this one index and nothing else: without it, and marked 3, the file is what version 3 wrote.
    conn = sqlite3.connect(db_path)
    conn.execute("DROP INDEX events_by_party_type_time")
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    assert "events_by_party_type_time" not in _plan(db_path, reads.COMMISSIONED)

    reopened = await SqliteStore.open(db_path)
    try:
        after = (
            await _snapshot(reopened),
            await reopened.commissioned("P1", T0, NOW, 10),
            await reopened.events_since(0, 10),
        )
        assert after == before
        assert sorted(key for o in after[1] for key in o.keys) == [f"internal:TV-000{n}" for n in (1, 2, 3)]
        await _capture(reopened, _commission("e3", "TV-0004", at=T0 + 2 * DAY))  # and it takes new writes
        assert len(await reopened.commissioned("P1", T0, NOW, 10)) == 4
    finally:
        await reopened.close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    finally:
        conn.close()
    assert "events_by_party_type_time" in _plan(db_path, reads.COMMISSIONED)


async def test_a_newer_schema_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreUnavailable, match="newer version"):
        await SqliteStore.open(db_path)


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not an SQLite file, just some text that is long enough" * 20)
    return path


async def test_a_file_that_is_not_a_database_is_store_unavailable(not_a_database: Path) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await SqliteStore.open(not_a_database)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


async def test_a_folder_that_cannot_be_created_is_store_unavailable(not_a_database: Path) -> None:
    with pytest.raises(StoreUnavailable):
        await SqliteStore.open(not_a_database / "trace.db")  # its "folder" is a file


# -- all or nothing --------------------------------------------------------------------------------------------


async def test_a_stale_update_writes_nothing(store: SqliteStore) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    counts = await store.counts()
    changes = _weigh("e2", tv, 19_000, expected=tv.version + 7)
    changes.new_objects.append(_object("extra", keys=("internal:EXTRA-1",)))
    changes.links.append(LineageLink(tv.id, "extra", LinkKind.CONTAINS, "e2"))

    with pytest.raises(StaleWrite):
        await store.commit(changes)

    assert await store.counts() == counts
    assert await store.get_events(["e2"]) == {}
    assert await store.find_by_keys(["internal:EXTRA-1"]) == {}
    assert (await store.get_objects([tv.id]))[tv.id] == tv
    lineage = await store.lineage(tv.id, LineageDirection.DOWNSTREAM, 1)
    assert lineage is not None and lineage.links == []


async def test_a_taken_key_rolls_back_the_events_already_inserted(store: SqliteStore) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    counts = await store.counts()
    event = _commission("e2", "TV-0002")
    record = RecordedEvent(event, event.fingerprint(), NOW, (("new", "output"),), created_ids=("new",))
    taken = ChangeSet(records=[record], new_objects=[_object("new", keys=("internal:TV-0001",))])

    with pytest.raises(DuplicateKey):
        await store.commit(taken)

    assert await store.counts() == counts
    assert await store.get_events(["e2"]) == {}
    assert await store.get_objects(["new"]) == {}


async def test_a_stored_event_id_is_a_duplicate_and_writes_nothing(store: SqliteStore) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    counts = await store.counts()
    event = _commission("e1", "TV-0009")
    record = RecordedEvent(event, event.fingerprint(), NOW, (("other", "output"),), created_ids=("other",))

    with pytest.raises(DuplicateEventId):
        await store.commit(
            ChangeSet(records=[record], new_objects=[_object("other", keys=("internal:TV-0009",))])
        )

    assert await store.counts() == counts
    assert await store.find_by_keys(["internal:TV-0009"]) == {}


async def test_a_voided_objects_key_is_free_for_the_corrective_event_in_the_same_batch(
    store: SqliteStore,
) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    wrong = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]

    await _capture(
        store,
        Correct(
            "e2",
            T0 + timedelta(hours=1),
            "S1",
            "P1",
            target_event_id="e1",
            reason="wrong model",
            corrective_event_ids=("e3",),
        ),
        _commission("e3", "TV-0001", at=T0 + timedelta(hours=1)),
    )

    voided = (await store.get_objects([wrong.id]))[wrong.id]
    assert voided.status is Status.VOIDED and voided.keys == ()
    now_known = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    assert now_known.id != wrong.id and now_known.created_by_event == "e3"
    assert (await store.get_events(["e1"]))["e1"].corrected_by == "e2"


async def test_concurrent_commits_in_one_process_have_one_winner(store: SqliteStore) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]

    outcomes = await asyncio.gather(
        *(store.commit(_weigh(f"w{i}", tv, 10_000 + i)) for i in range(8)), return_exceptions=True
    )

    assert sum(1 for o in outcomes if o is None) == 1
    assert all(isinstance(o, StaleWrite) for o in outcomes if o is not None)
    assert (await store.get_objects([tv.id]))[tv.id].version == tv.version + 1


def _commit_in_other_process(
    path: str, event_id: str, mass_g: int, barrier: Barrier, results: Queue[str]
) -> None:
    """Another API worker: read the item, wait until the rival has read it too, then commit a change to it."""

    async def run() -> str:
        store = await SqliteStore.open(path)
        try:
            tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
            await asyncio.to_thread(barrier.wait, 30)
            await store.commit(_weigh(event_id, tv, mass_g))
            return "committed"
        except StaleWrite:
            return "stale"
        finally:
            await store.close()

    try:
        results.put(f"{event_id}:{asyncio.run(run())}")
    except BaseException as e:  # report, so the parent fails with the reason instead of waiting
        results.put(f"{event_id}:error {type(e).__name__}: {e}")


async def test_two_processes_updating_one_object_have_exactly_one_winner(
    store: SqliteStore, db_path: Path
) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    results: Queue[str] = spawn.Queue()
    workers = [
        spawn.Process(
            target=_commit_in_other_process, args=(str(db_path), f"w{i}", 15_000 + i, barrier, results)
        )
        for i in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = sorted(await asyncio.to_thread(lambda: [results.get(timeout=60) for _ in workers]))
    finally:
        for worker in workers:
            worker.join(timeout=30)

    assert sorted(o.split(":")[1] for o in outcomes) == ["committed", "stale"], outcomes
    winner = next(o.split(":")[0] for o in outcomes if o.endswith("committed"))
    stored = (await store.get_objects([tv.id]))[tv.id]
    assert stored.version == tv.version + 1 and stored.last_event_id == winner
    assert set(await store.get_events(["w0", "w1"])) == {winner}


# -- failures --------------------------------------------------------------------------------------------------


async def test_a_removed_folder_makes_writes_store_unavailable_not_lost(
    store: SqliteStore, db_path: Path
) -> None:
    await _capture(store, _commission("e1", "TV-0001"))
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    shutil.rmtree(db_path.parent)

    with pytest.raises(StoreUnavailable):
        await store.commit(_weigh("e2", tv, 12_000))
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.save_sites([Site("S2", "Yard 2", "P1", RegionCode("110101"))])


async def test_the_seam_hears_every_step_of_a_commit_in_order(store: SqliteStore) -> None:
    """The outage tests fail a commit at named steps: a step the seam never announced would make them fail nothing."""
    heard: list[str] = []
    store.before_commit_step = lambda conn, step: heard.append(step)
    await _capture(store, _commission("e1", "TV-0001"))
    assert heard == list(writes.COMMIT_STEPS)


async def test_a_disk_filling_up_mid_batch_is_store_unavailable_and_writes_nothing(
    store: SqliteStore, db_path: Path
) -> None:
    """A real SQLITE_FULL in the middle of the write transaction: the events are in, the objects do not fit."""

    def fill_the_disk(conn: sqlite3.Connection, step: str) -> None:
        if step == "write_objects":
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {pages}")  # not one page more for this connection

    batch = [_commission("big", *[f"TV-{n:04d}" for n in range(200)]), _commission("small", "TV-9999")]
    store.before_commit_step = fill_the_disk
    before = await store.counts()
    with pytest.raises(StoreUnavailable) as caught:
        await CaptureEvents(store, clock=_clock).execute(batch)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert "full" in str(caught.value.__cause__)
    assert "nothing was written" in caught.value.message and "disk is not full" in caught.value.message
    assert await store.counts() == before
    assert await store.get_events(["big", "small"]) == {}
    await store.close()

    # Room again (a new connection has no page limit): the same batch goes in, once.
    reopened = await SqliteStore.open(db_path)
    try:
        result = await CaptureEvents(reopened, clock=_clock).execute(batch)
        assert [o.status for o in result.outcomes] == ["created", "created"]
        assert (await reopened.counts())["objects"] == before["objects"] + 201
    finally:
        await reopened.close()


async def test_a_closed_store_is_store_unavailable(db_path: Path) -> None:
    store = await SqliteStore.open(db_path)
    await store.ping()
    await store.close()
    await store.close()  # closing twice is harmless

    with pytest.raises(StoreUnavailable):
        await store.get_objects(["x"])
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.commit(ChangeSet())


async def test_a_lock_held_beyond_the_timeout_is_store_unavailable(db_path: Path) -> None:
    store = await SqliteStore.open(db_path, busy_timeout_s=0.05)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock and does not let go
    try:
        with pytest.raises(StoreUnavailable) as caught:
            await store.save_sites([Site("S2", "Yard 2", "P1", RegionCode("110101"))])
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert await store.get_sites(["S2"]) == {}  # reads never wait for the writer in WAL mode
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        await store.save_sites(
            [Site("S2", "Yard 2", "P1", RegionCode("110101"))]
        )  # usable again once released
        assert "S2" in await store.get_sites(["S2"])
    finally:
        await store.close()


# -- columns and queries ---------------------------------------------------------------------------------------


def test_utc_text_orders_like_the_instants() -> None:
    moments = [
        datetime(2025, 3, 1, 9, 0, tzinfo=BEIJING),  # 01:00 UTC
        datetime(2025, 3, 1, 1, 0, 0, 1, tzinfo=UTC),
        datetime(2025, 2, 28, 20, 30, tzinfo=timezone(timedelta(hours=-5))),  # 01:30 UTC
        datetime(999, 1, 1, tzinfo=UTC),
    ]
    texts = [utc_text(m) for m in moments]
    assert len({len(t) for t in texts}) == 1
    assert sorted(texts) == [utc_text(m) for m in sorted(moments)]
    assert utc_text(moments[0]) == "2025-03-01T01:00:00.000000+00:00"


async def test_history_orders_by_instant_and_keeps_each_events_offset(store: SqliteStore) -> None:
    # 09:00 in Beijing is 01:00 UTC: before a weighing at 02:00 UTC though its local hour is later.
    await _capture(store, _commission("e1", "TV-0001", at=datetime(2025, 3, 1, 9, 0, tzinfo=BEIJING)))
    tv = (await store.find_by_keys(["internal:TV-0001"]))["internal:TV-0001"]
    await _capture(
        store,
        Weigh(
            "e2", datetime(2025, 3, 1, 2, 0, tzinfo=UTC), "S1", "P1", object="internal:TV-0001", mass_g=19_500
        ),
    )

    history = await store.history(tv.id)

    assert [r.event_id for r in history] == ["e1", "e2"]
    assert history[0].event.event_time.utcoffset() == timedelta(hours=8)
    flows = await store.site_flows("S1", datetime(2025, 3, 1, 9, 0, tzinfo=BEIJING), T0)
    assert [(f.direction.value, f.count) for f in flows] == [("commissioned", 1)]  # start is inclusive
    assert (
        await store.site_flows("S1", T0 - timedelta(hours=7), datetime(2025, 3, 1, 9, 0, tzinfo=BEIJING))
        == []
    )


async def test_any_number_of_ids_is_read_in_chunks(store: SqliteStore) -> None:
    many = CHUNK * 2 + 7
    container = _object("cage", keys=("internal:CAGE-1",))
    objects = [
        dataclasses.replace(_object(f"o{i:05d}", keys=(f"internal:K-{i:05d}",)), parent_id="cage")
        for i in range(many)
    ]
    event = _commission("bulk", "BULK-1")
    record = RecordedEvent(event, event.fingerprint(), NOW, tuple((o.id, "output") for o in objects))
    await store.commit(ChangeSet(records=[record], new_objects=[container, *objects]))

    ids = [o.id for o in objects]
    assert len(await store.get_objects([*ids, "missing"])) == many
    assert len(await store.find_by_keys([k for o in objects for k in o.keys])) == many
    assert (await store.children_of(["cage", *ids])) == {"cage": ids}
    page = await store.objects_at_site("S1", 1000, after_id="o00100")
    assert [o.id for o in page][:2] == ["o00101", "o00102"] and len(page) == 1000


def test_the_live_statuses_are_those_the_port_means() -> None:
    assert set(LIVE_STATUSES) == set(Status) - TERMINAL - {Status.IN_TRANSIT}
    spelled = ", ".join(f"'{s.value}'" for s in LIVE_STATUSES)
    assert f"status IN ({spelled})" == LIVE_CONDITION


async def test_inventory_and_flows_use_their_indexes(store: SqliteStore, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        inventory = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT json FROM objects WHERE site_id = ? AND {LIVE_CONDITION} AND id > ? "
            "ORDER BY id LIMIT ?",
            ("S1", "", 10),
        ).fetchall()
        flows = conn.execute(
            "EXPLAIN QUERY PLAN SELECT direction, SUM(mass_g) FROM flows WHERE site_id = ? AND event_time >= ? "
            "AND event_time < ? GROUP BY direction",
            ("S1", "a", "b"),
        ).fetchall()
    finally:
        conn.close()
    assert "objects_live_at_site" in str(inventory) and "TEMP B-TREE" not in str(inventory)
    assert "flows_by_site_time" in str(flows)


def _plan(db_path: Path, sql: str) -> str:
    """SQLite's plan for ``sql`` (parameters bound to placeholders), one step a line."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", ("P1",) + ("x",) * (sql.count("?") - 1)).fetchall()
    finally:
        conn.close()
    return "\n".join(str(row[-1]) for row in rows)


async def test_a_partys_commissions_in_a_period_are_found_by_index(store: SqliteStore, db_path: Path) -> None:
    plan = _plan(db_path, reads.COMMISSIONED)
    # Only the party's commissions within the period are visited: party, type and both time bounds in the search.
    assert (
        "SEARCH e USING INDEX events_by_party_type_time (party_id=? AND type=? AND event_time>? AND event_time<?)"
        in plan
    ), plan
    assert "SCAN" not in plan, plan


async def test_lineage_ends_in_a_cycle_and_skips_corrected_links(store: SqliteStore) -> None:
    # The domain never makes a cycle; the store must still terminate if one is ever written.
    a, b, c = _object("a"), _object("b"), _object("c")
    event = _commission("links", "LINK-1")
    record = RecordedEvent(event, event.fingerprint(), NOW, (("a", "subject"),))
    fix = _commission("fix", "FIX-1")
    fix_record = RecordedEvent(fix, fix.fingerprint(), NOW, (("a", "subject"),))
    await store.commit(
        ChangeSet(
            records=[record],
            new_objects=[a, b, c],
            links=[
                LineageLink("a", "b", LinkKind.CONTAINS, "links"),
                LineageLink("b", "c", LinkKind.CONTAINS, "links"),
                LineageLink("c", "a", LinkKind.CONTAINS, "links"),
            ],
        )
    )
    lineage = await store.lineage("a", LineageDirection.DOWNSTREAM, 10)
    assert lineage is not None
    assert [o.id for o in lineage.objects] == ["a", "b", "c"] and len(lineage.links) == 3
    one = await store.lineage("a", LineageDirection.UPSTREAM, 1)
    assert one is not None and [(link.from_id, link.to_id) for link in one.links] == [("c", "a")]

    await store.commit(ChangeSet(records=[fix_record], corrections=[("links", "fix")]))

    after = await store.lineage("a", LineageDirection.DOWNSTREAM, 10)
    assert after is not None and [o.id for o in after.objects] == ["a"] and after.links == []
    assert await store.lineage("nobody", LineageDirection.UPSTREAM, 3) is None


async def test_a_second_correction_of_the_same_event_is_stale(store: SqliteStore) -> None:
    event = _commission("target", "T-1")
    await store.commit(ChangeSet(records=[RecordedEvent(event, event.fingerprint(), NOW, ())]))
    first, second = _commission("c1", "C-1"), _commission("c2", "C-2")
    await store.commit(
        ChangeSet(
            records=[RecordedEvent(first, first.fingerprint(), NOW, ())], corrections=[("target", "c1")]
        )
    )

    with pytest.raises(StaleWrite):
        await store.commit(
            ChangeSet(
                records=[RecordedEvent(second, second.fingerprint(), NOW, ())], corrections=[("target", "c2")]
            )
        )

    assert (await store.get_events(["target"]))["target"].corrected_by == "c1"
    assert await store.get_events(["c2"]) == {}
