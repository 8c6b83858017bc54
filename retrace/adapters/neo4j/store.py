"""The production store: the platform's graph in Neo4j 5.26, through the official async driver.

Implements ``retrace.app.ports.GraphStore`` (semantics in its docstrings); the contract suite (``tests/contract``)
holds it to the same answers as the embedded store.  Every record is stored whole as the JSON of
``retrace.domain.codec`` in a ``json`` property, and read back from it; the other properties and the relationships
are there for the queries and for people exploring the graph in Neo4j Browser (``docs/graph-model.md``).

A ``commit`` is one explicit transaction (not a managed one: the driver retries those, and a retried half-failed
batch must not be written twice) of batched ``UNWIND`` statements, one per kind of write.  Optimistic concurrency:
the updated objects and the objects the rules only read (``ChangeSet.read_versions``) are write-locked first, and
only then are their versions read and compared (see ``queries.LOCK_OBJECTS`` for why the order matters, and why
objects that are only read are locked too).  Reads and master-data writes use managed transactions,
which the driver retries on transient errors; master-data writes are idempotent (MERGE and SET).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncSession,
    AsyncTransaction,
    Record,
    RoutingControl,
)
from neo4j.exceptions import GqlError, Neo4jError

from retrace.adapters.neo4j import queries as q
from retrace.adapters.neo4j.cancellation import finish_before_cancelling
from retrace.adapters.neo4j.migrations import apply_migrations
from retrace.app.ports import (
    DuplicateEventId,
    DuplicateKey,
    EventFilter,
    EventKey,
    FlowQuery,
    FlowRecordKey,
    FlowRecordQuery,
    FlowTotal,
    Lineage,
    LineageDirection,
    ModelFilter,
    PartyFilter,
    SiteFilter,
    StaleWrite,
)
from retrace.domain import codec
from retrace.domain import errors as codes
from retrace.domain.changes import ChangeSet, Direction, FlowRecord, LineageLink, RecordedEvent
from retrace.domain.errors import Conflict, StoreUnavailable, TraceError
from retrace.domain.model import (
    TERMINAL,
    Licence,
    ObjectKind,
    Party,
    ProductModel,
    Site,
    Status,
    TracedObject,
)
from retrace.domain.rates.aggregates import FlowAggregate, aggregate, row_to_aggregate, sort_key
from retrace.domain.rates.materials import TRACKED_ELEMENTS

CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed"
# Two writers waiting on each other's locks: Neo4j aborts one.  That writer lost a race, like a stale version.
LOST_RACE = frozenset(
    {
        "Neo.TransientError.Transaction.DeadlockDetected",
        "Neo.TransientError.Transaction.LockAcquisitionTimeout",
    }
)
LIVE_STATUSES = tuple(s.value for s in Status if s not in TERMINAL and s is not Status.IN_TRANSIT)
WIPE_BATCH_SIZE = 10_000
# The steps of one ``commit``, in order (``_Commit.run``, then the COMMIT itself): what
# ``Neo4jStore.before_commit_step`` is called with.
COMMIT_STEPS = (
    "lock_and_check",
    "write_events",
    "write_objects",
    "write_relationships",
    "write_corrections",
    "assign_log_positions",
    "commit",
)
CommitStepHook = Callable[[str], Awaitable[None]]

# Fail in seconds, not minutes, when the server is gone: a scanner in a yard is waiting for the answer.
DRIVER_DEFAULTS: dict[str, Any] = {
    "connection_timeout": 10.0,
    "max_transaction_retry_time": 5.0,
    "notifications_min_severity": "OFF",  # queries are checked for warnings in the tests, not in production
    "user_agent": "retrace",
}


class Neo4jStore:
    """``GraphStore`` on a Neo4j database.  Open with ``connect``; ``migrate`` once before first use."""

    def __init__(self, driver: AsyncDriver, database: str = "neo4j", uri: str = "") -> None:
        self._driver = driver
        self._database = database
        self._uri = uri
        self._closed = False
        # A test seam, None in production: awaited with each name of ``COMMIT_STEPS`` as a commit reaches it, inside
        # the real transaction, so a test can make the database go away at a chosen point of a batch.
        self.before_commit_step: CommitStepHook | None = None

    @classmethod
    async def connect(
        cls, uri: str, auth: tuple[str, str] | None = None, database: str = "neo4j", **driver_config: Any
    ) -> Neo4jStore:
        """Open a driver on ``uri`` and check that ``database`` answers; ``StoreUnavailable`` if not.

        ``driver_config`` goes to ``AsyncGraphDatabase.driver`` over ``DRIVER_DEFAULTS``."""
        try:
            driver = AsyncGraphDatabase.driver(uri, auth=auth, **{**DRIVER_DEFAULTS, **driver_config})
        except (GqlError, ValueError) as e:  # a malformed URI or option
            raise StoreUnavailable(
                f"cannot use Neo4j at {uri!r}: {e}",
                message_zh=f"无法连接 Neo4j：{uri}",
                details={"store": "neo4j"},
            ) from e
        store = cls(driver, database, uri)
        try:
            await store.ping()
        except BaseException:
            await driver.close()
            raise
        return store

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def close(self) -> None:
        self._closed = True
        await self._driver.close()

    async def ping(self) -> None:
        # Not through a managed transaction: those retry for ``max_transaction_retry_time``, and a health check
        # (or ``connect``) should say at once that the server is not there.
        await finish_before_cancelling(self._ping())

    async def _ping(self) -> None:
        async with self._guard("answering a ping"), self._session() as session:
            await (await session.run(q.PING)).consume()

    async def migrate(self, directory: Path | None = None) -> list[str]:
        """Apply the schema migrations not yet applied (``graph_schema/migrations``); return their versions."""
        async with self._guard("migrating the schema"):
            return await apply_migrations(self._driver, self._database, directory)

    async def wipe(self) -> None:
        """Delete every node but the migration records, in batches; constraints and indexes stay (for tests).

        The store is then as a fresh database is after ``migrate``.  That includes the event log's ``:EventLog``
        node: no migration makes it (the first commit that records an event MERGEs it), so it goes too, and the log
        starts again at position 1, as in a new embedded store.  Kept, it would hand out positions after events
        that no longer exist."""
        for statement in q.WIPE:
            async with self._guard("wiping the graph"), self._session() as session:
                await (await session.run(statement, batch=WIPE_BATCH_SIZE)).consume()

    # -- registry --------------------------------------------------------------------------------------------

    async def save_parties(self, parties: Sequence[Party]) -> None:
        rows = [{"id": p.id, "props": _party_props(p)} for p in parties]
        await self._write(
            "saving parties",
            (q.SAVE_PARTIES, {"rows": rows}),
            (q.CONNECT_PARTIES, {"ids": [p.id for p in parties]}),
        )

    async def save_licences(self, licences: Sequence[Licence]) -> None:
        rows = [
            {"key": lic.number, "party_id": lic.party_id, "props": _licence_props(lic)} for lic in licences
        ]
        await self._write("saving licences", (q.SAVE_LICENCES, {"rows": rows}))

    async def save_sites(self, sites: Sequence[Site]) -> None:
        rows = [{"key": s.id, "party_id": s.party_id, "props": _site_props(s)} for s in sites]
        await self._write("saving sites", (q.SAVE_SITES, {"rows": rows}))

    async def save_models(self, models: Sequence[ProductModel]) -> None:
        rows = [{"key": m.id, "party_id": m.producer_id, "props": _model_props(m)} for m in models]
        await self._write("saving product models", (q.SAVE_MODELS, {"rows": rows}))

    async def get_parties(self, ids: Sequence[str]) -> dict[str, Party]:
        parties = [
            codec.party_from_dict(_json(r))
            for r in await self._read(q.GET_PARTIES, "reading parties", ids=list(ids))
        ]
        return {p.id: p for p in parties}

    async def get_licences(self, party_ids: Sequence[str]) -> dict[str, list[Licence]]:
        out: dict[str, list[Licence]] = {}
        for record in await self._read(
            q.GET_LICENCES, "reading licences", ids=list(dict.fromkeys(party_ids))
        ):
            licence = codec.licence_from_dict(_json(record))
            out.setdefault(licence.party_id, []).append(licence)
        for licences in out.values():
            licences.sort(key=lambda lic: lic.number)
        return out

    async def get_sites(self, ids: Sequence[str]) -> dict[str, Site]:
        sites = [
            codec.site_from_dict(_json(r))
            for r in await self._read(q.GET_SITES, "reading sites", ids=list(ids))
        ]
        return {s.id: s for s in sites}

    async def get_models(self, ids: Sequence[str]) -> dict[str, ProductModel]:
        models = [
            codec.model_from_dict(_json(r))
            for r in await self._read(q.GET_MODELS, "reading product models", ids=list(ids))
        ]
        return {m.id: m for m in models}

    # -- capture ---------------------------------------------------------------------------------------------

    async def get_events(self, event_ids: Sequence[str]) -> dict[str, RecordedEvent]:
        records = [
            codec.record_from_dict(_json(r))
            for r in await self._read(q.GET_EVENTS, "reading events", ids=list(event_ids))
        ]
        return {r.event_id: r for r in records}

    async def find_by_keys(self, keys: Sequence[str]) -> dict[str, TracedObject]:
        found = await self._read(
            q.FIND_BY_KEYS, "finding objects by identifier", keys=list(dict.fromkeys(keys))
        )
        return {r["key"]: codec.object_from_dict(_json(r)) for r in found}

    async def get_objects(self, ids: Sequence[str]) -> dict[str, TracedObject]:
        objects = [
            codec.object_from_dict(_json(r))
            for r in await self._read(q.GET_OBJECTS, "reading objects", ids=list(ids))
        ]
        return {o.id: o for o in objects}

    async def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in await self._read(
            q.CHILDREN_OF, "reading container contents", ids=list(dict.fromkeys(parent_ids))
        ):
            out.setdefault(r["parent_id"], []).append(r["child_id"])
        return out

    async def commit(self, changes: ChangeSet) -> None:
        if changes.empty:
            return
        await finish_before_cancelling(self._commit(changes))

    async def _commit(self, changes: ChangeSet) -> None:
        action = "committing a batch"
        async with self._guard(action), self._session() as session:
            tx = await session.begin_transaction()
            try:
                await _Commit(tx, changes, self.before_commit_step).run()
                try:
                    await tx.commit()
                except Neo4jError:
                    raise  # the server answered: it refused the commit and rolled the transaction back
                except (GqlError, OSError) as e:
                    # The connection failed after COMMIT was sent (or while sending it): the server may have
                    # committed.  Only a resend can tell, and a resend is safe (replays are answered, not stored).
                    raise self._unavailable(action, e, outcome_known=False) from e
            finally:
                # Rolls back unless committed; a dead connection has nothing left to roll back.
                with contextlib.suppress(GqlError, OSError):
                    await tx.close()

    # -- queries ---------------------------------------------------------------------------------------------

    async def history(self, object_id: str) -> list[RecordedEvent]:
        return [
            codec.record_from_dict(_json(r))
            for r in await self._read(q.HISTORY, "reading history", id=object_id)
        ]

    async def lineage(self, object_id: str, direction: LineageDirection, depth: int) -> Lineage | None:
        if depth < 1:  # no link to follow (the use case never asks this; answered as the embedded store does)
            found = await self.get_objects([object_id])
            root = found.get(object_id)
            return Lineage(root=root, objects=[root], links=[]) if root else None
        downstream = LineageDirection(direction) is LineageDirection.DOWNSTREAM
        rows = await self._read(q.lineage(downstream, depth), "reading lineage", id=object_id)
        if not rows:
            return None
        objects: dict[str, TracedObject] = {}
        links: dict[tuple[str, str, str, str], LineageLink] = {}
        for row in rows:
            for side in ("a", "b"):
                text = row[f"{side}_json"]
                if text is not None and row[f"{side}_id"] not in objects:
                    objects[row[f"{side}_id"]] = codec.object_from_dict(json.loads(text))
            if row["type"] is not None:
                a, b = row["a_id"], row["b_id"]
                from_id, to_id = (a, b) if downstream else (b, a)
                link = LineageLink(from_id, to_id, q.REL_LINK[row["type"]], row["event_id"], row["mass_g"])
                links[(from_id, to_id, link.event_id, link.kind.value)] = link
        return Lineage(
            root=objects[object_id],
            objects=[objects[k] for k in sorted(objects)],
            links=[links[k] for k in sorted(links)],
        )

    async def objects_at_site(
        self, site_id: str, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        rows = await self._read(
            q.OBJECTS_AT_SITE,
            "reading a site's inventory",
            site_id=site_id,
            after_id=after_id or "",
            limit=max(limit, 0),
        )
        return [codec.object_from_dict(_json(r)) for r in rows]

    async def commissioned(
        self, party_id: str, start: datetime, end: datetime, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        rows = await self._read(
            q.COMMISSIONED,
            "listing a party's commissioned items",
            party_id=party_id,
            start=_utc(start),
            end=_utc(end),
            after_id=after_id or "",
            limit=max(limit, 0),
        )
        return [codec.object_from_dict(_json(r)) for r in rows]

    async def site_flows(self, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
        rows = await self._read(
            q.SITE_FLOWS, "summing a site's flows", site_id=site_id, start=_utc(start), end=_utc(end)
        )
        totals = [
            FlowTotal(Direction(r["direction"]), r["material"], r["fate"], r["mass_g"], r["count"])
            for r in rows
            if r["mass_g"] != 0
        ]
        # None (no fate) sorts before every fate, as NULL does in SQL.
        return sorted(totals, key=lambda t: (t.direction.value, t.material, t.fate is not None, t.fate or ""))

    async def flow_aggregates(self, query: FlowQuery) -> list[FlowAggregate]:
        def listed(values: Sequence[str] | None) -> list[str] | None:
            return None if values is None else list(values)

        rows = await self._read(
            q.flow_aggregates(query.by_month),
            "summing flow aggregates",
            start=query.start_month,
            end=query.end_month,
            site_ids=listed(query.site_ids),
            party_ids=listed(query.party_ids),
            model_ids=listed(query.model_ids),
            streams=listed(None if query.streams is None else [s.value for s in query.streams]),
            directions=listed(None if query.directions is None else [d.value for d in query.directions]),
        )
        out = []
        for r in rows:
            dims = {name: r[name] for name in q.AGGREGATE_DIMENSIONS}
            if query.by_month:
                dims["month"] = r["month"]
            elements = [r[f"el_{e}"] for e in TRACKED_ELEMENTS]
            out.append(row_to_aggregate(dims, r["mass_g"], r["count"], r["value_cny"], elements))
        return sorted(out, key=sort_key)

    async def flow_records(
        self, query: FlowRecordQuery, limit: int, after: FlowRecordKey | None = None
    ) -> list[FlowRecord]:
        rows = await self._read(
            q.FLOW_RECORDS,
            "listing flow records",
            site_id=query.site_id,
            start=_utc(query.start),
            end=_utc(query.end),
            direction=query.direction.value if query.direction else None,
            stream=query.stream.value if query.stream else None,
            material=query.material,
            fate=query.fate,
            stage=query.stage,
            model_id=query.model_id,
            origin_site_id=query.origin_site_id,
            after_time=_utc(after.event_time) if after else None,
            after_event=after.event_id if after else None,
            after_object=after.object_id if after else None,
            after_direction=after.direction.value if after else None,
            after_stream=after.stream if after else None,
            limit=max(limit, 0),
        )
        return [_flow_from_props(dict(r["props"])) for r in rows]

    async def counts(self) -> dict[str, int]:
        (record,) = await self._read(q.COUNTS, "counting")
        return {key: int(record[key]) for key in ("objects", "events", "parties", "sites")}

    # -- browsing and the event log ----------------------------------------------------------------------------

    async def list_parties(self, where: PartyFilter, limit: int, after_id: str | None = None) -> list[Party]:
        rows = await self._read(
            q.LIST_PARTIES,
            "listing parties",
            after_id=after_id or "",
            role=where.role.value if where.role else None,
            region_prefix=where.region_prefix,
            name=_ascii_lower(where.name_contains),
            limit=max(limit, 0),
        )
        return [codec.party_from_dict(_json(r)) for r in rows]

    async def list_sites(self, where: SiteFilter, limit: int, after_id: str | None = None) -> list[Site]:
        rows = await self._read(
            q.LIST_SITES,
            "listing sites",
            after_id=after_id or "",
            party_id=where.party_id,
            region_prefix=where.region_prefix,
            name=_ascii_lower(where.name_contains),
            limit=max(limit, 0),
        )
        return [codec.site_from_dict(_json(r)) for r in rows]

    async def list_models(
        self, where: ModelFilter, limit: int, after_id: str | None = None
    ) -> list[ProductModel]:
        rows = await self._read(
            q.LIST_MODELS,
            "listing product models",
            after_id=after_id or "",
            producer_id=where.producer_id,
            stream=where.stream.value if where.stream else None,
            category=where.category,
            limit=max(limit, 0),
        )
        return [codec.model_from_dict(_json(r)) for r in rows]

    async def list_events(
        self, where: EventFilter, limit: int, after: EventKey | None = None
    ) -> list[RecordedEvent]:
        clauses, params = _event_filter(where)
        if after is not None:
            clauses.append("after")
            params.update(after_time=_utc(after.event_time), after_id=after.event_id)
        query = q.list_events(where.object_id is not None, clauses)
        rows = await self._read(query, "listing events", limit=max(limit, 0), **params)
        return [codec.record_from_dict(_json(r)) for r in rows]

    async def event_log_head(self) -> int:
        (record,) = await self._read(q.EVENT_LOG_HEAD, "reading the event log")
        return int(record["head"])

    async def events_since(
        self, position: int, limit: int, where: EventFilter | None = None
    ) -> list[tuple[int, RecordedEvent]]:
        clauses, params = _event_filter(where or EventFilter())
        query = q.events_since(where is not None and where.object_id is not None, [*clauses, "position"])
        rows = await self._read(
            query, "reading the event log", position=position, limit=max(limit, 0), **params
        )
        return [(int(r["seq"]), codec.record_from_dict(_json(r))) for r in rows]

    # -- plumbing --------------------------------------------------------------------------------------------

    def _session(self) -> AsyncSession:
        # The bookmark manager execute_query uses, so reads after a commit see it also on a cluster.
        return self._driver.session(
            database=self._database, bookmark_manager=self._driver.execute_query_bookmark_manager
        )

    @contextlib.asynccontextmanager
    async def _guard(self, action: str) -> AsyncIterator[None]:
        """Turn every failure of the driver or the server into the domain's errors, ``from`` the original."""
        if self._closed:
            raise StoreUnavailable(
                f"the Neo4j store was closed before {action}",
                message_zh="图数据库连接已关闭",
                details={"store": "neo4j"},
            )
        try:
            yield
        except TraceError:
            raise
        except Neo4jError as e:
            if e.code in LOST_RACE:
                raise StaleWrite(
                    f"another writer holds the same objects ({e.code})",
                    message_zh="其他设备同时修改了相同物品",
                ) from e
            raise self._unavailable(action, e) from e
        except (GqlError, OSError) as e:
            raise self._unavailable(action, e) from e

    def _unavailable(self, action: str, error: Exception, *, outcome_known: bool = True) -> StoreUnavailable:
        """``outcome_known``: False when the failure came at or after COMMIT, so the batch may have been stored."""
        where = f"Neo4j at {self._uri or 'the configured URI'} failed while {action}"
        cause = f"({type(error).__name__}: {error})"
        if outcome_known:
            return StoreUnavailable(
                f"{where}; nothing was stored {cause}",
                message_zh="图数据库（Neo4j）不可用，本次未保存任何数据",
                details={"store": "neo4j"},
            )
        return StoreUnavailable(
            f"{where}, after the batch was sent for commit: the outcome is unknown; resend the same batch "
            f"(replays are safe: what was stored is answered as replayed, the rest is stored) {cause}",
            message_zh="图数据库（Neo4j）在提交时断开，无法确定本批是否已保存；请原样重发本批（重复发送是安全的）",
            details={"store": "neo4j", "outcome": "unknown"},
        )

    async def _read(self, query: str, action: str, **params: Any) -> list[Record]:
        async def work() -> list[Record]:
            async with self._guard(action):
                result = await self._driver.execute_query(
                    query, params, routing_=RoutingControl.READ, database_=self._database
                )
            return list(result.records)

        return await finish_before_cancelling(work())

    async def _write(self, action: str, *statements: tuple[str, dict[str, Any]]) -> None:
        """Run ``statements`` in one managed transaction (retried by the driver: they must be idempotent)."""

        async def work(tx: AsyncManagedTransaction) -> None:
            for query, params in statements:
                await (await tx.run(query, params)).consume()

        async def write() -> None:
            async with self._guard(action), self._session() as session:
                await session.execute_write(work)

        await finish_before_cancelling(write())


