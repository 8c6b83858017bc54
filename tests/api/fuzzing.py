"""The real app over a fresh embedded store, on an event loop of its own: hypothesis drives a test synchronously,
so each example runs its requests to completion on this loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.config import Settings

T = TypeVar("T")


@contextmanager
def app_on_its_own_loop(
    folder: Path, **settings: Any
) -> Iterator[tuple[Callable[[Awaitable[T]], T], httpx.AsyncClient]]:
    """``(run, client)``: ``run(awaitable)`` completes it on the loop; ``client`` talks to the app in-process."""
    loop = asyncio.new_event_loop()
    path = folder / "trace.db"
    store = loop.run_until_complete(SqliteStore.open(path))
    app = create_app(Settings(sqlite_path=path, **settings), store=store)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trace.test")

    def run(awaitable: Awaitable[T]) -> T:
        return loop.run_until_complete(awaitable)

    try:
        yield run, client
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(store.close())
        loop.close()
