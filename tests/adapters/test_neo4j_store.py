"""What only the Neo4j store has: schema migrations, constraints, write locks, driver errors, the Browser graph.

Everything a store must answer is in the contract suite (``tests/contract``); these tests need the server that
``scripts/neo4j start`` runs (``TRACE_TEST_NEO4J_URI``, default ``bolt://127.0.0.1:17687``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import socket
import time
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import Neo4jError

from retrace.adapters.neo4j import queries as q
from retrace.adapters.neo4j.migrations import MigrationError, default_directory, load_migrations
from retrace.adapters.neo4j.store import Neo4jStore
from retrace.adapters.sqlite import SqliteStore
from retrace.app.capture import CaptureEvents
from retrace.app.ports import (
    DuplicateEventId,
    DuplicateKey,
    EventFilter,
    EventKey,
    LineageDirection,
    ModelFilter,
    PartyFilter,
    SiteFilter,
    StaleWrite,
)
from retrace.app.registry import RegisterMasterData
from retrace.app.tracing import TraceQueries
from retrace.domain.changes import ChangeSet, ObjectUpdate, RecordedEvent
from retrace.domain.errors import StoreUnavailable
from retrace.domain.events import Correct, Weigh
from retrace.domain.model import ObjectKind, Role, Status, Stream, TracedObject
from tests.world import NOW, T0, at, battery, battery_chain, registration, vin

URI = os.environ.get("TRACE_TEST_NEO4J_URI", "bolt://127.0.0.1:17687")
UNIQUE = {  # (label, property) of every uniqueness constraint the migrations create
    ("Object", "id"),
    ("Identifier", "key"),
    ("Event", "id"),
    ("Party", "id"),
    ("Site", "id"),
    ("Licence", "number"),
    ("Model", "id"),
    ("SchemaMigration", "version"),
    ("FlowAggregate", "key"),
    ("EventLog", "name"),
}


async def _connect(**config: Any) -> Neo4jStore:
    try:
        return await Neo4jStore.connect(URI, None, **config)
    except StoreUnavailable as e:
        pytest.fail(f"Neo4j is not reachable at {URI}: run `scripts/neo4j start`. {e}")


@pytest.fixture
async def neo4j() -> AsyncIterator[Neo4jStore]:
    store = await _connect()
    await store.migrate()
    await store.wipe()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def second() -> AsyncIterator[Neo4jStore]:
    """Another connection (its own driver and pool) to the same database: a second API worker."""
    store = await _connect()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def raw() -> AsyncIterator[AsyncDriver]:
    driver = AsyncGraphDatabase.driver(URI, auth=None)
    try:
        yield driver
    finally:
        await driver.close()


def _object(oid: str, key: str, version: int = 1, **fields: object) -> TracedObject:
    obj = TracedObject(
        id=oid,
        kind=ObjectKind.ITEM,
        keys=(key,),
        identifiers=(("internal", key),),
        stream=Stream.WEEE,
        mass_g=18_000,
        status=Status.ACTIVE,
        created_at=T0,
        created_by_event=f"c-{oid}",
        holder_id="collector",
        site_id="site-collector",
        last_event_id=f"c-{oid}",
        version=version,
    )
    return dataclasses.replace(obj, **fields)  # type: ignore[arg-type]


def _record(event_id: str, *object_ids: str) -> RecordedEvent:
    return RecordedEvent(
        event=Weigh(event_id, at(1), "site-collector", "collector", object=object_ids[0], mass_g=17_000),
        fingerprint=f"fp-{event_id}",
        recorded_at=NOW,
        object_roles=tuple((o, "subject") for o in object_ids),
    )


def _weigh(obj: TracedObject, event_id: str, mass_g: int) -> ChangeSet:
    """An update of ``obj`` computed from the version it has now."""
    new = dataclasses.replace(obj, mass_g=mass_g, version=obj.version + 1, last_event_id=event_id)
    return ChangeSet(records=[_record(event_id, obj.id)], updates=[ObjectUpdate(new, obj.version)])


async def _stored(store: Neo4jStore, oid: str) -> TracedObject:
    return (await store.get_objects([oid]))[oid]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# -- migrations --------------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_migrations_build_the_schema_from_nothing_record_it_and_then_apply_nothing(
    neo4j: Neo4jStore, raw: AsyncDriver
) -> None:
    versions = [m.version for m in load_migrations()]
    try:
        # A database that never saw a migration: no constraint, no index (but Neo4j's own lookup indexes).
        await raw.execute_query(f"MATCH (m:{q.Label.SCHEMA_MIGRATION}) DELETE m")
        for (name,) in (await raw.execute_query("SHOW CONSTRAINTS YIELD name")).records:
            await raw.execute_query(f"DROP CONSTRAINT {name}")
        for (name,) in (
            await raw.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
        ).records:
            await raw.execute_query(f"DROP INDEX {name}")
        assert await _unique_constraints(raw) == set()

        assert await neo4j.migrate() == versions
        assert await _unique_constraints(raw) == UNIQUE
        recorded = (
            await raw.execute_query(
                f"MATCH (m:{q.Label.SCHEMA_MIGRATION}) RETURN m.version AS v, m.name AS name, m.checksum AS sum, "
                "m.applied_at AS at ORDER BY v"
            )
        ).records
        assert [r["v"] for r in recorded] == versions
        assert all(r["name"] and len(r["sum"]) == 64 and r["at"] is not None for r in recorded)

        assert await neo4j.migrate() == []
        # Idempotent DDL: forgetting the records and running everything again changes nothing and fails nothing.
        await raw.execute_query(f"MATCH (m:{q.Label.SCHEMA_MIGRATION}) DELETE m")
        assert await neo4j.migrate() == versions
        assert await _unique_constraints(raw) == UNIQUE
        assert await neo4j.migrate() == []
    finally:
        await neo4j.migrate()


@pytest.mark.neo4j
async def test_objects_stored_before_the_live_inventory_index_are_found_after_its_migration(
    neo4j: Neo4jStore, raw: AsyncDriver
) -> None:
    """V0006 fills in ``live_site_id`` for what was written before it: a yard's inventory stays whole."""
    await neo4j.commit(
        ChangeSet(
            records=[_record("c-old", "old"), _record("c-gone", "gone")],
            new_objects=[_object("old", "key-old"), _object("gone", "key-gone", status=Status.DISPOSED)],
        )
    )
    assert [o.id for o in await neo4j.objects_at_site("site-collector", 10)] == ["old"]
    # As a database written by an earlier version: no property, and V0006 not yet applied.
    await raw.execute_query(f"MATCH (o:{q.Label.OBJECT}) REMOVE o.live_site_id")
    await raw.execute_query(f"MATCH (m:{q.Label.SCHEMA_MIGRATION} {{version: '0006'}}) DELETE m")
    assert await neo4j.objects_at_site("site-collector", 10) == []
    assert await neo4j.migrate() == ["0006"]
    assert [o.id for o in await neo4j.objects_at_site("site-collector", 10)] == [
        "old"
    ]  # not the disposed one