class _Commit:
    """The statements of one ``commit``, in order, inside the caller's transaction."""

    def __init__(
        self, tx: AsyncTransaction, changes: ChangeSet, before_step: CommitStepHook | None = None
    ) -> None:
        self.tx = tx
        self.before_step = before_step
        self.changes = changes
        self.updates = sorted(changes.updates, key=lambda u: u.object.id)
        self.corrections = dict(changes.corrections)  # target event id → correcting event id
        in_batch = {r.event_id for r in changes.records}
        self.stored_targets = sorted(t for t in self.corrections if t not in in_batch)
        self.state: dict[str, Record] = {}
        self.target_json: dict[str, str] = {}

    async def run(self) -> None:
        """Every step but the COMMIT, which the caller sends; the hook hears of that one too, last."""
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("lock_and_check", self.lock_and_check),
            ("write_events", self.write_events),
            ("write_objects", self.write_objects),
            ("write_relationships", self.write_relationships),
            ("write_corrections", self.write_corrections),
            ("assign_log_positions", self.assign_log_positions),
        ]
        for name, step in steps:
            await self.reached(name)
            await step()
        await self.reached("commit")

    async def reached(self, step: str) -> None:
        if self.before_step is not None:
            await self.before_step(step)

    async def statement(
        self, query: str, duplicate: type[Conflict] | None = None, **params: Any
    ) -> list[Record]:
        try:
            result = await self.tx.run(query, params)
            return [record async for record in result]
        except Neo4jError as e:
            if e.code == CONSTRAINT_FAILED and duplicate is not None:
                raise _duplicate(e, duplicate) from e
            raise

    async def lock_and_check(self) -> None:
        expected = {**self.changes.read_versions, **{u.object.id: u.expected_version for u in self.updates}}
        # One sorted list of changed and read objects: two writers lock the nodes they share in the same order.
        ids = sorted(expected)
        if ids:
            await self.statement(q.LOCK_OBJECTS, ids=ids)
        if self.stored_targets:
            await self.statement(q.LOCK_EVENTS, ids=self.stored_targets)
        # Only now, holding the locks, is what we read the latest committed state.
        if ids:
            self.state = {r["id"]: r for r in await self.statement(q.READ_OBJECT_STATE, ids=ids)}
        for object_id in ids:
            found = self.state.get(object_id)
            if found is None or found["version"] != expected[object_id]:
                raise StaleWrite(
                    f"object {object_id} is at version {found['version'] if found else None}, "
                    f"not {expected[object_id]}: another writer changed it",
                    message_zh="其他设备同时修改了相同物品",
                    details={"object_id": object_id},
                )
        if self.stored_targets:
            rows = {
                r["id"]: r for r in await self.statement(q.READ_CORRECTION_TARGETS, ids=self.stored_targets)
            }
            for target in self.stored_targets:
                row = rows.get(target)
                if row is None or row["corrected_by"] is not None:
                    raise StaleWrite(
                        f"event {target} was corrected by another writer",
                        message_zh="该事件已被其他设备更正",
                        details={"event_id": target},
                    )
                data = json.loads(row["json"])
                data["corrected_by"] = self.corrections[target]
                self.target_json[target] = codec.dumps(data)

    async def write_events(self) -> None:
        rows = []
        for record in self.changes.records:
            by = self.corrections.get(record.event_id)
            if by is not None:  # corrected in the batch that recorded it
                record = dataclasses.replace(record, corrected_by=by)
            row = _event_row(record)
            if by is not None:
                self.target_json[record.event_id] = row["props"]["json"]
            rows.append(row)
        await self.statement(q.CREATE_EVENTS, DuplicateEventId, rows=rows)

    async def write_objects(self) -> None:
        drops: list[dict[str, str]] = []
        adds: list[dict[str, str]] = []
        for update in self.updates:
            old = set(self.state[update.object.id]["keys"] or ())
            drops += [
                {"key": k, "object_id": update.object.id} for k in sorted(old - set(update.object.keys))
            ]
            adds += [{"key": k, "object_id": update.object.id} for k in update.object.keys if k not in old]
        # Keys given up first: a batch may void an object and give its identifier to a new one.
        if drops:
            await self.statement(q.DROP_IDENTIFIERS, rows=drops)
        for kind in ObjectKind:
            rows = [_object_row(o) for o in self.changes.new_objects if o.kind is kind]
            if rows:
                # Object ids derive from event ids: a taken one means the event was stored by someone else.
                await self.statement(q.CREATE_OBJECTS[kind], DuplicateEventId, rows=rows)
        if self.updates:
            await self.statement(q.UPDATE_OBJECTS, rows=[_object_row(u.object) for u in self.updates])
        adds = [{"key": k, "object_id": o.id} for o in self.changes.new_objects for k in o.keys] + adds
        if adds:
            await self.statement(q.ADD_IDENTIFIERS, DuplicateKey, rows=adds)

    async def write_relationships(self) -> None:
        for rel, _, field in q.CURRENT_STATE:
            rows = [
                {"id": o.id, "target": getattr(o, field)}
                for o in self.changes.new_objects
                if getattr(o, field) is not None
            ]
            rows += [
                {"id": u.object.id, "target": getattr(u.object, field)}
                for u in self.updates
                if getattr(u.object, field) != self.state[u.object.id][field]
            ]
            if rows:
                await self.statement(q.RELINK[rel], rows=rows)
        touched = [
            {"event_id": r.event_id, "object_id": oid, "role": role}
            for r in self.changes.records
            for oid, role in r.object_roles
        ]
        if touched:
            await self.statement(q.TOUCH_OBJECTS, rows=touched)
        for kind, query in q.CREATE_LINKS.items():
            rows = [
                {"from_id": lk.from_id, "to_id": lk.to_id, "event_id": lk.event_id, "mass_g": lk.mass_g}
                for lk in self.changes.links
                if lk.kind is kind
            ]
            if rows:
                await self.statement(query, rows=rows)
        if self.changes.flows:
            await self.statement(q.CREATE_FLOWS, rows=[_flow_row(f) for f in self.changes.flows])
            # The aggregates move with the records, in the same transaction.  A concurrent first MERGE of the same
            # key that still collides is a lost race: the use case re-reads and tries again.
            await self.statement(
                q.ADD_FLOW_AGGREGATES, DuplicateEventId, rows=_aggregate_rows(self.changes.flows)
            )

    async def write_corrections(self) -> None:
        rows = [
            {"target": target, "by": by, "json": self.target_json[target]}
            for target, by in self.corrections.items()
        ]
        if rows:
            await self.statement(q.MARK_CORRECTED, rows=rows)

    async def assign_log_positions(self) -> None:
        # Last: the event log's lock is held from here to the end of the commit (queries.ASSIGN_LOG_POSITIONS).
        await self.statement(q.ASSIGN_LOG_POSITIONS, ids=[r.event_id for r in self.changes.records])


