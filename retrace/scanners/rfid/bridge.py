"""The RFID bridge: tag reads from an LLRP reader become capture events in the device's durable queue.

A portal at a receiving dock sees every tag that passes, many times a second and for as long as it stays in the
field.  The bridge turns that into events the platform can use:

1. **Repeats are suppressed** (``RepeatFilter``): a tag counts again only after it was out of sight for ``window``
   (a sliding window: every sighting, counted or not, restarts it).  A tag sitting next to the portal all day counts
   once, not 50 000 times.  The sightings are kept in the queue file (with the events they counted, and refreshed
   at least every half window), so a bridge restarted within the window goes on suppressing the same tags.
2. **EPCs are decoded** with the domain's ``Epc`` (every binary encoding of the EPC Tag Data Standard).  A tag of
   a traced unit (SGTIN-96/198: a trade item; SSCC-96: a cage or pallet; GRAI-96/170: a returnable crate) becomes
   an event.  A tag of another scheme decodes but names no item — an SGLN on the dock door, a GIAI on a forklift,
   a GDTI on a document — and is counted as *other* (``BridgeStats.other``, logged at info) and never submitted:
   such tags sit in every portal's field and are not faults.  A read that does not decode (a blank tag's factory
   EPC, a truncated read, reserved bits set) is reported — logged, counted, kept in the queue file's
   ``unreadable_tag`` table — and never submitted.
3. **Each counted tag becomes one ``receive`` event** at the bridge's site and party, at the time the reader first
   saw it (``FirstSeenTimestampUTC``; the bridge's clock if the reader gives none or is not trusted), naming the
   tag by its EPC pure-identity URN.  One event per tag, so a tag the platform refuses never takes the others
   down with it.  ``receive`` is what the domain has for "this party now has it here": it takes an item out of
   transit to this party, or takes custody from another holder.  A tag the party already holds is refused by the
   platform with ``ALREADY_HELD``; the bridge's sync client sets that refusal aside as *ignored*, not dead.
4. Events go into the ``OutboxQueue`` first (one transaction per RO_ACCESS_REPORT) and reach the platform through
   the sync client, with its retries and its exactly-once guarantee.

If the reader goes away, the bridge reconnects with backoff; reads the reader could not deliver meanwhile are the
reader's to buffer or lose (LLRP readers differ), but nothing the bridge has queued is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from retrace.domain import errors as codes
from retrace.domain.errors import InvalidIdentifier
from retrace.domain.identifiers import Epc, EpcHex
from retrace.scanners.outbox import OutboxQueue
from retrace.scanners.rfid.client import LlrpClient, ReaderSettings
from retrace.scanners.rfid.llrp import LlrpError, TagReport
from retrace.scanners.sync import Backoff, SyncClient

log = logging.getLogger(__name__)

# What a portal's sync client sets aside instead of reporting as dead: the party already holds the tagged item.
PORTAL_IGNORED_CODES = frozenset({codes.ALREADY_HELD})


def utc_now() -> datetime:
    return datetime.now(UTC)


class RepeatFilter:
    """Counts a key again only after it was not seen for ``window`` (sliding: each sighting restarts the window).

    ``restore`` takes sightings kept from an earlier run; ``unsaved`` says which sightings should be kept now:
    those never kept, and those kept more than half a window before their latest sighting (so a kept time is
    never more than half a window stale, and a tag that stays in the field stays suppressed across a restart that
    is shorter than half a window)."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self._last_seen: dict[str, datetime] = {}
        self._saved: dict[str, datetime] = {}
        self._sightings = 0

    def restore(self, sightings: dict[str, datetime]) -> None:
        for key, seen_at in sightings.items():
            last = self._last_seen.get(key)
            self._last_seen[key] = seen_at if last is None else max(last, seen_at)
            self._saved[key] = self._last_seen[key]

    def unsaved(self) -> dict[str, datetime]:
        """The sightings to keep now, marked as kept (the caller stores them)."""
        out: dict[str, datetime] = {}
        for key, seen_at in self._last_seen.items():
            saved = self._saved.get(key)
            if saved is None or seen_at - saved >= self.window / 2:
                out[key] = self._saved[key] = seen_at
        return out

    def admit(self, key: str, seen_at: datetime) -> bool:
        last = self._last_seen.get(key)
        # A reader clock that steps back must not make a repeat look new: keep the latest sighting.
        self._last_seen[key] = seen_at if last is None else max(last, seen_at)
        self._sightings += 1
        if self._sightings % 1024 == 0:
            self._forget_before(seen_at - self.window)
        return last is None or seen_at - last >= self.window

    def _forget_before(self, moment: datetime) -> None:
        for key in [k for k, t in self._last_seen.items() if t < moment]:
            del self._last_seen[key]
            self._saved.pop(key, None)

    def __len__(self) -> int:
        return len(self._last_seen)


@dataclass(frozen=True)
class BridgeConfig:
    site_id: str
    party_id: str
    from_party_id: str | None = None  # who hands the goods over, if the dock always receives from one party
    window: timedelta = timedelta(seconds=30)
    reader_name: str = ""
    # Event time: when the reader first saw the tag (its clock must be right: a clock far ahead makes the platform
    # refuse events as EVENT_TIME_IN_FUTURE), or, if False, when the bridge received the report.
    use_reader_clock: bool = True


