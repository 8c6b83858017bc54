"""An asyncio LLRP client: connect to a reader, set up one ROSpec, and stream its tag reports.

The conversation, as LLRP 1.0.1 has it for a client-initiated connection:

1. TCP to the reader (port 5084).  The reader speaks first: READER_EVENT_NOTIFICATION with a
   ConnectionAttemptEvent; anything but Success (e.g. another client is connected) ends the attempt.
2. GET_READER_CAPABILITIES (for the log: maker, model, firmware, antennas; a reader that refuses it is still used).
3. DELETE_ROSPEC 0 (a clean slate: ROSpecs outlive connections), SET_READER_CONFIG with a KeepaliveSpec,
   ADD_ROSPEC, ENABLE_ROSPEC (an Immediate start trigger starts it; a Null one gets START_ROSPEC), and
   ENABLE_EVENTS_AND_REPORTS (for readers that hold reports until a client asks).
4. RO_ACCESS_REPORTs stream in; every KEEPALIVE is answered with KEEPALIVE_ACK.  Silence for three keepalive
   periods means the link is dead (a yard's Wi-Fi bridge may drop without a FIN): the client gives up on it.
5. Closing: DELETE_ROSPEC of ours, CLOSE_CONNECTION, wait briefly for its response, close the socket.

Responses are matched to requests by message id.  ``reports()`` yields one list of ``TagReport`` per
RO_ACCESS_REPORT and ends with ``ReaderDisconnected`` when the link is lost (not when we close it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from retrace.scanners.rfid import llrp
from retrace.scanners.rfid.llrp import (
    LlrpError,
    Message,
    MessageType,
    ReaderInfo,
    RoSpec,
    StartTrigger,
    TagReport,
)

log = logging.getLogger(__name__)


class ReaderDisconnected(ConnectionError):
    """The reader closed the link, or it went silent."""


class ReaderRefused(ConnectionError):
    """The reader refused the connection (its ConnectionAttemptEvent was not Success)."""


@dataclass(frozen=True)
class ReaderSettings:
    host: str
    port: int = llrp.DEFAULT_PORT
    rospec: RoSpec = field(default_factory=RoSpec)
    keepalive_ms: int | None = 10_000
    timeout: float = 10.0  # to connect, and for each response

    @classmethod
    def parse(cls, address: str, **kw: Any) -> ReaderSettings:
        """``host``, ``host:port`` or ``[v6-address]:port``."""
        host, port = address, llrp.DEFAULT_PORT
        if address.startswith("["):
            host, _, rest = address[1:].partition("]")
            if rest.startswith(":"):
                port = int(rest[1:])
        elif address.count(":") == 1:
            host, _, text = address.partition(":")
            port = int(text)
        if not host or not 0 < port < 65536:
            raise ValueError(f"not a reader address: {address!r} (expected host or host:port)")
        return cls(host, port, **kw)


_End = object()


class LlrpClient:
    def __init__(self, settings: ReaderSettings) -> None:
        self.settings = settings
        self.info: ReaderInfo | None = None
        self.received: list[str] = []  # names of the messages the reader sent, for logs and tests
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Message]] = {}
        self._reports: asyncio.Queue[list[TagReport] | object] = asyncio.Queue()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._closing = False
        self._lost: BaseException | None = None

    async def __aenter__(self) -> LlrpClient:
        try:
            await self.connect()
            await self.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    # -- connection ------------------------------------------------------------------------------------------------

    async def connect(self) -> ReaderInfo | None:
        """Open the link and read the reader's greeting; on any failure the socket is closed again."""
        try:
            return await self._connect()
        except BaseException:
            await self.close()
            raise

    async def _connect(self) -> ReaderInfo | None:
        timeout = self.settings.timeout
        reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.settings.host, self.settings.port), timeout
        )
        self._reader = reader
        first = await asyncio.wait_for(llrp.read_message(reader), timeout)
        self.received.append(first.name)
        if first.type != MessageType.READER_EVENT_NOTIFICATION:
            raise LlrpError(f"{self.where} spoke first with {first.name}, not READER_EVENT_NOTIFICATION")
        event = llrp.reader_event(first.body)
        if event.connection_attempt != llrp.ConnectionAttempt.SUCCESS:
            why = llrp.name_of(llrp.ConnectionAttempt, event.connection_attempt)
            raise ReaderRefused(f"{self.where} refused the connection: {why}")
        self._loop_task = asyncio.create_task(self._read_loop(), name=f"llrp-read-{self.where}")
        try:
            general = bytes([1])  # RequestedData 1: general device capabilities
            answer = await self._call(MessageType.GET_READER_CAPABILITIES, general)
            self.info = llrp.reader_info(answer.body)
        except LlrpError as e:  # optional: some readers restrict it; the inventory does not need it
            log.info("%s: no capabilities (%s)", self.where, e)
        return self.info

    async def start(self) -> None:
        spec = self.settings.rospec
        await self._call(MessageType.DELETE_ROSPEC, llrp.rospec_id_body(0))
        await self._call(MessageType.SET_READER_CONFIG, llrp.set_reader_config(self.settings.keepalive_ms))
        await self._call(MessageType.ADD_ROSPEC, spec.encode())
        await self._call(MessageType.ENABLE_ROSPEC, llrp.rospec_id_body(spec.rospec_id))
        if spec.start_trigger == StartTrigger.NULL:
            await self._call(MessageType.START_ROSPEC, llrp.rospec_id_body(spec.rospec_id))
        await self._send(Message(MessageType.ENABLE_EVENTS_AND_REPORTS, next(self._ids)))

    async def close(self) -> None:
        """Stop our ROSpec and say goodbye; never raises (the link may already be gone)."""
        if self._writer is None:
            return
        self._closing = True
        if self._lost is None and self._loop_task is not None and not self._loop_task.done():
            short = min(self.settings.timeout, 3.0)
            with contextlib.suppress(LlrpError, OSError, asyncio.TimeoutError):
                await self._call(
                    MessageType.DELETE_ROSPEC, llrp.rospec_id_body(self.settings.rospec.rospec_id), short
                )
                await self._call(MessageType.CLOSE_CONNECTION, b"", short)
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._loop_task
        self._writer.close()
        with contextlib.suppress(OSError, asyncio.TimeoutError):
            await asyncio.wait_for(self._writer.wait_closed(), 2.0)
        self._writer = None

    # -- reports ---------------------------------------------------------------------------------------------------

    async def reports(self) -> AsyncIterator[list[TagReport]]:
        """One list of tag reports per RO_ACCESS_REPORT, until the link ends."""
        while True:
            item = await self._reports.get()
            if item is _End:
                if self._closing:
                    return
                raise ReaderDisconnected(f"{self.where}: {self._lost or 'connection closed by the reader'}")
            assert isinstance(item, list)
            yield item

    # -- plumbing --------------------------------------------------------------------------------------------------

    async def _send(self, message: Message) -> None:
        if self._writer is None:
            raise ReaderDisconnected(f"{self.where}: not connected")
        async with self._write_lock:
            self._writer.write(message.encode())
            await self._writer.drain()

    async def _call(self, mtype: MessageType, body: bytes, wait: float | None = None) -> Message:
        if self._lost is not None:
            raise ReaderDisconnected(f"{self.where}: {self._lost}")
        message_id = next(self._ids)
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        try:
            await self._send(Message(mtype, message_id, body))
            answer = await asyncio.wait_for(future, wait or self.settings.timeout)
        finally:
            self._pending.pop(message_id, None)
        expected = llrp.RESPONSE_TO[mtype]
        if answer.type not in (expected, MessageType.ERROR_MESSAGE):
            raise LlrpError(f"{self.where} answered {mtype.name} with {answer.name}")
        status = llrp.status_of(answer.body)
        if not status.ok:
            name = llrp.name_of(llrp.StatusCode, status.code)
            raise LlrpError(
                f"{self.where} refused {mtype.name}: {name} {status.description}".rstrip(), status.code
            )
        return answer

    def _dead_after(self) -> float | None:
        keepalive = self.settings.keepalive_ms
        return None if not keepalive else max(3 * keepalive / 1000, self.settings.timeout)

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                message = await asyncio.wait_for(llrp.read_message(self._reader), self._dead_after())
                self.received.append(message.name)
                if message.type == MessageType.KEEPALIVE:
                    await self._send(Message(MessageType.KEEPALIVE_ACK, message.id))
                elif message.type == MessageType.RO_ACCESS_REPORT:
                    self._reports.put_nowait(llrp.tag_reports(message.body))
                elif message.type == MessageType.READER_EVENT_NOTIFICATION:
                    event = llrp.reader_event(message.body)
                    if event.connection_closed:
                        raise ReaderDisconnected("the reader is closing the connection")
                    log.debug("%s: reader event %s", self.where, event)
                elif message.id in self._pending:
                    future = self._pending[message.id]
                    if not future.done():
                        future.set_result(message)
                elif message.type == MessageType.ERROR_MESSAGE:
                    log.warning("%s: error message %s", self.where, llrp.status_of(message.body))
                else:
                    log.debug("%s: ignored %s", self.where, message.name)
        except asyncio.CancelledError:
            raise
        except asyncio.IncompleteReadError:
            self._lost = ReaderDisconnected("connection closed by the reader")
        except TimeoutError:
            self._lost = ReaderDisconnected(f"no keepalive for {self._dead_after():.0f}s; the link is dead")
        except (OSError, LlrpError) as e:
            self._lost = e
        finally:
            error = self._lost or ReaderDisconnected("reader connection ended")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ReaderDisconnected(f"{self.where}: {error}"))
            self._reports.put_nowait(_End)
