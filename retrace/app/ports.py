"""The ports the use cases depend on.  Adapters implement them; nothing here knows Cypher, SQL or HTTP.

``GraphStore`` is the one store port.  Both the embedded (SQLite) store and the Neo4j store implement it and pass the
same contract suite (``tests/contract``).  Every method is async; every write is atomic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from retrace.domain.changes import ChangeSet, Direction, FlowRecord, LineageLink, RecordedEvent
from retrace.domain.errors import Conflict
from retrace.domain.model import Licence, Party, ProductModel, Role, Site, Stream, TracedObject
from retrace.domain.rates.aggregates import FlowAggregate


class StaleWrite(Conflict):
    """``commit`` found an object changed since it was read (another writer won): the use case re-reads and
    re-checks.  Raised by stores; never reaches a user as such."""

    default_code = "CONCURRENT_MODIFICATION"


class DuplicateEventId(Conflict):
    """``commit`` found an event id already stored (a concurrent writer of the same id): the use case re-reads."""

    default_code = "EVENT_ID_CONFLICT"


class DuplicateKey(Conflict):
    """``commit`` found an identifier key already taken by a concurrent writer."""

    default_code = "IDENTIFIER_TAKEN"


class LineageDirection(StrEnum):
    UPSTREAM = "upstream"  # where it came from
    DOWNSTREAM = "downstream"  # where every part of it went


@dataclass(frozen=True)
class Lineage:
    """The objects reachable from ``root`` within ``depth`` links, and those links (each at most once)."""

    root: TracedObject
    objects: list[TracedObject]  # root included; sorted by id
    links: list[LineageLink]  # sorted by (from_id, to_id, event_id)


@dataclass(frozen=True)
class FlowTotal:
    direction: Direction
    material: str
    fate: str | None
    mass_g: int
    count: int  # records in the group, less those a correction reversed


@dataclass(frozen=True)
class PartyFilter:
    """Which parties a listing returns; ``None`` fields do not filter.  ``region_prefix`` matches the start of the
    GB/T 2260 code (``44`` all of Guangdong, ``4403`` Shenzhen); ``name_contains`` matches ``name`` or ``name_zh``,
    ignoring the case of ASCII letters."""

    role: Role | None = None
    region_prefix: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True)
class SiteFilter:
    """Which sites a listing returns (fields as in ``PartyFilter``); ``party_id``: the operating party."""

    party_id: str | None = None
    region_prefix: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True)
class ModelFilter:
    """Which product models a listing returns; ``None`` fields do not filter."""

    producer_id: str | None = None
    stream: Stream | None = None
    category: str | None = None


@dataclass(frozen=True)
class EventFilter:
    """Which events a listing or the event log returns; ``None`` fields do not filter.  ``site_id``: where it
    happened; ``party_id``: who recorded it; ``object_id``: it touched that object; ``start <= event_time < end``;
    ``types``: its type is one of these (``commission``, ``ship`` …; an empty set selects nothing)."""

    site_id: str | None = None
    party_id: str | None = None
    object_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    types: frozenset[str] | None = None


@dataclass(frozen=True)
class EventKey:
    """Where a listing of events by time stands: the last event of a page (its event time and id)."""

    event_time: datetime
    event_id: str


@dataclass(frozen=True)
class FlowQuery:
    """Which flow aggregates to sum: the months ``start_month`` to ``end_month`` (``YYYY-MM``, both included, China
    Standard Time); ``None`` filters do not filter, a tuple keeps rows whose value is one of its members (an empty
    tuple keeps none).  ``by_month`` keeps the months apart."""

    start_month: str
    end_month: str
    site_ids: tuple[str, ...] | None = None
    party_ids: tuple[str, ...] | None = None
    model_ids: tuple[str, ...] | None = None
    streams: tuple[Stream, ...] | None = None
    directions: tuple[Direction, ...] | None = None
    by_month: bool = False


@dataclass(frozen=True)
class FlowRecordQuery:
    """Which flow records to list: those at ``site_id`` with ``start <= event_time < end``, and, for each filter
    that is not ``None``, equal to it (``fate``, ``stage``, ``model_id``, ``origin_site_id``: ``""`` matches a
    record without one)."""

    site_id: str
    start: datetime
    end: datetime
    direction: Direction | None = None
    stream: Stream | None = None
    material: str | None = None
    fate: str | None = None
    stage: str | None = None
    model_id: str | None = None
    origin_site_id: str | None = None


@dataclass(frozen=True)
class FlowRecordKey:
    """Where a listing of flow records stands: the last record of a page.  Records are ordered by event time, event,
    object, direction and stream (a lot made from several streams has one record per stream)."""

    event_time: datetime
    event_id: str
    object_id: str
    direction: Direction
    stream: str | None = (
        None  # None: after every stream of that record (a cursor from before streams were in it)
    )


class GraphStore(Protocol):
    """The platform's graph, wherever it lives."""

    # -- lifecycle -------------------------------------------------------------------------------------------
    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise ``StoreUnavailable`` if the store cannot be used."""

    # -- registry --------------------------------------------------------------------------------------------
    async def save_parties(self, parties: Sequence[Party]) -> None:
        """Insert or replace by id."""

    async def save_licences(self, licences: Sequence[Licence]) -> None:
        """Insert or replace by licence number."""

    async def save_sites(self, sites: Sequence[Site]) -> None: ...

    async def save_models(self, models: Sequence[ProductModel]) -> None: ...

    async def get_parties(self, ids: Sequence[str]) -> dict[str, Party]: ...

    async def get_licences(self, party_ids: Sequence[str]) -> dict[str, list[Licence]]:
        """Licences by party id (parties without any are absent); each list sorted by number."""

    async def get_sites(self, ids: Sequence[str]) -> dict[str, Site]: ...

    async def get_models(self, ids: Sequence[str]) -> dict[str, ProductModel]: ...

    # -- capture ---------------------------------------------------------------------------------------------
    async def get_events(self, event_ids: Sequence[str]) -> dict[str, RecordedEvent]: ...

    async def find_by_keys(self, keys: Sequence[str]) -> dict[str, TracedObject]:
        """Objects by identifier key; keys nobody holds are absent."""

    async def get_objects(self, ids: Sequence[str]) -> dict[str, TracedObject]: ...

    async def children_of(self, parent_ids: Sequence[str]) -> dict[str, list[str]]:
        """Current contents (``parent_id``) of each container; containers without contents are absent."""

    async def commit(self, changes: ChangeSet) -> None:
        """Write all of ``changes`` or nothing.

        Raises ``StaleWrite`` if an updated object's stored version differs from ``expected_version``, or an object
        of ``read_versions`` (read, not changed) is missing or at another version, checked in the same transaction
        so that neither can change before the commit (or a new object's id exists, or a correction's target is
        missing or already corrected: all mean "re-read"),
        ``DuplicateEventId`` if a record's event id exists, ``DuplicateKey`` if a new key is taken, and
        ``StoreUnavailable`` if the store fails; in every case nothing was written, except a connection lost during the
        commit itself, where the outcome is unknown (``details.outcome == "unknown"``): resending the same changes is
        safe, since event ids make a stored batch answer as a replay."""

    # -- queries ---------------------------------------------------------------------------------------------
    async def history(self, object_id: str) -> list[RecordedEvent]:
        """Every event that touched the object, by event time, then recorded time, then id."""

    async def lineage(self, object_id: str, direction: LineageDirection, depth: int) -> Lineage | None:
        """Objects linked to ``object_id`` within ``depth`` links, following links made by events that were not
        corrected; ``None`` if the object does not exist."""

    async def objects_at_site(
        self, site_id: str, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        """Objects currently at the site and not in a terminal state, not in transit, by id, after ``after_id``."""

    async def commissioned(
        self, party_id: str, start: datetime, end: datetime, limit: int, after_id: str | None = None
    ) -> list[TracedObject]:
        """Objects created by ``commission`` events that ``party_id`` recorded with ``start <= event_time < end``,
        in their current state, by id, after ``after_id``, at most ``limit``.  Events declared erroneous (corrected)
        are left out, and so are the objects they created (voided).  For printing a producer's labels."""

    async def site_flows(self, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
        """Mass through the site for ``start <= event_time < end``, summed by direction, material and fate (sorted
        by those; a missing fate sorts first), corrections included as negative records; groups whose sum is zero
        are left out."""

    async def counts(self) -> dict[str, int]:
        """How many objects, events, parties and sites the store holds (for health and progress)."""

    # -- browsing (master data and events, page by page) ----------------------------------------------------
    async def list_parties(self, where: PartyFilter, limit: int, after_id: str | None = None) -> list[Party]:
        """At most ``limit`` parties matching ``where``, by id, with ids after ``after_id`` (keyset pagination)."""

    async def list_sites(self, where: SiteFilter, limit: int, after_id: str | None = None) -> list[Site]:
        """At most ``limit`` sites matching ``where``, by id, after ``after_id``."""

    async def list_models(
        self, where: ModelFilter, limit: int, after_id: str | None = None
    ) -> list[ProductModel]:
        """At most ``limit`` product models matching ``where``, by id, after ``after_id``."""

    async def list_events(
        self, where: EventFilter, limit: int, after: EventKey | None = None
    ) -> list[RecordedEvent]:
        """At most ``limit`` events matching ``where``, by event time (the instant), then id; only those after
        ``after`` in that order.  Corrected events are included (flagged with ``corrected_by``)."""

    # -- the event log (what live feeds poll) ------------------------------------------------------------------
    async def event_log_head(self) -> int:
        """The log position of the last event recorded (0 when none): a feed that starts now starts here."""

    async def events_since(
        self, position: int, limit: int, where: EventFilter | None = None
    ) -> list[tuple[int, RecordedEvent]]:
        """At most ``limit`` events matching ``where`` whose log position is greater than ``position``, with their
        positions, in log order.

        Every recorded event has a log position: positions increase in the order batches are committed (across
        processes and API workers), and in batch order within a batch, so a reader that passes the last position
        it saw never misses an event and never sees one twice.  A correction does not move the event it
        corrects."""

    # -- recovery reports (flow aggregates kept current by ``commit``) -----------------------------------------
    async def flow_aggregates(self, query: FlowQuery) -> list[FlowAggregate]:
        """Flow records summed by every dimension of ``AggregateKey`` but the month (and by month too if
        ``query.by_month``), over the months asked for.

        Read from aggregates that ``commit`` updates in the same transaction as the records themselves, so the
        cost does not grow with the number of events.  Corrections count as negative records (count -1); rows
        whose mass, count and value all sum to zero are left out.  Sorted by ``rates.aggregates.sort_key``."""

    async def flow_records(
        self, query: FlowRecordQuery, limit: int, after: FlowRecordKey | None = None
    ) -> list[FlowRecord]:
        """At most ``limit`` flow records matching ``query`` (corrections' reversing records included), by event
        time (the instant), event id, object id and direction; only those after ``after`` in that order.  What a
        report's number is made of, down to the events."""
