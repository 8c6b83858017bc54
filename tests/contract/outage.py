"""The database going away in the middle of a commit, for real, on either store.

``broken_twin`` opens a second store on the same database as the contract suite's ``store`` and arms the adapter's
commit-step seam (``before_commit_step``) so that, when a commit reaches the named step, the connection to the
database is lost:

- Neo4j: the twin talks to the server through a TCP relay on loopback, and the relay drops every connection at once,
  as a crashed server or a cut network would.  The server sees the socket close and rolls the transaction back.
- SQLite: the twin's writer connection is closed under the open write transaction, as when the process loses the
  file; SQLite rolls back what it had not committed.

Nothing is faked: the rules, the transaction and the failure are the real ones; the seam only chooses the moment.
The suite's own ``store`` then plays the part of the reconnected client.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from retrace.adapters.neo4j.store import Neo4jStore
from retrace.adapters.sqlite.store import SqliteStore
from retrace.app.ports import GraphStore
from tests.conftest import NEO4J_URI


class SeverableRelay:
    """A TCP relay on loopback in front of ``host:port``; ``sever`` drops every connection through it and refuses
    new ones."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._sever_on_reply = False
        self.severed = False

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)

    def sever(self) -> None:
        self.severed = True
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()  # a reset, not a polite close: nothing more gets through either way

    def sever_on_next_reply(self) -> None:
        """Let what the client sends through, and sever as soon as the server answers, dropping the answer: the
        server did the work, the client never hears of it."""
        self._sever_on_reply = True

    async def close(self) -> None:
        self.sever()
        if self._server is not None:
            await self._server.wait_closed()

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.severed:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update((client_writer, server_writer))
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer, replies=False),
                self._pipe(server_reader, client_writer, replies=True),
            )
        finally:
            for writer in (client_writer, server_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, replies: bool
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if replies and self._sever_on_reply:
                    self.sever()
                    break
                writer.write(data)
                await writer.drain()
        writer.transport.abort()  # one side gone: the other goes too, as it would on a real failure


@contextlib.asynccontextmanager
async def broken_twin(store: GraphStore, at_step: str) -> AsyncIterator[GraphStore]:
    """A second store on ``store``'s database that loses the database when a commit reaches ``at_step``."""
    if isinstance(store, SqliteStore):
        sqlite_twin = await SqliteStore.open(store.path)

        def lose_the_file(conn: sqlite3.Connection, step: str) -> None:
            if step == at_step:
                conn.close()  # under the open write transaction; the next statement of the commit fails

        sqlite_twin.before_commit_step = lose_the_file
        try:
            yield sqlite_twin
        finally:
            await sqlite_twin.close()
        return
    assert isinstance(store, Neo4jStore), f"no way to break a {type(store).__name__}"
    target = urlsplit(NEO4J_URI)
    relay = SeverableRelay(target.hostname or "127.0.0.1", target.port or 7687)
    await relay.start()
    neo4j_twin = await Neo4jStore.connect(f"bolt://127.0.0.1:{relay.port}", None)

    async def cut_the_network(step: str) -> None:
        if step == at_step:
            relay.sever()

    neo4j_twin.before_commit_step = cut_the_network
    try:
        yield neo4j_twin
    finally:
        try:
            await neo4j_twin.close()
        finally:
            await relay.close()