def _event_filter(where: EventFilter) -> tuple[list[str], dict[str, Any]]:
    """The clauses (names in ``queries._EVENT_CLAUSES``) and parameters of a filter on events."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for name in ("site_id", "party_id"):
        value = getattr(where, name)
        if value is not None:
            clauses.append(name)
            params[name] = value
    for name in ("start", "end"):
        moment = getattr(where, name)
        if moment is not None:
            clauses.append(name)
            params[name] = _utc(moment)
    if where.types is not None:
        clauses.append("types")
        params["types"] = sorted(where.types)
    if where.object_id is not None:
        params["object_id"] = where.object_id
    return clauses, params


def _ascii_lower(text: str | None) -> str | None:
    """Lower case for ASCII letters only: what the embedded store's LIKE ignores, so both stores match alike."""
    if text is None:
        return None
    return text.translate({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})


def _duplicate(error: Neo4jError, default: type[Conflict]) -> Conflict:
    """Which key a ConstraintValidationFailed was about, from the label the server names."""
    message = error.message or ""
    kind: type[Conflict] = default
    if f"`{q.Label.IDENTIFIER}`" in message:
        kind = DuplicateKey
    elif f"`{q.Label.EVENT}`" in message or f"`{q.Label.OBJECT}`" in message:
        kind = DuplicateEventId
    if kind is DuplicateKey:
        return DuplicateKey(
            "an identifier in this batch was just taken by another writer",
            code=codes.IDENTIFIER_TAKEN,
            message_zh="标识已被其他设备同时使用",
        )
    return DuplicateEventId(
        "an event of this batch was just stored by another writer",
        code=codes.EVENT_ID_CONFLICT,
        message_zh="相同事件已被其他设备同时记录",
    )


