"""The naive approaches the benchmark compares with: the same questions, answered without what makes ours fast.

Each is what a straightforward implementation would do without that design choice, written to give exactly the
same answer (the benchmark checks it):

- **Flow aggregates by scanning** (``ScanningAggregates``): reports without the aggregates that ``commit`` keeps
  current.  The same report use case runs on a store whose ``flow_aggregates`` reads every flow record of the
  period through the port's ``flow_records`` (site by site, page by page) and sums them with the domain's own
  ``aggregate_key``, on each request.
- **Lineage hop by hop** (``lineage_hop_by_hop``): a breadth-first walk that asks the store for one object's direct
  links at a time (``lineage(depth=1)`` per object), instead of one lineage query.
- **Lookups without the index** (``Scans``, per store: ``naive_sqlite``, ``naive_neo4j``): an identifier key or a
  site's inventory found by scanning every identifier or object, the same query with the index not used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol, cast

from retrace.app.ports import (
    FlowQuery,
    FlowRecordKey,
    FlowRecordQuery,
    GraphStore,
    Lineage,
    LineageDirection,
    SiteFilter,
)
from retrace.domain.changes import FlowRecord, LineageLink
from retrace.domain.identifiers import lookup_keys
from retrace.domain.model import TracedObject
from retrace.domain.rates.aggregates import (
    AggregateKey,
    FlowAggregate,
    Sums,
    aggregate_key,
    month_start,
    next_month,
    row_to_aggregate,
    sort_key,
)

RECORD_PAGE = 50_000  # flow records per read: bounds memory, few round trips
SITE_PAGE = 1000


class Scans(Protocol):
    """What the naive lookups need from a store beyond the port: the same queries with the index left unused."""

    async def object_id_by_key_scan(self, key: str) -> str | None:
        """The object holding identifier ``key``, found by reading every identifier."""

    async def live_at_site_scan(self, site_id: str, limit: int) -> list[str]:
        """Ids of the first ``limit`` objects at the site (as ``objects_at_site``), by reading every object."""

    async def flow_record_count(self) -> int:
        """How many flow records the store holds (for the data-set summary)."""

    async def close(self) -> None: ...


# -- lookups without the index ----------------------------------------------------------------------------------


async def find_by_scan(store: GraphStore, scans: Scans, identifier: str) -> TracedObject | None:
    """``TraceQueries.find`` without the identifier index: each key the text may denote, by a full scan."""
    for key in lookup_keys(identifier):
        object_id = await scans.object_id_by_key_scan(key)
        if object_id is not None:
            return (await store.get_objects([object_id]))[object_id]
    return None


async def inventory_by_scan(store: GraphStore, scans: Scans, site_id: str, limit: int) -> list[TracedObject]:
    ids = await scans.live_at_site_scan(site_id, limit)
    found = await store.get_objects(ids)
    return [found[i] for i in ids]


# -- lineage hop by hop -----------------------------------------------------------------------------------------


async def lineage_hop_by_hop(
    store: GraphStore, object_id: str, direction: LineageDirection, depth: int
) -> Lineage | None:
    """The same objects and links as ``store.lineage``, one store call per object reached."""
    first = await store.lineage(object_id, direction, 1)
    if first is None:
        return None
    objects: dict[str, TracedObject] = {first.root.id: first.root}
    links: dict[tuple[str, str, str], LineageLink] = {}
    frontier = [first]
    for distance in range(depth):
        reached: list[Lineage] = []
        for step in frontier:
            for link in step.links:
                links[(link.from_id, link.to_id, link.event_id)] = link
            for obj in step.objects:
                if obj.id in objects:
                    continue
                objects[obj.id] = obj
                if distance + 1 < depth:
                    # The next hop: this object's own direct links (a separate round trip, as a naive walk does).
                    more = await store.lineage(obj.id, direction, 1)
                    if more is not None:
                        reached.append(more)
        frontier = reached
        if not frontier:
            break
    # ``lineage`` keeps the links leaving objects found within ``depth - 1`` links; the walk asks exactly those
    # objects for their links, level by level, so both give the same objects and links.
    return Lineage(
        root=first.root,
        objects=[objects[k] for k in sorted(objects)],
        links=[links[k] for k in sorted(links)],
    )


# -- reports without the maintained aggregates ----------------------------------------------------------------


class ScanningAggregates:
    """A ``GraphStore`` whose ``flow_aggregates`` sums the flow records on each call; everything else is the
    store's own.  Give it to ``ReportQueries`` for the naive report."""

    def __init__(self, store: GraphStore, page: int = RECORD_PAGE) -> None:
        self._store = store
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def as_store(self) -> GraphStore:
        # Every other port method is the wrapped store's (``__getattr__``), which a type checker cannot see.
        return cast(GraphStore, self)

    async def flow_aggregates(self, query: FlowQuery) -> list[FlowAggregate]:
        sums: dict[AggregateKey, Sums] = {}
        async for record in self._records(query):
            key = aggregate_key(record)
            if not query.by_month:
                key = AggregateKey(**{**key.as_dict(), "month": ""})
            sums.setdefault(key, Sums()).add(record)
        out = []
        for key, total in sums.items():
            if total.mass_g == 0 and total.count == 0 and total.value_cny == 0:
                continue
            out.append(
                row_to_aggregate(key.as_dict(), total.mass_g, total.count, total.value_cny, total.elements)
            )
        return sorted(out, key=sort_key)

    async def _records(self, query: FlowQuery) -> AsyncIterator[FlowRecord]:
        start, end = month_start(query.start_month), month_start(next_month(query.end_month))
        for site_id in query.site_ids if query.site_ids is not None else await self._all_sites():
            after: FlowRecordKey | None = None
            while True:
                page = await self._store.flow_records(FlowRecordQuery(site_id, start, end), self._page, after)
                for record in page:
                    if _kept(record, query):
                        yield record
                if len(page) < self._page:
                    break
                last = page[-1]
                after = FlowRecordKey(
                    last.event_time, last.event_id, last.object_id, last.direction, last.stream.value
                )

    async def _all_sites(self) -> list[str]:
        ids: list[str] = []
        after: str | None = None
        while True:
            page = await self._store.list_sites(SiteFilter(), SITE_PAGE, after)
            ids += [s.id for s in page]
            if len(page) < SITE_PAGE:
                return ids
            after = page[-1].id


def _kept(record: FlowRecord, query: FlowQuery) -> bool:
    def within(value: str | None, allowed: Sequence[str] | None) -> bool:
        return allowed is None or (value or "") in allowed

    return (
        within(record.party_id, query.party_ids)
        and within(record.model_id, query.model_ids)
        and within(record.stream.value, None if query.streams is None else [s.value for s in query.streams])
        and within(
            record.direction.value, None if query.directions is None else [d.value for d in query.directions]
        )
    )
