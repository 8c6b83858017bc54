"""``SqliteStore``: the ``GraphStore`` port on one SQLite file (write-ahead log, durable commits).

Two connections, each on its own thread: one writes (every write takes SQLite's write lock with
``BEGIN IMMEDIATE``, so several API worker processes sharing the file take turns and version checks hold), one
reads (in WAL mode a read never waits for a write).  Nothing here blocks the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path

from retrace.adapters.sqlite import browse, flowstats, reads, writes
from retrace.adapters.sqlite import lineage as lineage_query
from retrace.adapters.sqlite.schema import BUSY_TIMEOUT_S, prepare_reader, prepare_writer
from retrace.adapters.sqlite.worker import Worker
from retrace.app.ports import (
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
)
from retrace.domain.changes import ChangeSet, FlowRecord, RecordedEvent
from retrace.domain.model import Licence, Party, ProductModel, Site, TracedObject
from retrace.domain.rates.aggregates import FlowAggregate


class SqliteStore:
    """Open with ``await SqliteStore.open(path)``; the file and its folder are created if missing."""

    def __init__(self, path: Path, writer: Worker, reader: Worker) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        # A test seam, None in production: see ``writes.CommitStepHook``.
        self.before_commit_step: writes.CommitStepHook | None = None

    @classmethod
    async def open(
        cls, path: str | os.PathLike[str], *, busy_timeout_s: float = BUSY_TIMEOUT_S
    ) -> SqliteStore:
        """``busy_timeout_s``: how long a write waits for another process's write lock before the store reports
        itself unavailable."""
        file = _absolute(path)
        writer = Worker(file, "sqlite-writer")
        reader = Worker(file, "sqlite-reader")
        try:
            # The writer creates the schema before the reader checks it.
            await writer.open(partial(prepare_writer, busy_timeout_s=busy_timeout_s), create_folder=True)
            await reader.open(partial(prepare_reader, busy_timeout_s=busy_timeout_s), create_folder=False)
        except BaseException:
            await reader.close()
            await writer.close()
            raise
        return cls(file, writer, reader)

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def close(self) -> None:
        try:
            await self._reader.close()
        finally:
            await self._writer.close()

    async def ping(self) -> None:
        await self._reader.read(lambda conn: conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall())
        await self._reader.check()

    # -- registry --------------------------------------------------------------------------------------------

    async def save_parties(self, parties: Sequence[Party]) -> None:
        await self._writer.write(partial(writes.save_parties, parties=list(parties)))

    async def save_licences(self, licences: Sequence[Licence]) -> None:
        await self._writer.write(partial(writes.save_licences, licences=list(licences)))

    async def save_sites(self, sites: Sequence[Site]) -> None:
        await self._writer.write(partial(writes.save_sites, sites=list(sites)))

    async def save_models(self, models: Sequence[ProductModel]) -> None:
        await self._writer.write(partial(writes.save_models, models=list(models)))

    async def get_parties(self, ids: Sequence[str]) -> dict[str, Party]:
        return await self._reader.read(partial(reads.get_parties, ids=list(ids)))

    async def get_licences(self, party_ids: Sequence[str]) -> dict[str, list[Licence]]:
        return await self._reader.read(partial(reads.get_licences, party_ids=list(party_ids)))

    async def get_sites(self, ids: Sequence[str]) -> dict[str, Site]:
        return await self._reader.read(partial(reads.get_sites, ids=list(ids)))

    async def get_models(self, ids: Sequence[str]) -> dict[str, ProductModel]:
        return await self._reader.read(partial(reads.get_models, ids=list(ids)))

    # -- capture ---------------------------------------------------------------------------------------------

    async def get_events(self, event_ids: Sequence[str]) -> dict[str, RecordedEvent]:
        return await self._reader.read(partial(reads.get_events, ids=list(event_ids)))

    async def find_by_keys(self, keys: Sequence[str]) -> dict[str, TracedObject]:
        return await self._reader.read(partial(reads.find_by_keys, keys=list(keys)))

    async def get_objects(self, ids: Sequence[str]) -> dict[str, TracedObject]:
        return await self._reader.read(partial(reads.get_objects, ids=list(ids)))

    async def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[str]]:
        return await self._reader.read(partial(reads.children_of, parent_ids=list(parent_ids)))

    async def commit(self, changes: ChangeSet) -> None:
        await self._writer.write(partial(writes.commit, changes=changes, before_step=self.before_commit_step))

    # -- queries ---------------------------------------------------------------------------------------------

    async def history(self, object_id: str) -> list[RecordedEvent]:
        return await self._reader.read(partial(reads.history, object_id=object_id))

    async def lineage(self, object_id: str, direction: LineageDirection, depth: int) -> Lineage | None:
        return await self._reader.read(
            partial(lineage_query.lineage, object_id=object_id, direction=direction, depth=depth)
        )

    async def objects_at_site(
        self, site_id: str, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        return await self._reader.read(
            partial(reads.objects_at_site, site_id=site_id, limit=limit, after_id=after_id)
        )

    async def commissioned(
        self, party_id: str, start: datetime, end: datetime, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        return await self._reader.read(
            partial(
                reads.commissioned, party_id=party_id, start=start, end=end, limit=limit, after_id=after_id
            )
        )

    async def site_flows(self, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
        return await self._reader.read(partial(reads.site_flows, site_id=site_id, start=start, end=end))

    async def counts(self) -> dict[str, int]:
        return await self._reader.read(reads.counts)

    # -- recovery reports ----------------------------------------------------------------------------------------

    async def flow_aggregates(self, query: FlowQuery) -> list[FlowAggregate]:
        return await self._reader.read(partial(flowstats.flow_aggregates, query=query))

    async def flow_records(
        self, query: FlowRecordQuery, limit: int, after: FlowRecordKey | None = None
    ) -> list[FlowRecord]:
        return await self._reader.read(partial(flowstats.flow_records, query=query, limit=limit, after=after))

    # -- browsing and the event log ----------------------------------------------------------------------------

    async def list_parties(self, where: PartyFilter, limit: int, after_id: str | None = None) -> list[Party]:
        return await self._reader.read(
            partial(browse.list_parties, where=where, limit=limit, after_id=after_id)
        )

    async def list_sites(self, where: SiteFilter, limit: int, after_id: str | None = None) -> list[Site]:
        return await self._reader.read(
            partial(browse.list_sites, where=where, limit=limit, after_id=after_id)
        )

    async def list_models(
        self, where: ModelFilter, limit: int, after_id: str | None = None
    ) -> list[ProductModel]:
        return await self._reader.read(
            partial(browse.list_models, where=where, limit=limit, after_id=after_id)
        )

    async def list_events(
        self, where: EventFilter, limit: int, after: EventKey | None = None
    ) -> list[RecordedEvent]:
        return await self._reader.read(partial(browse.list_events, where=where, limit=limit, after=after))

    async def event_log_head(self) -> int:
        return await self._reader.read(browse.event_log_head)

    async def events_since(
        self, position: int, limit: int, where: EventFilter | None = None
    ) -> list[tuple[int, RecordedEvent]]:
        return await self._reader.read(
            partial(browse.events_since, position=position, limit=limit, where=where)
        )


def _absolute(path: str | os.PathLike[str]) -> Path:
    # Fixed once at open: a later change of working directory must not point the store at another file.
    return Path(path).expanduser().absolute()
