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

from retrace.domain.changes import ChangeSet, Direction, LineageLink, RecordedEvent
from retrace.domain.errors import Conflict
from retrace.domain.model import Licence, Party, ProductModel, Site, TracedObject


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

        Raises ``StaleWrite`` if an updated object's stored version differs from ``expected_version`` (or a new
        object's id exists, or a correction's target is missing or already corrected: all mean "re-read"),
        ``DuplicateEventId`` if a record's event id exists, ``DuplicateKey`` if a new key is taken, and
        ``StoreUnavailable`` if the store fails; in every case nothing was written."""

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

    async def site_flows(self, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
        """Mass through the site for ``start <= event_time < end``, summed by direction, material and fate (sorted
        by those; a missing fate sorts first), corrections included as negative records; groups whose sum is zero
        are left out."""

    async def counts(self) -> dict[str, int]:
        """How many objects, events, parties and sites the store holds (for health and progress)."""
