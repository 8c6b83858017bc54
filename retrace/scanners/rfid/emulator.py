"""An LLRP reader emulator on loopback: the other end of the bridge, for tests and for trying the bridge out.

It speaks the subset of ``llrp`` as a fixed reader would: it greets a client with a ConnectionAttemptEvent (and
refuses a second client while one is connected), answers capabilities, keepalive configuration and ROSpec
management with LLRPStatus (refusing what it does not support with the spec's status codes), sends KEEPALIVEs
and counts the ACKs, and, once an ROSpec runs, plays a script of tag reads as RO_ACCESS_REPORTs: every N tags as
the ROReportSpec asks, with the fields its TagReportContentSelector asks for, EPC-96 for 96-bit EPCs and EPCData
otherwise.  Faults on request: messages written in small pieces (so the client must reassemble them), and the
connection dropped after some reports (the script goes on where it stopped when a client reconnects).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from retrace.scanners.rfid import llrp
from retrace.scanners.rfid.llrp import (
    ConnectionAttempt,
    LlrpError,
    Message,
    MessageType,
    ReaderInfo,
    RoSpec,
    StartTrigger,
    Status,
    StatusCode,
    TagReport,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScriptedRead:
    """One sighting of a tag: its EPC memory as hex digits (whole bytes), on which antenna, after what pause."""

    epc: str
    antenna: int = 1
    rssi: int = -55
    after: float = 0.0  # seconds after the previous read


def utc_now() -> datetime:
    return datetime.now(UTC)


class ReaderEmulator:
    def __init__(
        self,
        script: Sequence[ScriptedRead] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        info: ReaderInfo | None = None,
        use_epc96: bool = True,
        chunk_size: int | None = None,
        drop_after_reports: int | None = None,
        loop_script: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.script = list(script)
        self.host = host
        self.port = port
        self.info = info or ReaderInfo(0, 1, "retrace-emulator 1.0", 4, True)
        self.use_epc96 = use_epc96
        self.chunk_size = chunk_size
        self.drop_after_reports = drop_after_reports
        self.loop_script = loop_script
        self.clock = clock
        # What happened, for tests and the operator's console.
        self.received: list[str] = []
        self.connections = 0
        self.refused_connections = 0
        self.reports_sent = 0
        self.tags_sent = 0
        self.keepalives_sent = 0
        self.keepalive_acks = 0
        self.position = 0  # next read of the script
        self.finished = asyncio.Event()  # the whole script was reported
        self.frozen = False  # hung: reads nothing, sends nothing, keeps the socket open
        self._server: asyncio.Server | None = None
        self._active: asyncio.StreamWriter | None = None
        self._rospecs: dict[int, RoSpec] = {}
        self._enabled: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._keepalive_ms = 0
        self._next_id = 0x7000_0000  # reader-initiated messages: ids of their own
        self._write_lock = asyncio.Lock()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._active is not None:
            self._active.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def freeze(self) -> None:
        """Hang like a reader behind a dead Wi-Fi bridge: the socket stays open and nothing more comes."""
        self.frozen = True
        self._stop_tasks()

    async def __aenter__(self) -> ReaderEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- one client ------------------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._active is not None:
            self.refused_connections += 1
            await self._write(
                writer, self._notification(ConnectionAttempt.CLIENT_INITIATED_CONNECTION_EXISTS)
            )
            writer.close()
            return
        self._active = writer
        self.connections += 1
        try:
            await self._write(writer, self._notification(ConnectionAttempt.SUCCESS))
            while True:
                message = await llrp.read_message(reader)
                if self.frozen:
                    continue
                self.received.append(message.name)
                if not await self._handle(message, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, LlrpError) as e:
            log.debug("emulator: client gone (%s)", e)
        finally:
            self._stop_tasks()
            self._active = None
            writer.close()

    async def _handle(self, message: Message, writer: asyncio.StreamWriter) -> bool:
        """Answer one message; False when the connection is to end."""
        kind = message.type
        if message.version != llrp.VERSION:
            await self._answer(writer, MessageType.ERROR_MESSAGE, message, StatusCode.UNSUPPORTED_VERSION)
            return True
        if kind == MessageType.KEEPALIVE_ACK:
            self.keepalive_acks += 1
            return True
        if kind == MessageType.ENABLE_EVENTS_AND_REPORTS:
            return True  # nothing held back: reports are sent as they happen
        if kind not in llrp.RESPONSE_TO:
            await self._answer(writer, MessageType.ERROR_MESSAGE, message, StatusCode.UNSUPPORTED_MESSAGE)
            return True
        response = llrp.RESPONSE_TO[MessageType(kind)]
        try:
            extra = self._apply(MessageType(kind), message.body, writer)
        except LlrpError as e:
            await self._answer(writer, response, message, e.status, str(e))
            return True
        await self._answer(writer, response, message, StatusCode.SUCCESS, extra=extra)
        return kind != MessageType.CLOSE_CONNECTION

    def _apply(self, kind: MessageType, body: bytes, writer: asyncio.StreamWriter) -> bytes:
        if kind == MessageType.GET_READER_CAPABILITIES:
            return self.info.encode()
        if kind == MessageType.SET_READER_CONFIG:
            period = llrp.keepalive_of(body)
            if period is not None:
                self._keepalive_ms = period
                self._restart_keepalives(writer)
            return b""
        if kind == MessageType.ADD_ROSPEC:
            spec = RoSpec.decode(body)
            if spec.rospec_id in self._rospecs:
                raise LlrpError(f"ROSpec {spec.rospec_id} already exists", StatusCode.INVALID)
            self._rospecs[spec.rospec_id] = spec
            return b""
        if kind == MessageType.CLOSE_CONNECTION:
            return b""
        rospec_id = llrp.rospec_id_of(body)
        targets = list(self._rospecs) if rospec_id == 0 else [rospec_id]
        if rospec_id != 0 and rospec_id not in self._rospecs:
            raise LlrpError(f"no ROSpec {rospec_id}", StatusCode.INVALID)
        for target in targets:
            spec = self._rospecs[target]
            if kind == MessageType.DELETE_ROSPEC:
                self._stop_inventory()
                self._enabled.discard(target)
                del self._rospecs[target]
            elif kind == MessageType.ENABLE_ROSPEC:
                self._enabled.add(target)
                if spec.start_trigger == StartTrigger.IMMEDIATE:
                    self._start_inventory(spec, writer)
            elif kind == MessageType.START_ROSPEC:
                if target not in self._enabled:
                    raise LlrpError(f"ROSpec {target} is not enabled", StatusCode.INVALID)
                self._start_inventory(spec, writer)
            elif kind in (MessageType.STOP_ROSPEC, MessageType.DISABLE_ROSPEC):
                self._stop_inventory()
                if kind == MessageType.DISABLE_ROSPEC:
                    self._enabled.discard(target)
        return b""

    # -- what the reader sends by itself ---------------------------------------------------------------------------

    def _notification(self, attempt: ConnectionAttempt) -> Message:
        self._next_id += 1
        body = llrp.reader_event_notification(self.clock(), connection_attempt=attempt)
        return Message(MessageType.READER_EVENT_NOTIFICATION, self._next_id, body)

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _stop_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _stop_inventory(self) -> None:
        for task in list(self._tasks):
            if task.get_name() == "inventory":
                task.cancel()

    def _start_inventory(self, spec: RoSpec, writer: asyncio.StreamWriter) -> None:
        self._stop_inventory()
        self._spawn(self._inventory(spec, writer), "inventory")

    def _restart_keepalives(self, writer: asyncio.StreamWriter) -> None:
        for task in list(self._tasks):
            if task.get_name() == "keepalive":
                task.cancel()
        if self._keepalive_ms:
            self._spawn(self._keepalives(writer), "keepalive")

    async def _keepalives(self, writer: asyncio.StreamWriter) -> None:
        while True:
            await asyncio.sleep(self._keepalive_ms / 1000)
            self._next_id += 1
            await self._write(writer, Message(MessageType.KEEPALIVE, self._next_id))
            self.keepalives_sent += 1

    async def _inventory(self, spec: RoSpec, writer: asyncio.StreamWriter) -> None:
        every = spec.report_every_n_tags if spec.report_every_n_tags > 0 else len(self.script) or 1
        pending: list[TagReport] = []
        while self.position < len(self.script):
            if (
                not pending
                and self.drop_after_reports is not None
                and self.reports_sent >= self.drop_after_reports
            ):
                self.drop_after_reports = None  # once; the script goes on when a client reconnects
                writer.transport.abort()  # no CLOSE_CONNECTION, no goodbye: the link just ends
                return
            read = self.script[self.position]
            if read.after:
                await asyncio.sleep(read.after)
            if spec.antennas != (0,) and read.antenna not in spec.antennas:
                self.position += 1  # that antenna is not inventoried: the tag is never seen
            else:
                pending.append(self._report(read, spec))
                self.position += 1
            if len(pending) >= every or (pending and self.position == len(self.script)):
                await self._send_report(pending, spec, writer)
                pending = []
            if self.position == len(self.script) and self.loop_script:
                self.position = 0
        self.finished.set()

    def _report(self, read: ScriptedRead, spec: RoSpec) -> TagReport:
        epc = bytes.fromhex(read.epc)
        seen = self.clock()
        return TagReport(
            epc=epc,
            epc_bits=len(epc) * 8,
            antenna_id=read.antenna,
            peak_rssi=read.rssi,
            channel_index=1,
            first_seen=seen,
            last_seen=seen + timedelta(milliseconds=20),
            seen_count=1,
            rospec_id=spec.rospec_id,
            spec_index=1,
            inventory_parameter_spec_id=spec.inventory_parameter_spec_id,
        )

    async def _send_report(
        self, reports: list[TagReport], spec: RoSpec, writer: asyncio.StreamWriter
    ) -> None:
        self._next_id += 1
        body = llrp.ro_access_report(reports, spec.selector, use_epc96=self.use_epc96)
        await self._write(writer, Message(MessageType.RO_ACCESS_REPORT, self._next_id, body))
        self.reports_sent += 1
        self.tags_sent += len(reports)

    # -- writing ---------------------------------------------------------------------------------------------------

    async def _answer(
        self,
        writer: asyncio.StreamWriter,
        kind: MessageType,
        request: Message,
        code: int,
        description: str = "",
        extra: bytes = b"",
    ) -> None:
        body = Status(code, description).encode() + extra
        await self._write(writer, Message(kind, request.id, body))

    async def _write(self, writer: asyncio.StreamWriter, message: Message) -> None:
        data = message.encode()
        # One message at a time: answers, reports and keepalives come from different tasks and must not interleave.
        async with self._write_lock:
            if not self.chunk_size:
                writer.write(data)
                await writer.drain()
                return
            for start in range(0, len(data), self.chunk_size):
                writer.write(data[start : start + self.chunk_size])
                await writer.drain()
                await asyncio.sleep(0)  # let the pieces travel as separate segments


def script_from_lines(lines: Sequence[str]) -> list[ScriptedRead]:
    """A script from text: one read per line, ``EPC-HEX [antenna [pause-seconds]]``; ``#`` starts a comment."""
    reads: list[ScriptedRead] = []
    for number, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        try:
            bytes.fromhex(parts[0])
            antenna = int(parts[1]) if len(parts) > 1 else 1
            after = float(parts[2]) if len(parts) > 2 else 0.0
        except ValueError as e:
            raise ValueError(
                f"line {number}: {raw.strip()!r}: {e} (expected EPC-HEX [antenna [pause]])"
            ) from e
        reads.append(ScriptedRead(parts[0].upper(), antenna, after=after))
    return reads
