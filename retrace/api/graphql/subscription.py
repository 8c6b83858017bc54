"""Subscriptions (graphql-transport-ws): new events at a site, for a party or for an item, as they are recorded.

A feed reads the store's event log (``BrowseQueries.follow``): it sees events recorded through any API worker,
process or entry point (REST, GraphQL, CLI) on either store, in commit order, each once.  Each notice carries its
log position; a client that reconnects passes the last one as ``after_position`` and misses nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from retrace.api.graphql.context import context_of
from retrace.api.graphql.query import IDENTIFIER
from retrace.api.graphql.typed import subscription
from retrace.api.graphql.types import EventNotice, Info, event_node
from retrace.app.ports import EventFilter
from retrace.domain import errors as codes
from retrace.domain.errors import InvalidInput

AFTER_POSITION = (
    "Resume after this log position (the `position` of the last notice received); left out: only events recorded "
    "from now on."
)


def _position(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or len(text) > 19:
        raise InvalidInput(
            f"{text!r} is not a log position; pass the position of a notice",
            code=codes.VALIDATION_ERROR,
            message_zh="日志位置无效，请传入通知中的 position",
            field="after_position",
        )
    return int(text)


async def _feed(
    info: Info, where: EventFilter, after_position: str | None
) -> AsyncGenerator[EventNotice, None]:
    context = context_of(info)
    follow = await context.browse.follow(where, _position(after_position), context.feed_wait())
    async for position, record in follow:
        # The connection's context lives as long as the socket: each notice is resolved with fresh loaders, so it
        # shows the objects as they are now, not as an earlier notice read them.
        context.fresh_loaders()
        yield EventNotice(log_position=position, node=event_node(record))


@strawberry.type(
    description="Live feeds of new events, over a websocket (protocol graphql-transport-ws), for a "
    "dashboard or a yard screen."
)
class Subscription:
    @subscription(
        description="Every event recorded at a site from now on (SITE_NOT_FOUND if the site is "
        "not registered)."
    )
    async def events_at_site(
        self,
        info: Info,
        site_id: Annotated[str, strawberry.argument(description="Id of the site to watch.")],
        after_position: Annotated[str | None, strawberry.argument(description=AFTER_POSITION)] = None,
    ) -> AsyncGenerator[EventNotice, None]:
        async for notice in _feed(info, EventFilter(site_id=site_id), after_position):
            yield notice

    @subscription(
        description="Every event a party records from now on (PARTY_NOT_FOUND if the party is "
        "not registered)."
    )
    async def events_for_party(
        self,
        info: Info,
        party_id: Annotated[str, strawberry.argument(description="Id of the party whose events to watch.")],
        after_position: Annotated[str | None, strawberry.argument(description=AFTER_POSITION)] = None,
    ) -> AsyncGenerator[EventNotice, None]:
        async for notice in _feed(info, EventFilter(party_id=party_id), after_position):
            yield notice

    @subscription(
        description="Every event that touches an item from now on (OBJECT_NOT_FOUND if no "
        "object has the identifier)."
    )
    async def events_for_item(
        self,
        info: Info,
        identifier: Annotated[str, strawberry.argument(description=IDENTIFIER)],
        after_position: Annotated[str | None, strawberry.argument(description=AFTER_POSITION)] = None,
    ) -> AsyncGenerator[EventNotice, None]:
        obj = await context_of(info).services.trace.find(identifier)
        async for notice in _feed(info, EventFilter(object_id=obj.id), after_position):
            yield notice
