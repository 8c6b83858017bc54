"""Use cases: browse master data and events page by page, and follow new events as they are recorded.

Rules: a page holds 1 to ``max_page`` entries (VALIDATION_ERROR on ``first``); a region filter is a GB/T 2260 code,
matching the province (``440000``), the city (``440300``) or the county it names (VALIDATION_ERROR otherwise); a
period needs timezone offsets and ``start < end`` (VALIDATION_ERROR); a site, party or object that a listing or a
feed names must exist (SITE_NOT_FOUND, PARTY_NOT_FOUND, OBJECT_NOT_FOUND).  A page's cursor is opaque: pass it back
as ``after`` (VALIDATION_ERROR if it is not one this platform made).

A feed (``follow``) starts at the end of the event log, or after a position it gave earlier, and yields every
matching event recorded from then on, in the order they were committed, whichever API worker or process recorded
them: it reads the store's event log, not an in-process bus, so it works with several workers and both stores.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from retrace.app.ports import EventFilter, EventKey, GraphStore, ModelFilter, PartyFilter, SiteFilter
from retrace.app.tracing import TraceQueries
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.errors import InvalidInput, NotFound, TraceError
from retrace.domain.model import Party, ProductModel, RegionCode, Site, TracedObject

T = TypeVar("T")

MAX_PAGE = 500
FEED_BATCH = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its entries, whether more follow, and the cursor of its last entry (``None`` when the
    page is empty), which ``after`` takes to read on (also later, when more entries have been recorded)."""

    entries: list[T]
    has_next: bool
    end_cursor: str | None


