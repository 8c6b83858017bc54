"""What every resolver of one request sees: the use cases, and DataLoaders built for this request only.

The loaders turn the lookups of a whole list (the holder, site and model of 100 items) into one store call per
kind, and remember what they read for the rest of the request only: a later request, or the next event of a
subscription, reads afresh.  Expensive per-object fields (history, lineage, inventory …) draw on a budget per
request, so a list can never multiply them without bound.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from retrace.app.browsing import BrowseQueries
from retrace.app.ports import GraphStore
from retrace.bootstrap import Services
from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.errors import InvalidInput
from retrace.domain.model import Licence, Party, ProductModel, Site, TracedObject

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# How many expensive per-object fields (history, custody, lineage, a site's inventory, mass balance or events) one
# request may resolve: they cost a store query each, so they are for a handful of objects, not for a list of 500.
EXPENSIVE_FIELDS_PER_REQUEST = 50


def _loader(fetch: Callable[[list[K]], Awaitable[dict[K, V]]]) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> Sequence[V | None]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per kind of record; a missing record loads as ``None``."""

    def __init__(self, store: GraphStore) -> None:
        self.objects: DataLoader[str, TracedObject | None] = _loader(store.get_objects)
        self.by_key: DataLoader[str, TracedObject | None] = _loader(store.find_by_keys)
        self.parties: DataLoader[str, Party | None] = _loader(store.get_parties)
        self.sites: DataLoader[str, Site | None] = _loader(store.get_sites)
        self.models: DataLoader[str, ProductModel | None] = _loader(store.get_models)
        self.events: DataLoader[str, RecordedEvent | None] = _loader(store.get_events)
        self.licences: DataLoader[str, list[Licence] | None] = _loader(store.get_licences)
        self.children: DataLoader[str, list[str] | None] = _loader(store.children_of)


class Context(BaseContext):
    """The context of one GraphQL request (or one websocket connection, whose feeds refresh the loaders)."""

    def __init__(self, services: Services, poll_interval: float, max_page: int) -> None:
        super().__init__()
        self.services = services
        self.browse = BrowseQueries(services.store, services.trace, max_page=max_page)
        self.poll_interval = poll_interval
        self.loaders = Loaders(services.store)
        self._budget = EXPENSIVE_FIELDS_PER_REQUEST

    def feed_wait(self) -> Callable[[], Awaitable[None]]:
        """What one live feed awaits between polls: until this process records events, or one poll interval."""
        return self.services.recorded.listener(self.poll_interval)

    def fresh_loaders(self) -> None:
        """Forget what this context read (a feed does this before each event it sends)."""
        self.loaders = Loaders(self.services.store)
        self._budget = EXPENSIVE_FIELDS_PER_REQUEST

    def spend(self, field: str) -> None:
        """Account for one expensive field; refuse it once the request's budget is spent."""
        if self._budget <= 0:
            raise InvalidInput(
                f"a request may resolve at most {EXPENSIVE_FIELDS_PER_REQUEST} expensive fields (history, custody, "
                f"lineage, inventory, mass_balance, events of an item, site or party); {field} is one too many. "
                "Ask for them in smaller requests",
                code=codes.QUERY_TOO_COMPLEX,
                message_zh=f"单次请求最多解析 {EXPENSIVE_FIELDS_PER_REQUEST} 个高开销字段（履历、监管链、溯源、库存、"
                "物质平衡、事件），请拆分请求",
                field=field,
                details={"max_expensive_fields": EXPENSIVE_FIELDS_PER_REQUEST},
            )
        self._budget -= 1


def context_of(info: Any) -> Context:
    context = info.context
    assert isinstance(context, Context)
    return context