async def _unique_constraints(driver: AsyncDriver) -> set[tuple[str, str]]:
    records = (
        await driver.execute_query(
            "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
            "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes, properties"
        )
    ).records
    return {(r["labelsOrTypes"][0], r["properties"][0]) for r in records if len(r["properties"]) == 1}


@pytest.mark.neo4j
async def test_the_indexes_the_queries_need_exist(neo4j: Neo4jStore, raw: AsyncDriver) -> None:
    records = (
        await raw.execute_query(
            "SHOW INDEXES YIELD type, labelsOrTypes, properties, state WHERE type = 'RANGE' "
            "RETURN labelsOrTypes[0] AS label, properties, state"
        )
    ).records
    indexes = {(r["label"], tuple(r["properties"])): r["state"] for r in records}
    for wanted in [
        ("Object", ("site_id", "id")),
        ("Object", ("parent_id",)),
        ("Flow", ("site_id", "event_time_utc")),
        ("Event", ("seq",)),
        ("Event", ("site_id", "seq")),
        ("Event", ("party_id", "seq")),
        ("Event", ("event_time_utc", "id")),
        ("Event", ("site_id", "event_time_utc")),
        ("Event", ("party_id", "event_time_utc")),
    ]:
        assert indexes.get(wanted) == "ONLINE", wanted