def region_prefix(code: str, field: str = "region") -> str:
    """The prefix of GB/T 2260 codes inside the division ``code`` names: ``440000`` → ``44``, ``440300`` → ``4403``.

    >>> region_prefix("440000"), region_prefix("440300"), region_prefix("440305")
    ('44', '4403', '440305')
    """
    try:
        RegionCode(code)
    except TraceError as e:
        e.field = field
        raise
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def _encode(*parts: str) -> str:
    return base64.urlsafe_b64encode("\x1f".join(parts).encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str, count: int) -> list[str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    parts = text.split("\x1f")
    if len(parts) != count + 1 or parts[0] != kind:
        raise InvalidInput(
            f"{cursor!r} is not a cursor of this listing; pass the end_cursor of the previous page",
            code=codes.VALIDATION_ERROR,
            message_zh="游标无效，请使用上一页返回的 end_cursor",
            field="after",
        )
    return parts[1:]


def id_cursor(kind: str, entry_id: str) -> str:
    return _encode(kind, entry_id)


def event_cursor(record: RecordedEvent) -> str:
    return _encode("event", record.event.event_time.isoformat(), record.event_id)


@dataclass
class BrowseQueries:
    store: GraphStore
    trace: TraceQueries
    max_page: int = MAX_PAGE
    feed_batch: int = FEED_BATCH

    # -- master data ------------------------------------------------------------------------------------------

    async def parties(self, where: PartyFilter, first: int, after: str | None = None) -> Page[Party]:
        self._check_page(first)
        after_id = _decode(after, "party", 1)[0] if after else None
        found = await self.store.list_parties(where, first + 1, after_id)
        return _page(found, first, lambda p: id_cursor("party", p.id))

    async def sites(self, where: SiteFilter, first: int, after: str | None = None) -> Page[Site]:
        self._check_page(first)
        after_id = _decode(after, "site", 1)[0] if after else None
        found = await self.store.list_sites(where, first + 1, after_id)
        return _page(found, first, lambda s: id_cursor("site", s.id))

    async def models(self, where: ModelFilter, first: int, after: str | None = None) -> Page[ProductModel]:
        self._check_page(first)
        after_id = _decode(after, "model", 1)[0] if after else None
        found = await self.store.list_models(where, first + 1, after_id)
        return _page(found, first, lambda m: id_cursor("model", m.id))

    async def party(self, party_id: str) -> Party:
        found = (await self.store.get_parties([party_id])).get(party_id)
        if found is None:
            raise NotFound(
                f"party {party_id!r} is not registered",
                code=codes.PARTY_NOT_FOUND,
                message_zh=f"未登记的主体 {party_id!r}",
                field="party_id",
            )
        return found

    async def site(self, site_id: str) -> Site:
        found = (await self.store.get_sites([site_id])).get(site_id)
        if found is None:
            raise NotFound(
                f"site {site_id!r} is not registered",
                code=codes.SITE_NOT_FOUND,
                message_zh=f"未登记的场地 {site_id!r}",
                field="site_id",
            )
        return found

    async def model(self, model_id: str) -> ProductModel:
        found = (await self.store.get_models([model_id])).get(model_id)
        if found is None:
            raise NotFound(
                f"product model {model_id!r} is not registered",
                code=codes.MODEL_NOT_FOUND,
                message_zh=f"未登记的产品型号 {model_id!r}",
                field="model_id",
            )
        return found

    async def event(self, event_id: str) -> RecordedEvent:
        found = (await self.store.get_events([event_id])).get(event_id)
        if found is None:
            raise NotFound(
                f"no event {event_id!r} is recorded",
                code=codes.EVENT_NOT_FOUND,
                message_zh=f"没有编号为 {event_id!r} 的事件",
                field="event_id",
            )
        return found

    async def inventory(self, site_id: str, first: int, after: str | None = None) -> Page[TracedObject]:
        """What is at a site now (the rules of ``TraceQueries.at_site``), page by page."""
        self._check_page(first)
        after_id = _decode(after, "item", 1)[0] if after else None
        found = await self.trace.at_site(site_id, first + 1, after_id)
        return _page(found, first, lambda o: id_cursor("item", o.id))

    # -- events -----------------------------------------------------------------------------------------------

    async def events(self, where: EventFilter, first: int, after: str | None = None) -> Page[RecordedEvent]:
        """Events of a site, a party, an object and/or a period, by event time then id."""
        self._check_page(first)
        key = None
        if after:
            moment, event_id = _decode(after, "event", 2)
            try:
                key = EventKey(datetime.fromisoformat(moment), event_id)
            except ValueError:
                _decode("", "event", 2)  # the same error as any other foreign cursor
        await self._check_filter(where)
        found = await self.store.list_events(where, first + 1, key)
        return _page(found, first, event_cursor)

    async def follow(
        self,
        where: EventFilter,
        after_position: int | None,
        wait: Callable[[], Awaitable[None]],
    ) -> AsyncIterator[tuple[int, RecordedEvent]]:
        """Every event matching ``where`` recorded after ``after_position`` (or from now on), with its log position,
        for as long as the caller iterates.  Between reads that find nothing new it awaits ``wait()`` (a poll
        interval, possibly cut short by a local notification)."""
        await self._check_filter(where)
        if after_position is not None and after_position < 0:
            raise InvalidInput(
                "a log position is 0 or more",
                code=codes.VALIDATION_ERROR,
                message_zh="日志位置不能为负数",
                field="after_position",
            )
        position = await self.store.event_log_head() if after_position is None else after_position
        return self._follow(where, position, wait)

    async def _follow(
        self, where: EventFilter, position: int, wait: Callable[[], Awaitable[None]]
    ) -> AsyncIterator[tuple[int, RecordedEvent]]:
        while True:
            batch = await self.store.events_since(position, self.feed_batch, where)
            for found, record in batch:
                position = found
                yield found, record
            if len(batch) < self.feed_batch:  # caught up; a full batch means more are waiting already
                await wait()

    # -- checks -----------------------------------------------------------------------------------------------

    def _check_page(self, first: int) -> None:
        if not 1 <= first <= self.max_page:
            raise InvalidInput(
                f"first must be between 1 and {self.max_page}; page through longer listings with after",
                code=codes.VALIDATION_ERROR,
                message_zh=f"每页数量须在 1 到 {self.max_page} 之间，更多结果请用 after 翻页",
                field="first",
                details={"max_page": self.max_page},
            )

    async def _check_filter(self, where: EventFilter) -> None:
        for name in ("start", "end"):
            moment = getattr(where, name)
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput(
                    f"{name} needs a timezone offset",
                    code=codes.VALIDATION_ERROR,
                    message_zh="起止时间需要时区",
                    field=name,
                )
        if where.start is not None and where.end is not None and not where.start < where.end:
            raise InvalidInput(
                "start must be before end",
                code=codes.VALIDATION_ERROR,
                message_zh="开始时间须早于结束时间",
                field="end",
            )
        if where.site_id is not None:
            await self.site(where.site_id)
        if where.party_id is not None:
            await self.party(where.party_id)


def _page(found: Sequence[T], first: int, cursor: Callable[[T], str]) -> Page[T]:
    entries = list(found[:first])
    return Page(entries, len(found) > first, cursor(entries[-1]) if entries else None)