# -- rows: domain records as statement parameters -------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """Instants go to Neo4j in UTC so that comparing and ordering them is comparing instants."""
    return moment.astimezone(UTC)


def _json(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record["json"])
    return data


def _object_row(obj: TracedObject) -> dict[str, Any]:
    data = codec.object_to_dict(obj)
    # A map is not a property value: an assay (composition_g) and a stream mix are in the JSON only.
    props = {k: v for k, v in data.items() if k not in ("identifiers", "composition_g", "stream_mix")}
    props["created_at"] = _utc(obj.created_at)
    # What Neo4j Browser shows on the node: the first identifier as given.
    props["name"] = obj.identifiers[0][1] if obj.identifiers else obj.id
    # Only a live object has it (None removes it): the index of migration V0006 then holds the yards' inventories.
    props["live_site_id"] = obj.site_id if obj.status.value in LIVE_STATUSES else None
    props["json"] = codec.dumps(data)
    return {"id": obj.id, "props": props}


def _event_row(record: RecordedEvent) -> dict[str, Any]:
    event = record.event
    props = {
        "type": event.type,
        "name": event.type,
        "event_time_utc": _utc(event.event_time),
        "recorded_at": _utc(record.recorded_at),
        "site_id": event.site_id,
        "party_id": event.party_id,
        "fingerprint": record.fingerprint,
        "corrected_by": record.corrected_by,
        "json": codec.dumps(codec.record_to_dict(record)),
    }
    return {"id": event.event_id, "site_id": event.site_id, "party_id": event.party_id, "props": props}