def _copy_with_edits(directory: Path) -> tuple[Path, Path]:
    """The real migrations in ``directory``, V0001 with a changed statement, V0002 with a new comment."""
    for path in default_directory().glob("V*.cypher"):
        shutil.copy(path, directory / path.name)
    first = sorted(directory.glob("V0001__*.cypher"))[0]
    first.write_text(
        first.read_text(encoding="utf-8").replace("o.id IS UNIQUE", "o.uid IS UNIQUE"), encoding="utf-8"
    )
    second = sorted(directory.glob("V0002__*.cypher"))[0]
    second.write_text("// reworded\n" + second.read_text(encoding="utf-8"), encoding="utf-8")
    return first, second


@pytest.mark.neo4j
async def test_an_applied_migration_that_was_edited_is_refused(neo4j: Neo4jStore, tmp_path: Path) -> None:
    first, _ = _copy_with_edits(tmp_path)
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await neo4j.migrate(tmp_path)
    first.unlink()  # a comment is not a change: without the edited file, nothing is applied and nothing refused
    assert await neo4j.migrate(tmp_path) == []


def test_missing_or_misnamed_migrations_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="not at"):
        load_migrations(tmp_path / "nowhere")
    (tmp_path / "V1_constraints.cypher").write_text("RETURN 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match="is not named"):
        load_migrations(tmp_path)


@pytest.mark.neo4j
async def test_wipe_keeps_the_migration_records_and_the_constraints(
    neo4j: Neo4jStore, raw: AsyncDriver
) -> None:
    await RegisterMasterData(neo4j).execute(registration())
    await neo4j.wipe()
    assert await neo4j.counts() == {"objects": 0, "events": 0, "parties": 0, "sites": 0}
    assert (await raw.execute_query("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")).records[0][
        "n"
    ] == 0
    assert await neo4j.migrate() == []
    assert await _unique_constraints(raw) == UNIQUE


@pytest.mark.neo4j
async def test_after_a_wipe_the_event_log_starts_again_as_in_a_new_embedded_store(
    neo4j: Neo4jStore, raw: AsyncDriver, tmp_path: Path
) -> None:
    async def positions(store: Neo4jStore | SqliteStore) -> list[tuple[int, str]]:
        await RegisterMasterData(store).execute(registration())
        chain = battery_chain()
        await CaptureEvents(store, clock=lambda: NOW).execute(chain[:3])
        await CaptureEvents(store, clock=lambda: NOW).execute(chain[3:5])
        return [(p, r.event_id) for p, r in await store.events_since(0, 100)]

    await positions(neo4j)
    assert await neo4j.event_log_head() == 5
    await neo4j.wipe()
    # What a migration of an empty database leaves: its records only.  No :EventLog node, as none was made yet.
    labels = await raw.execute_query("MATCH (n) RETURN DISTINCT labels(n) AS labels")
    assert [r["labels"] for r in labels.records] == [["SchemaMigration"]]
    assert await neo4j.migrate() == []
    assert await neo4j.event_log_head() == 0 and await neo4j.events_since(0, 10) == []

    embedded = await SqliteStore.open(tmp_path / "new.db")
    try:
        expected = await positions(embedded)
    finally:
        await embedded.close()
    assert await positions(neo4j) == expected
    assert [p for p, _ in expected] == [1, 2, 3, 4, 5]


# -- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_an_unreachable_server_is_store_unavailable() -> None:
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        await Neo4jStore.connect(uri)
    assert info.value.code == "STORE_UNAVAILABLE" and info.value.__cause__ is not None
    # A store whose server goes away after it was opened: every call says so, and none takes long.
    store = Neo4jStore(AsyncGraphDatabase.driver(uri, auth=None, max_transaction_retry_time=0.5), uri=uri)
    try:
        for call in (
            store.ping(),
            store.get_objects(["x"]),
            store.counts(),
            store.commit(ChangeSet(records=[_record("w1", "x")], new_objects=[_object("x", "k")])),
        ):
            with pytest.raises(StoreUnavailable):
                await call
    finally:
        await store.close()
    assert time.monotonic() - started < 20


@pytest.mark.neo4j
async def test_a_duplicate_event_or_key_is_its_own_conflict_and_writes_nothing(neo4j: Neo4jStore) -> None:
    await neo4j.commit(ChangeSet(records=[_record("c-a", "a")], new_objects=[_object("a", "key-a")]))
    before = await neo4j.counts()
    with pytest.raises(DuplicateEventId):
        await neo4j.commit(ChangeSet(records=[_record("c-a", "b")], new_objects=[_object("b", "key-b")]))
    with pytest.raises(DuplicateKey):
        await neo4j.commit(ChangeSet(records=[_record("c-b", "b")], new_objects=[_object("b", "key-a")]))
    assert await neo4j.counts() == before
    assert await neo4j.get_objects(["b"]) == {} and await neo4j.get_events(["c-b"]) == {}


# -- write locks -------------------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_the_lock_statement_makes_a_second_writer_wait(neo4j: Neo4jStore, raw: AsyncDriver) -> None:
    await neo4j.commit(ChangeSet(records=[_record("c-x", "x")], new_objects=[_object("x", "key-x")]))
    first = raw.session()
    second = raw.session()
    holder = await first.begin_transaction()
    try:
        await (await holder.run(q.LOCK_OBJECTS, ids=["x"])).consume()
        waiter = await second.begin_transaction(timeout=1.0)
        started = time.monotonic()
        with pytest.raises(Neo4jError):  # the server gives up waiting for the lock after the 1 s timeout
            await (await waiter.run(q.LOCK_OBJECTS, ids=["x"])).consume()
        assert time.monotonic() - started >= 0.9
        await waiter.close()
        # A plain read is not blocked (read committed): which is why versions are read only after locking.
        reader = await second.begin_transaction(timeout=1.0)
        await (await reader.run("MATCH (o:Object {id: 'x'}) RETURN o.version")).consume()
        await reader.close()
    finally:
        await holder.close()
        await first.close()
        await second.close()


@pytest.mark.parametrize("other_writer_commits", [True, False])
@pytest.mark.neo4j
async def test_a_commit_waits_for_the_lock_then_checks_the_version_it_finds(
    neo4j: Neo4jStore, raw: AsyncDriver, other_writer_commits: bool
) -> None:
    """Another writer holds the object and has changed its version, uncommitted.  Our commit must wait for it and
    compare with what it committed: a store that read the version before locking would read the old version (reads
    are read-committed and take no lock), pass the check, and overwrite the winner."""
    await neo4j.commit(ChangeSet(records=[_record("c-x", "x")], new_objects=[_object("x", "key-x")]))
    obj = await _stored(neo4j, "x")
    session = raw.session()
    other = await session.begin_transaction()
    try:
        await (
            await other.run("MATCH (o:Object {id: 'x'}) SET o.version = o.version + 1, o.mass_g = 1")
        ).consume()
        ours = asyncio.create_task(neo4j.commit(_weigh(obj, "w-ours", 17_000)))
        await asyncio.sleep(0.5)
        assert not ours.done(), "the commit did not wait for the other writer's lock"
        await (other.commit() if other_writer_commits else other.rollback())
        if other_writer_commits:
            with pytest.raises(StaleWrite):
                await ours
            assert (await _stored(neo4j, "x")).mass_g == 18_000  # the JSON was not touched by the raw writer
            assert await neo4j.get_events(["w-ours"]) == {}
        else:
            await ours
            assert (await _stored(neo4j, "x")).version == obj.version + 1
    finally:
        await other.close()
        await session.close()


@pytest.mark.parametrize("other_writer_commits", [True, False])
@pytest.mark.neo4j
async def test_a_commit_that_only_read_an_object_waits_for_its_writer_then_checks_its_version(
    neo4j: Neo4jStore, raw: AsyncDriver, other_writer_commits: bool
) -> None:
    """The same for an object the batch only read (``read_versions``): checked without its lock, the version found
    would be the one before the other writer's uncommitted change, and both writers would commit (write skew)."""
    await neo4j.commit(
        ChangeSet(
            records=[_record("c-xy", "x", "y")], new_objects=[_object("x", "key-x"), _object("y", "key-y")]
        )
    )
    x, y = await _stored(neo4j, "x"), await _stored(neo4j, "y")
    ours = _weigh(x, "w-ours", 17_000)
    ours.read_versions = {"y": y.version}
    session = raw.session()
    other = await session.begin_transaction()
    try:
        await (await other.run("MATCH (o:Object {id: 'y'}) SET o.version = o.version + 1")).consume()
        task = asyncio.create_task(neo4j.commit(ours))
        await asyncio.sleep(0.5)
        assert not task.done(), "the commit did not wait for the writer of the object it read"
        await (other.commit() if other_writer_commits else other.rollback())
        if other_writer_commits:
            with pytest.raises(StaleWrite):
                await task
            assert await neo4j.get_events(["w-ours"]) == {}
            assert (await _stored(neo4j, "x")) == x
        else:
            await task
            assert (await _stored(neo4j, "x")).version == x.version + 1
            assert (await _stored(neo4j, "y")) == y  # read, locked, and left as it was
    finally:
        await other.close()
        await session.close()


@pytest.mark.neo4j
async def test_two_connections_committing_on_the_same_version_exactly_one_wins(
    neo4j: Neo4jStore, second: Neo4jStore
) -> None:
    await neo4j.commit(ChangeSet(records=[_record("c-x", "x")], new_objects=[_object("x", "key-x")]))
    for round_ in range(15):
        obj = await _stored(neo4j, "x")
        outcomes = await asyncio.gather(
            neo4j.commit(_weigh(obj, f"w{round_}-a", 10_000 + round_)),
            second.commit(_weigh(obj, f"w{round_}-b", 20_000 + round_)),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "StaleWrite"], outcomes
        winner = "a" if outcomes[0] is None else "b"
        stored = await _stored(second, "x")
        assert stored.version == obj.version + 1
        assert stored.last_event_id == f"w{round_}-{winner}"
        assert set(await neo4j.get_events([f"w{round_}-a", f"w{round_}-b"])) == {f"w{round_}-{winner}"}


# -- the graph people see ----------------------------------------------------------------------------------------


@pytest.mark.neo4j
async def test_relationships_follow_the_current_state_and_identifiers_the_keys(
    neo4j: Neo4jStore, raw: AsyncDriver
) -> None:
    await RegisterMasterData(neo4j).execute(registration())
    capture = CaptureEvents(neo4j, clock=lambda: NOW)
    chain = battery_chain()
    await capture.execute(chain[:8])  # cells in modules in a pack in a car
    assert await _current_state_mismatches(raw) == []
    assert len(await _relationships(raw, "INSIDE")) == 7
    await capture.execute(chain[8:])  # all taken apart, moved and consumed
    assert await _current_state_mismatches(raw) == []
    assert await _relationships(raw, "INSIDE") == []
    # Undo a transformation: its lots are voided and give up their identifiers; the black mass is back.
    await capture.execute(
        [Correct("fix", at(161), "site-refiner", "refiner", target_event_id="t-li", reason="assay was wrong")]
    )
    assert await _current_state_mismatches(raw) == []
    assert await neo4j.find_by_keys(["internal:LI2CO3-0001"]) == {}
    assert (await TraceQueries(neo4j).find("BM-0001")).status is Status.ACTIVE
    corrected = await _relationships(raw, "TRANSFORMED_INTO", "corrected")
    # black mass → lithium carbonate, nickel sulfate, residue; the 4 cells → black mass and aluminium stay
    assert (corrected.count(True), corrected.count(False)) == (3, 8)
    assert (await neo4j.get_events(["t-li"]))["t-li"].corrected_by == "fix"


async def _relationships(driver: AsyncDriver, rel: str, prop: str = "event_id") -> list[object]:
    records = (
        await driver.execute_query(f"MATCH ()-[r:{q.Rel(rel)}]->() RETURN r[$prop] AS v", prop=prop)
    ).records
    return [r["v"] for r in records]


async def _current_state_mismatches(driver: AsyncDriver) -> list[tuple[str, str]]:
    """Objects whose relationships or identifier nodes disagree with their properties."""
    rows = (
        await driver.execute_query("""
        MATCH (o:Object)
        RETURN o.id AS id, o.keys AS keys, o.holder_id AS holder, o.site_id AS site, o.parent_id AS parent,
               o.model_id AS model,
               [(i:Identifier)-[:IDENTIFIES]->(o) | i.key] AS identifiers,
               [(o)-[:HELD_BY]->(p:Party) | p.id] AS held_by, [(o)-[:AT]->(s:Site) | s.id] AS at,
               [(o)-[:INSIDE]->(c:Object) | c.id] AS inside, [(o)-[:OF_MODEL]->(m:Model) | m.id] AS of_model
        """)
    ).records
    assert rows
    out = []
    for r in rows:
        if sorted(r["identifiers"]) != sorted(r["keys"]):
            out.append((r["id"], "identifiers"))
        for field, rel in (
            ("holder", "held_by"),
            ("site", "at"),
            ("parent", "inside"),
            ("model", "of_model"),
        ):
            if r[rel] != ([r[field]] if r[field] is not None else []):
                out.append((r["id"], rel))
    return out


@pytest.mark.neo4j
async def test_no_query_draws_a_warning_from_the_server(raw: AsyncDriver) -> None:
    """Deprecated syntax, cartesian products, unplannable hints: the server says so in notifications, which this
    connection turns into Python warnings.  (Unknown labels and properties are left out: an empty graph has none.)"""
    store = await _connect(
        notifications_min_severity="INFORMATION",
        warn_notification_severity="INFORMATION",
        notifications_disabled_classifications=["UNRECOGNIZED"],
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await store.migrate()
            await store.wipe()
            await RegisterMasterData(store).execute(registration())
            await RegisterMasterData(store).execute(registration())  # replacing master data
            capture = CaptureEvents(store, clock=lambda: NOW)
            await capture.execute(battery_chain())
            await capture.execute(
                [Correct("fix", at(161), "site-refiner", "refiner", target_event_id="t-li", reason="assay")]
            )
            queries = TraceQueries(store)
            for direction in LineageDirection:
                await queries.lineage(vin(1), direction, 50)
            await queries.history(battery("C", 1))
            await queries.at_site("site-recycler", limit=2, after_id="0")
            await queries.site_flows("site-refiner", T0, T0 + timedelta(days=30))
            await store.counts()
            await store.get_licences(["recycler"])
            await store.children_of(["x"])
            # browsing and the event log (GraphQL listings and live feeds)
            await store.list_parties(
                PartyFilter(role=Role.RECYCLER, region_prefix="43", name_contains="r"), 5, "a"
            )
            await store.list_sites(SiteFilter(party_id="refiner", region_prefix="51", name_contains="y"), 5)
            await store.list_models(
                ModelFilter(producer_id="car-maker", stream=Stream.ELV, category="engine"), 5
            )
            pack = (await store.find_by_keys([f"gbt34014:{battery('P', 1)}"]))[f"gbt34014:{battery('P', 1)}"]
            for where in (
                EventFilter(),
                EventFilter(site_id="site-recycler", start=T0, end=at(200)),
                EventFilter(party_id="recycler", object_id=pack.id),
            ):
                await store.list_events(where, 5, EventKey(T0, "a"))
                await store.events_since(1, 5, where)
            await store.event_log_head()
        assert [str(w.message)[:300] for w in caught] == []
    finally:
        await store.close()


def test_lineage_depth_is_clamped_before_it_is_inlined() -> None:
    assert "*0..0]" in q.lineage(True, 1) and "*0..0]" in q.lineage(False, -5)
    assert f"*0..{q.MAX_DEPTH - 1}]" in q.lineage(True, 10_000)
    assert "<-[steps:" in q.lineage(False, 3) and "-[steps:" in q.lineage(True, 3)


def test_every_label_and_type_in_the_queries_comes_from_the_enums() -> None:
    with pytest.raises(KeyError):
        q.cypher("MATCH (n:%OBJEKT) RETURN n")
    assert (
        q.cypher("MATCH (n:%OBJECT)-[:%HELD_BY]->(p) RETURN p") == "MATCH (n:Object)-[:HELD_BY]->(p) RETURN p"
    )
