"""Use cases: ask the graph about an item (find, history, lineage, custody) and a site (inventory, mass flows).

Rules: any identifier of an object finds it (OBJECT_NOT_FOUND otherwise; INVALID_IDENTIFIER if it cannot be any
identifier); lineage depth is 1 to ``max_depth`` (VALIDATION_ERROR outside); a flow period has ``start < end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retrace.app.ports import FlowTotal, GraphStore, Lineage, LineageDirection
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.custody import CustodySpan, custody_chain
from retrace.domain.errors import InvalidInput, NotFound, TraceError
from retrace.domain.identifiers import lookup_keys
from retrace.domain.model import TracedObject

MAX_LINEAGE_DEPTH = 50


def unknown_identifier(identifier: str) -> NotFound:
    """The error of an identifier that names no object (for callers that looked its keys up themselves)."""
    return NotFound(
        f"no object is known by {identifier!r}",
        code=codes.OBJECT_NOT_FOUND,
        message_zh=f"找不到标识为 {identifier!r} 的物品",
        field="identifier",
    )


@dataclass
class TraceQueries:
    store: GraphStore
    max_depth: int = MAX_LINEAGE_DEPTH
    max_page: int = 1000

    async def find(self, identifier: str) -> TracedObject:
        try:
            keys = lookup_keys(identifier)
        except TraceError as e:
            raise e.at_field("identifier") from None
        found = await self.store.find_by_keys(keys)
        for key in keys:
            if key in found:
                return found[key]
        raise unknown_identifier(identifier)

    async def history(self, identifier: str) -> tuple[TracedObject, list[RecordedEvent]]:
        obj = await self.find(identifier)
        return obj, await self.store.history(obj.id)

    async def lineage(self, identifier: str, direction: LineageDirection, depth: int) -> Lineage:
        self._check_depth(depth)
        return await self.lineage_of(await self.find(identifier), direction, depth)

    async def lineage_of(self, obj: TracedObject, direction: LineageDirection, depth: int) -> Lineage:
        """The lineage of an object already found (e.g. one of a list), with the same rules as ``lineage``."""
        self._check_depth(depth)
        lineage = await self.store.lineage(obj.id, direction, depth)
        if lineage is None:  # removed between the two reads; cannot happen today, nothing is ever deleted
            raise NotFound(f"no object {obj.id!r}", code=codes.OBJECT_NOT_FOUND, field="identifier")
        return lineage

    def _check_depth(self, depth: int) -> None:
        if not 1 <= depth <= self.max_depth:
            raise InvalidInput(
                f"depth must be between 1 and {self.max_depth}",
                code=codes.VALIDATION_ERROR,
                message_zh=f"深度须在 1 到 {self.max_depth} 之间",
                field="depth",
            )

    async def custody(self, identifier: str) -> tuple[TracedObject, list[CustodySpan]]:
        obj = await self.find(identifier)
        return obj, await self.custody_of(obj)

    async def custody_of(self, obj: TracedObject) -> list[CustodySpan]:
        """The chain of custody of an object already found."""
        return custody_chain(obj, await self.store.history(obj.id))

    async def at_site(
        self, site_id: str, limit: int = 100, after_id: str | None = None
    ) -> list[TracedObject]:
        if not 1 <= limit <= self.max_page:
            raise InvalidInput(
                f"limit must be between 1 and {self.max_page}",
                code=codes.VALIDATION_ERROR,
                message_zh=f"每页数量须在 1 到 {self.max_page} 之间",
                field="limit",
            )
        await self._site(site_id)
        return await self.store.objects_at_site(site_id, limit, after_id)

    async def site_flows(self, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidInput(
                "start and end need a timezone offset",
                code=codes.VALIDATION_ERROR,
                message_zh="起止时间需要时区",
                field="start",
            )
        if not start < end:
            raise InvalidInput(
                "start must be before end",
                code=codes.VALIDATION_ERROR,
                message_zh="开始时间须早于结束时间",
                field="end",
            )
        await self._site(site_id)
        return await self.store.site_flows(site_id, start, end)

    async def _site(self, site_id: str) -> None:
        if site_id not in await self.store.get_sites([site_id]):
            raise NotFound(
                f"site {site_id!r} is not registered",
                code=codes.SITE_NOT_FOUND,
                message_zh=f"未登记的场地 {site_id!r}",
                field="site_id",
            )
