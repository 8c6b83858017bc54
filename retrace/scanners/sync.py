"""The offline-first sync client: drains a device's ``OutboxQueue`` into ``POST /api/v1/events``.

What it promises, and how:

- **Nothing lost.**  An event leaves the local queue only when the server's answer (201 or 200) lists its id as
  ``created`` or ``replayed``.  A connection refused, a timeout, a reset, a 5xx, a 503 or a
  ``CONCURRENT_MODIFICATION`` leave the batch where it is; it is sent again after an exponential backoff with full
  jitter (``Backoff``), honouring ``Retry-After``.
- **Nothing counted twice.**  Every event keeps the id it got when it was enqueued, so a batch sent again after a
  response was lost (the server committed, the device never heard) comes back as ``replayed`` and stores nothing.
- **Nothing blocks the queue for ever.**  A batch refused for a permanent reason (4xx naming the failing events:
  a rule violation, an unknown object, a malformed field) is all-or-nothing on the server, so only the events it
  names move to the dead-letter table, with the server's error; the rest are sent again at once.  A refusal that
  names no event (a 413 for the batch, a 4xx the server does not attribute) is narrowed down by halving the batch
  until it does, or the one event is known.  A 4xx that no single event can cause (a wrong URL, 401/403) stops the
  push and keeps every event: a misconfigured device must not throw its queue away.

The HTTP transport is injectable (``transport=``), so tests run the real app in-process with injected faults.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from retrace.domain import errors as codes
from retrace.scanners.outbox import Disposition, OutboxQueue, QueuedEvent, Refusal

log = logging.getLogger(__name__)

CAPTURE_PATH = "/api/v1/events"
DEFAULT_BATCH = 100

# Refusals a retry can fix: the server was busy, or lost a race with another device.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_TRANSIENT_CODES = frozenset({codes.CONCURRENT_MODIFICATION, "STORE_UNAVAILABLE"})


def _agent() -> str:
    try:
        return f"retrace-sync/{version('retrace')}"
    except PackageNotFoundError:  # a source tree that was never installed
        return "retrace-sync/0"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: attempt ``n`` waits a random time in ``[0, min(cap, base·2ⁿ)]``.

    Full jitter spreads the retries of many devices that lost the network at the same moment, so they do not
    all come back at once.  A server's ``Retry-After`` is a floor.
    """

    base: float = 0.5
    cap: float = 60.0

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        wait = rng.uniform(0.0, min(self.cap, self.base * 2.0 ** min(attempt, 32)))
        return max(wait, min(retry_after, self.cap)) if retry_after is not None else wait


@dataclass
class PushReport:
    """What one ``push`` did."""

    batches: int = 0
    created: int = 0
    replayed: int = 0
    dead: int = 0
    ignored: int = 0
    failures: int = 0  # deliveries that failed and will be retried
    pending: int = 0  # left in the queue when the push ended
    stopped: str | None = None  # why the push ended with events still queued
    errors: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return self.created + self.replayed