@dataclass
class BridgeStats:
    reads: int = 0  # tag reports received
    repeats: int = 0  # suppressed by the window
    submitted: int = 0  # receive events queued
    unreadable: int = 0  # reads that did not decode (reported, not submitted)
    other: int = 0  # tags that decode but name no traced unit: locations, assets, documents … (not submitted)
    connections: int = 0
    last_error: str | None = None
    unreadable_epcs: list[tuple[str, str]] = field(default_factory=list)  # (hex, reason), latest last
    other_epcs: list[tuple[str, str]] = field(default_factory=list)  # (hex, pure-identity URN), latest last


class RfidBridge:
    def __init__(
        self,
        config: BridgeConfig,
        queue: OutboxQueue,
        *,
        wake: asyncio.Event | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self.queue = queue
        self.wake = wake or asyncio.Event()
        self.clock = clock
        self.filter = RepeatFilter(config.window)
        # A restart within the window must not count the same tags again.
        self.filter.restore(queue.sightings())
        self.stats = BridgeStats()

    def event_for(self, tag: EpcHex, seen_at: datetime) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "receive",
            "event_time": seen_at.isoformat(),
            "site_id": self.config.site_id,
            "party_id": self.config.party_id,
            "objects": [tag.identity.urn],
        }
        if self.config.from_party_id:
            event["from_party_id"] = self.config.from_party_id
        return event

    async def handle(self, reports: Sequence[TagReport]) -> list[str]:
        """Filter, decode and queue one RO_ACCESS_REPORT's reads; return the ids of the events queued."""
        events: list[dict[str, Any]] = []
        unreadable: list[tuple[TagReport, str, datetime]] = []
        for report in reports:
            self.stats.reads += 1
            seen_at = (report.first_seen if self.config.use_reader_clock else None) or self.clock()
            epc: Epc | None
            try:
                epc = Epc.from_hex(report.epc_hex)
                # A tag of another scheme is kept apart by its URN, which no traced key can equal.
                key, reason = (epc.identity.key if epc.identity else epc.urn), ""
            except InvalidIdentifier as e:
                epc, key, reason = None, f"raw:{report.epc_hex}", e.message
            if not self.filter.admit(key, seen_at):
                self.stats.repeats += 1
                continue
            if epc is None:
                unreadable.append((report, reason, seen_at))
                continue
            if epc.identity is None:
                self._note_other(report, epc)
                continue
            events.append(self.event_for(EpcHex.of(epc), seen_at))
        for report, reason, seen_at in unreadable:
            self.stats.unreadable += 1
            self.stats.unreadable_epcs.append((report.epc_hex, reason))
            del self.stats.unreadable_epcs[:-100]
            log.warning("unreadable tag %s on antenna %s: %s", report.epc_hex, report.antenna_id, reason)
            await asyncio.to_thread(
                self.queue.note_unreadable,
                report.epc_hex,
                reason,
                seen_at=seen_at,
                antenna=report.antenna_id,
                reader=self.config.reader_name or None,
            )
        sightings = self.filter.unsaved()
        if not events:
            if sightings:  # kept on their own: no event to keep them with
                latest = max(sightings.values())
                await asyncio.to_thread(self.queue.note_sightings, sightings, latest - self.config.window)
            return []
        ids = await asyncio.to_thread(self.queue.enqueue_many, events, sightings)
        self.stats.submitted += len(ids)
        self.wake.set()
        return ids

    def _note_other(self, report: TagReport, epc: Epc) -> None:
        self.stats.other += 1
        self.stats.other_epcs.append((report.epc_hex, epc.urn))
        del self.stats.other_epcs[:-100]
        log.info(
            "tag %s on antenna %s is %s, %s: not an item, not submitted",
            report.epc_hex,
            report.antenna_id,
            epc.urn,
            epc.names[0],
        )

    async def run(
        self,
        reader: ReaderSettings,
        stop: asyncio.Event,
        *,
        backoff: Backoff | None = None,
        connect: Callable[[ReaderSettings], LlrpClient] = LlrpClient,
    ) -> None:
        """Read from the reader until ``stop`` is set, reconnecting with backoff whenever the link is lost."""
        backoff = backoff or Backoff(base=1.0, cap=60.0)
        rng = random.Random()
        failures = 0
        while not stop.is_set():
            client = connect(reader)
            try:
                info = await client.connect()
                await client.start()
                self.stats.connections += 1
                failures = 0
                log.info(
                    "connected to reader %s (%s)", client.where, info.firmware if info else "no capabilities"
                )
                await _until(stop, self._consume(client))
            except (OSError, LlrpError, TimeoutError) as e:
                self.stats.last_error = f"{type(e).__name__}: {e}"
                log.warning("reader %s: %s", client.where, self.stats.last_error)
            finally:
                await client.close()
            if stop.is_set():
                break
            wait = backoff.delay(failures, rng)
            failures += 1
            await _until(stop, asyncio.sleep(wait))

    async def _consume(self, client: LlrpClient) -> None:
        async for reports in client.reports():
            await self.handle(reports)


async def _until(stop: asyncio.Event, work: Any) -> None:
    """Run ``work`` until it ends or ``stop`` is set, whichever comes first; its errors propagate."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.done() and not task.cancelled():
        task.result()


async def run_gateway(
    bridge: RfidBridge,
    reader: ReaderSettings,
    sync: SyncClient,
    stop: asyncio.Event,
    *,
    push_every: float = 5.0,
    reconnect: Backoff | None = None,
) -> None:
    """The bridge and its sync client side by side: reads are queued at once and pushed as soon as they are."""
    await asyncio.gather(
        bridge.run(reader, stop, backoff=reconnect),
        sync.run(stop, wake=bridge.wake, idle=push_every),
    )
