"""The real platform in-process, with a network in between that fails on purpose.

``Server`` is the real app (``create_app``) over a real ``SqliteStore`` on one file; ``restart()`` closes both and
opens new ones on the same file, as a redeploy or a crash and restart would.  ``FaultyNetwork`` is an httpx
transport that, request by request, refuses the connection, times out before or after the server handled the
request, or forwards the request to the real app and then loses the answer — so the server has committed and the
device never hears it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from enum import Enum
from pathlib import Path

import httpx

from retrace.adapters.sqlite.store import SqliteStore
from retrace.api.app import create_app
from retrace.app.ports import GraphStore
from retrace.config import Settings


class Server:
    def __init__(self, path: Path, max_batch: int = 1000) -> None:
        self.settings = Settings(sqlite_path=path, max_batch=max_batch)
        self.store: GraphStore | None = None
        self.transport: httpx.ASGITransport | None = None
        self.restarts = 0

    async def start(self) -> Server:
        self.store = await SqliteStore.open(self.settings.sqlite_path)
        self.transport = httpx.ASGITransport(app=create_app(self.settings, store=self.store))
        return self

    async def stop(self) -> None:
        if self.store is not None:
            await self.store.close()
        self.store, self.transport = None, None

    async def restart(self) -> None:
        await self.stop()
        await self.start()
        self.restarts += 1

    def client(self) -> httpx.AsyncClient:
        assert self.transport is not None
        return httpx.AsyncClient(transport=self.transport, base_url="http://trace.test")

    async def forward(self, request: httpx.Request) -> httpx.Response:
        if self.transport is None:
            raise httpx.ConnectError("connection refused (server down)", request=request)
        response = await self.transport.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )


class Fault(Enum):
    NONE = "none"
    REFUSED = "refused"  # nothing reached the server
    CONNECT_TIMEOUT = "connect_timeout"  # nothing reached the server
    READ_TIMEOUT = "read_timeout"  # the server handled it; the device gave up waiting
    LOST = "lost"  # the server committed; the connection dropped before the answer
    RESTART = "restart"  # the server committed, then restarted before answering


class FaultyNetwork(httpx.AsyncBaseTransport):
    def __init__(self, server: Server, choose: Callable[[int], Fault]) -> None:
        self.server = server
        self.choose = choose
        self.requests = 0
        self.faults: Counter[Fault] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        fault = self.choose(self.requests)
        self.faults[fault] += 1
        if fault is Fault.REFUSED:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault is Fault.CONNECT_TIMEOUT:
            raise httpx.ConnectTimeout("timed out", request=request)
        response = await self.server.forward(request)
        if fault is Fault.READ_TIMEOUT:
            raise httpx.ReadTimeout("timed out", request=request)
        if fault is Fault.LOST:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if fault is Fault.RESTART:
            await self.server.restart()
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        return response


def random_faults(seed: int, rate: float, restart_every: int = 0) -> Callable[[int], Fault]:
    """Faults at ``rate`` of requests, spread over every kind; a restart on every ``restart_every``-th request."""
    rng = random.Random(seed)
    kinds = [Fault.REFUSED, Fault.CONNECT_TIMEOUT, Fault.READ_TIMEOUT, Fault.LOST]

    def choose(n: int) -> Fault:
        if restart_every and n % restart_every == 0:
            return Fault.RESTART
        return rng.choice(kinds) if rng.random() < rate else Fault.NONE

    return choose


def no_faults(n: int) -> Fault:
    return Fault.NONE