class _Kind(Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # some events named as failing for good
    NARROW = "narrow"  # refused without naming events: split the batch
    TRANSIENT = "transient"
    STOP = "stop"  # the device's configuration is wrong, not the events


@dataclass(frozen=True)
class _Answer:
    kind: _Kind
    detail: str = ""
    outcomes: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[int, Refusal] = field(default_factory=dict)
    refusal: Refusal | None = None
    retry_after: float | None = None
    max_batch: int | None = None


Sleep = Callable[[float], Awaitable[None]]


class SyncClient:
    """Sends a device's queued events to the platform, in batches, until the queue is empty or the server is out
    of reach.  Use as an async context manager, or call ``aclose()``."""

    def __init__(
        self,
        queue: OutboxQueue,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        batch_size: int = DEFAULT_BATCH,
        timeout: float = 30.0,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
        ignore_codes: frozenset[str] = frozenset(),
        headers: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.queue = queue
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.ignore_codes = ignore_codes
        self._sleep = sleep
        self._rng = rng or random.Random()
        device = queue.status().device_id
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"{_agent()} device/{device}", **(headers or {})},
        )

    async def __aenter__(self) -> SyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- pushing ---------------------------------------------------------------------------------------------------

    async def push(self, progress: Callable[[PushReport], None] | None = None) -> PushReport:
        """Send everything queued, oldest first.  Returns when the queue is empty, or when ``max_attempts``
        deliveries of one batch in a row failed (the events stay queued; call again later), or when the server
        says the device is misconfigured."""
        report = PushReport()
        failures_in_a_row = 0
        size = self.batch_size
        while True:
            batch = await asyncio.to_thread(self.queue.peek, size)
            if not batch:
                break
            answer = await self._deliver(batch)
            report.batches += 1
            if answer.kind is _Kind.ACCEPTED:
                failures_in_a_row = 0
                size = min(self.batch_size, size * 2)  # grow back after narrowing
                sent = {e.event_id for e in batch}  # an answer never removes an event it was not sent
                outcomes = {eid: status for eid, status in answer.outcomes.items() if eid in sent}
                await asyncio.to_thread(self.queue.acknowledge, outcomes)
                for status in outcomes.values():
                    if status == "created":
                        report.created += 1
                    else:
                        report.replayed += 1
                missing = [e.event_id for e in batch if e.event_id not in outcomes]
                if missing:  # a server that answers for fewer events than it got: keep them, say so
                    problem = f"the server did not answer for {len(missing)} event(s); they stay queued"
                    report.errors.append(problem)
                    await asyncio.to_thread(self.queue.record_failure, missing, problem)
                    report.stopped = problem
                    break
            elif answer.kind is _Kind.REFUSED:
                failures_in_a_row = 0
                refused = [
                    (batch[i], refusal, self._disposition(refusal))
                    for i, refusal in sorted(answer.refused.items())
                ]
                await asyncio.to_thread(self.queue.dead_letter, refused)
                for event, refusal, disposition in refused:
                    if disposition is Disposition.IGNORED:
                        report.ignored += 1
                    else:
                        report.dead += 1
                        log.warning(
                            "event %s refused for good: %s %s", event.event_id, refusal.code, refusal.message
                        )
            elif answer.kind is _Kind.NARROW:
                failures_in_a_row = 0
                if len(batch) == 1:
                    assert answer.refusal is not None
                    refusal = answer.refusal
                    await asyncio.to_thread(
                        self.queue.dead_letter, [(batch[0], refusal, self._disposition(refusal))]
                    )
                    report.dead += 1
                else:
                    size = max(1, min(len(batch) // 2, answer.max_batch or len(batch)))
            elif answer.kind is _Kind.STOP:
                report.stopped = answer.detail
                report.errors.append(answer.detail)
                await asyncio.to_thread(self.queue.record_failure, [e.event_id for e in batch], answer.detail)
                break
            else:
                report.failures += 1
                failures_in_a_row += 1
                report.errors.append(answer.detail)
                await asyncio.to_thread(self.queue.record_failure, [e.event_id for e in batch], answer.detail)
                if failures_in_a_row >= self.max_attempts:
                    report.stopped = f"gave up after {failures_in_a_row} failed deliveries: {answer.detail}"
                    break
                wait = self.backoff.delay(failures_in_a_row - 1, self._rng, answer.retry_after)
                log.info("delivery failed (%s); retrying in %.2fs", answer.detail, wait)
                await self._sleep(wait)
            if progress is not None:
                progress(report)
        report.pending = (await asyncio.to_thread(self.queue.status)).pending
        return report

    async def run(self, stop: asyncio.Event, *, wake: asyncio.Event | None = None, idle: float = 5.0) -> None:
        """Push whenever ``wake`` is set or every ``idle`` seconds, until ``stop`` is set (a gateway's loop)."""
        wake = wake or asyncio.Event()
        while not stop.is_set():
            wake.clear()
            report = await self.push()
            if report.stopped:
                log.warning("sync paused: %s (%d event(s) queued)", report.stopped, report.pending)
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            try:
                await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    def _disposition(self, refusal: Refusal) -> Disposition:
        return Disposition.IGNORED if refusal.code in self.ignore_codes else Disposition.DEAD

    # -- one delivery ----------------------------------------------------------------------------------------------

    async def _deliver(self, batch: Sequence[QueuedEvent]) -> _Answer:
        try:
            response = await self._http.post(CAPTURE_PATH, json={"events": [e.body for e in batch]})
        except httpx.TransportError as e:  # refused, reset, timed out, or the answer was lost on the way
            return _Answer(_Kind.TRANSIENT, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)
        status = response.status_code
        if status in (200, 201):
            return _accepted(response)
        error = _error_of(response)
        code = str(error.get("code", "")) if error else ""
        retry_after = _retry_after(response)
        if status >= 500 or status in _TRANSIENT_STATUSES or code in _TRANSIENT_CODES:
            return _Answer(_Kind.TRANSIENT, f"HTTP {status} {code}".strip(), retry_after=retry_after)
        if 400 <= status < 500:
            refused = _per_event(error, status, len(batch))
            if refused:
                return _Answer(_Kind.REFUSED, f"HTTP {status} {code}", refused=refused)
            if status in (413, 422) or code in (codes.VALIDATION_ERROR, codes.BATCH_TOO_LARGE):
                details = error.get("details", {}) if error else {}
                max_batch = details.get("max_batch") if isinstance(details, dict) else None
                return _Answer(
                    _Kind.NARROW,
                    f"HTTP {status} {code}",
                    refusal=_refusal(error or {}, status),
                    max_batch=max_batch if isinstance(max_batch, int) and max_batch > 0 else None,
                )
            what = (error or {}).get("message") or response.reason_phrase
            return _Answer(
                _Kind.STOP,
                f"HTTP {status} {code or ''} from {response.request.url}: {what}; check the server URL and access "
                "(events stay queued)",
            )
        return _Answer(_Kind.TRANSIENT, f"unexpected HTTP {status}")


def _accepted(response: httpx.Response) -> _Answer:
    try:
        body = response.json()
        outcomes = {str(o["event_id"]): str(o["status"]) for o in body["outcomes"]}
    except (ValueError, KeyError, TypeError) as e:
        # The server may have stored the batch: sending it again is a harmless replay, dropping it is not.
        return _Answer(_Kind.TRANSIENT, f"unreadable answer to a {response.status_code}: {e}")
    return _Answer(
        _Kind.ACCEPTED, outcomes={k: v for k, v in outcomes.items() if v in ("created", "replayed")}
    )


def _error_of(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


def _refusal(entry: Mapping[str, Any], status: int) -> Refusal:
    return Refusal(
        code=str(entry.get("code") or f"HTTP_{status}"),
        message=str(entry.get("message") or ""),
        message_zh=str(entry.get("message_zh") or entry.get("message") or ""),
        field=entry.get("field") if isinstance(entry.get("field"), str) else None,
        http_status=status,
        error=dict(entry),
    )


def _per_event(error: Mapping[str, Any] | None, status: int, size: int) -> dict[int, Refusal]:
    """The events a refusal names (``details.errors[].index``), each with its first error."""
    details = (error or {}).get("details")
    entries = details.get("errors") if isinstance(details, dict) else None
    refused: dict[int, Refusal] = {}
    for entry in entries if isinstance(entries, list) else []:
        index = entry.get("index") if isinstance(entry, dict) else None
        if isinstance(index, int) and 0 <= index < size and index not in refused:
            refused[index] = _refusal(entry, status)
    return refused