def _flow_row(flow: FlowRecord) -> dict[str, Any]:
    props = codec.flow_to_dict(flow)
    del props["event_time"]
    props["event_time_utc"] = _utc(flow.event_time)
    # A map is not a property value: the element content travels as JSON text.
    props["elements_g"] = codec.dumps(props["elements_g"]) if flow.elements_g else None
    return {"event_id": flow.event_id, "props": props}


def _flow_from_props(props: dict[str, Any]) -> FlowRecord:
    data = dict(props)
    data["event_time"] = data.pop("event_time_utc").to_native().isoformat()
    data["elements_g"] = json.loads(data["elements_g"]) if data.get("elements_g") else {}
    for name in ("fate", "stage", "model_id", "origin_site_id", "origin_at", "prior_fate", "counterparty_id"):
        data.setdefault(name, None)
    return codec.flow_from_dict(data)


def _aggregate_rows(flows: Sequence[FlowRecord]) -> list[dict[str, Any]]:
    rows = []
    for key, sums in aggregate(flows):
        row: dict[str, Any] = {"key": key.text, "dims": key.as_dict()}
        row.update(mass_g=sums.mass_g, count=sums.count, value_cny=sums.value_cny)
        row.update({f"el_{e}": g for e, g in zip(TRACKED_ELEMENTS, sums.elements, strict=True)})
        rows.append(row)
    return rows


def _party_props(party: Party) -> dict[str, Any]:
    data = codec.party_to_dict(party)
    return {**data, "json": codec.dumps(data)}


def _licence_props(licence: Licence) -> dict[str, Any]:
    data = codec.licence_to_dict(licence)
    return {**data, "valid_from": licence.valid_from, "valid_to": licence.valid_to, "json": codec.dumps(data)}


def _site_props(site: Site) -> dict[str, Any]:
    data = codec.site_to_dict(site)
    return {**data, "json": codec.dumps(data)}


def _model_props(model: ProductModel) -> dict[str, Any]:
    data = codec.model_to_dict(model)
    # A map cannot be a property value; the composition is in the JSON only.
    props = {k: v for k, v in data.items() if k != "composition_g"}
    return {**props, "json": codec.dumps(data)}
