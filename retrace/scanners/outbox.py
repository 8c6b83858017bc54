"""The device's durable local queue: one SQLite file that survives power loss, reboots and days offline.

An event is written here first, with the id it keeps for ever (a UUID4 made at enqueue time, unless the caller
brought one), and leaves the ``outbox`` table only when the server has acknowledged it, or moves to
``dead_letter`` when the server refused it for good.  The file runs in WAL mode with ``synchronous=FULL``: a call
that returned has reached the disk, so an event a worker saw accepted on the screen is never lost to a power cut.

Tables:

- ``outbox``: events waiting to be sent, in the order they were enqueued (``seq``).
- ``dead_letter``: events the server refused for a reason a retry cannot fix, with its error (``disposition``
  ``dead``), or with a code the device chose to ignore (``ignored``, e.g. ``ALREADY_HELD`` for an RFID portal that
  sees what already sits in the yard).  An operator can requeue them after fixing the cause (same id: still no
  duplicate).
- ``unreadable_tag``: RFID reads that could not be decoded into an identifier (reported, never submitted).
- ``sighting``: when an RFID portal last saw each tag still inside its repeat window, so that a bridge restarted
  within the window keeps suppressing the tags that sat in the field meanwhile.
- ``counter``: acknowledged totals and the last push's outcome, for ``trace sync status``.

Several processes may share the file (a bridge pushing in the background and an operator's ``trace sync push``):
every change is one ``BEGIN IMMEDIATE`` transaction, and a batch sent twice is answered as a replay.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from retrace.domain import errors as codes
from retrace.domain.errors import Conflict, InvalidInput

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS dead_letter (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    disposition TEXT NOT NULL,
    http_status INTEGER,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    message_zh TEXT NOT NULL,
    field TEXT,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unreadable_tag (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seen_at TEXT NOT NULL,
    epc TEXT NOT NULL,
    reason TEXT NOT NULL,
    antenna INTEGER,
    reader TEXT
);
CREATE TABLE IF NOT EXISTS sighting (
    key TEXT PRIMARY KEY,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counter (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Counters kept in the ``counter`` table.
CREATED = "created"
REPLAYED = "replayed"
DEVICE_ID = "device_id"
LAST_PUSH_AT = "last_push_at"
LAST_SUCCESS_AT = "last_success_at"
LAST_ERROR = "last_error"


class Disposition(StrEnum):
    DEAD = "dead"  # refused for good; needs a person
    IGNORED = "ignored"  # refused with a code the device was told to ignore


@dataclass(frozen=True)
class QueuedEvent:
    seq: int
    event_id: str
    body: dict[str, Any]
    enqueued_at: datetime
    attempts: int


@dataclass(frozen=True)
class Refusal:
    """The server's reason for refusing one event, as its error body gave it."""

    code: str
    message: str
    message_zh: str
    field: str | None = None
    http_status: int | None = None  # of the answer that refused it (a batch's status is its worst error's)
    error: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    event_id: str
    body: dict[str, Any]
    enqueued_at: datetime
    failed_at: datetime
    disposition: Disposition
    refusal: Refusal


@dataclass(frozen=True)
class UnreadableTag:
    seen_at: datetime
    epc: str
    reason: str
    antenna: int | None
    reader: str | None


@dataclass(frozen=True)
class QueueStatus:
    path: Path
    device_id: str
    pending: int
    oldest_pending_at: datetime | None
    max_attempts: int
    dead: int
    ignored: int
    unreadable_tags: int
    created: int
    replayed: int
    last_push_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInput(
                "a timestamp needs a timezone offset",
                code=codes.VALIDATION_ERROR,
                message_zh="时间需要时区偏移",
                field="event_time",
            )
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # kilograms as printed by the scale: no binary rounding
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(body: Mapping[str, Any]) -> str:
    return json.dumps(body, default=_json_default, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _dead_letter(row: tuple[Any, ...]) -> DeadLetter:
    (
        seq,
        event_id,
        body,
        enqueued_at,
        failed_at,
        disposition,
        status,
        code,
        message,
        message_zh,
        field,
        error,
    ) = row
    return DeadLetter(
        seq,
        event_id,
        json.loads(body),
        datetime.fromisoformat(enqueued_at),
        datetime.fromisoformat(failed_at),
        Disposition(disposition),
        Refusal(code, message, message_zh, field, status, json.loads(error)),
    )


class OutboxQueue:
    """The durable local queue of one device.  Thread-safe; every method is one short transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE … COMMIT), never implicit.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._lock = threading.Lock()
        with self._lock:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. a network file system: say so instead of losing durability
                self._db.close()
                raise OSError(f"{self.path}: the queue needs a local disk (SQLite WAL mode refused: {mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(_SCHEMA)
            with self._tx():
                self._db.execute(
                    "INSERT OR IGNORE INTO counter(name, value) VALUES (?, ?)", (DEVICE_ID, str(uuid.uuid4()))
                )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> OutboxQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- enqueue ---------------------------------------------------------------------------------------------------

    def enqueue(self, event: Mapping[str, Any]) -> str:
        """Store one event durably and return its id (made here, once, unless the event brings one)."""
        return self.enqueue_many([event])[0]

    def enqueue_many(
        self, events: Iterable[Mapping[str, Any]], sightings: Mapping[str, datetime] | None = None
    ) -> list[str]:
        """Store events durably in one transaction (all or none), in order; return their ids.  ``sightings`` (an
        RFID portal's tags and when it last saw them) are kept in the same transaction, so that the events and the
        sightings that counted them are stored together or not at all.

        An event that brings an ``event_id`` already queued is accepted again only with the same content (a
        device retrying its own enqueue); with other content it is ``EVENT_ID_CONFLICT``.
        """
        prepared: list[tuple[str, str]] = []
        for index, event in enumerate(events):
            body = dict(event)
            if not isinstance(body.get("type"), str):
                raise InvalidInput(
                    f"event {index} has no type",
                    code=codes.VALIDATION_ERROR,
                    message_zh=f"第 {index} 个事件缺少 type",
                    field="type",
                )
            event_id = body.get("event_id") or str(uuid.uuid4())
            if not isinstance(event_id, str) or not 0 < len(event_id) <= 128:
                raise InvalidInput(
                    "event_id must be a string of 1 to 128 characters",
                    code=codes.VALIDATION_ERROR,
                    message_zh="event_id 须为 1 到 128 个字符",
                    field="event_id",
                )
            body["event_id"] = event_id
            prepared.append((event_id, canonical_json(body)))
        now = _now().isoformat()
        with self._lock, self._tx():
            for event_id, text in prepared:
                row = self._db.execute(
                    "SELECT body FROM outbox WHERE event_id = ? UNION ALL SELECT body FROM dead_letter "
                    "WHERE event_id = ?",
                    (event_id, event_id),
                ).fetchone()
                if row is not None:
                    if row[0] != text:
                        raise Conflict(
                            f"event {event_id} is already queued with other content",
                            code=codes.EVENT_ID_CONFLICT,
                            message_zh="相同事件编号已以不同内容排队",
                            field="event_id",
                        )
                    continue
                self._db.execute(
                    "INSERT INTO outbox(event_id, body, enqueued_at) VALUES (?, ?, ?)", (event_id, text, now)
                )
            self._keep_sightings(sightings or {}, None)
        return [event_id for event_id, _ in prepared]

    # -- sending ---------------------------------------------------------------------------------------------------

    def peek(self, limit: int) -> list[QueuedEvent]:
        """The oldest ``limit`` waiting events, in enqueue order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, body, enqueued_at, attempts FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            QueuedEvent(seq, eid, json.loads(body), datetime.fromisoformat(at), n)
            for seq, eid, body, at, n in rows
        ]

    def acknowledge(self, outcomes: Mapping[str, str]) -> int:
        """Remove the events the server acknowledged (``event_id`` → ``created`` or ``replayed``); count them."""
        created = sum(1 for status in outcomes.values() if status == "created")
        replayed = len(outcomes) - created
        now = _now().isoformat()
        with self._lock, self._tx():
            removed = 0
            for event_id in outcomes:
                removed += self._db.execute("DELETE FROM outbox WHERE event_id = ?", (event_id,)).rowcount
            self._add(CREATED, created)
            self._add(REPLAYED, replayed)
            self._set(LAST_SUCCESS_AT, now)
            self._set(LAST_PUSH_AT, now)
            self._db.execute("DELETE FROM counter WHERE name = ?", (LAST_ERROR,))
        return removed

    def record_failure(self, event_ids: Sequence[str], error: str) -> None:
        """A batch could not be delivered (network, server busy): count the attempt, keep the events."""
        with self._lock, self._tx():
            for event_id in event_ids:
                self._db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?",
                    (error, event_id),
                )
            self._set(LAST_PUSH_AT, _now().isoformat())
            self._set(LAST_ERROR, error)

    def dead_letter(self, refused: Sequence[tuple[QueuedEvent, Refusal, Disposition]]) -> int:
        """Move refused events out of the way of the others, with the server's reason; return how many moved."""
        now = _now().isoformat()
        moved = 0
        with self._lock, self._tx():
            for event, refusal, disposition in refused:
                row = self._db.execute(
                    "DELETE FROM outbox WHERE event_id = ? RETURNING seq, body, enqueued_at",
                    (event.event_id,),
                ).fetchone()
                if row is None:  # acknowledged or moved meanwhile by another process
                    continue
                seq, body, enqueued_at = row
                self._db.execute(
                    "INSERT INTO dead_letter(seq, event_id, body, enqueued_at, failed_at, disposition, http_status, "
                    "code, message, message_zh, field, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        seq,
                        event.event_id,
                        body,
                        enqueued_at,
                        now,
                        disposition.value,
                        refusal.http_status,
                        refusal.code,
                        refusal.message,
                        refusal.message_zh,
                        refusal.field,
                        json.dumps(dict(refusal.error or {}), ensure_ascii=False),
                    ),
                )
                moved += 1
            self._set(LAST_PUSH_AT, now)
        return moved

    # -- operators -------------------------------------------------------------------------------------------------

    def dead_letters(self, limit: int = 100, disposition: Disposition | None = None) -> list[DeadLetter]:
        query = (
            "SELECT seq, event_id, body, enqueued_at, failed_at, disposition, http_status, code, message, message_zh, "
            "field, error FROM dead_letter"
        )
        params: tuple[Any, ...] = ()
        if disposition is not None:
            query += " WHERE disposition = ?"
            params = (disposition.value,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq LIMIT ?", (*params, limit)).fetchall()
        return [_dead_letter(row) for row in rows]

    def requeue(self, event_ids: Sequence[str] | None = None) -> int:
        """Put dead letters back in the outbox at their old place in the order (all of them if ``event_ids`` is None).

        The id is unchanged: if the server meanwhile stored the event (it never did, or it would not have been
        refused), sending it again is a replay.
        """
        with self._lock, self._tx():
            where, params = (
                ("", ())
                if event_ids is None
                else (
                    f" WHERE event_id IN ({','.join('?' * len(event_ids))})",
                    tuple(event_ids),
                )
            )
            rows = self._db.execute(
                f"DELETE FROM dead_letter{where} RETURNING seq, event_id, body, enqueued_at", params
            ).fetchall()
            for seq, event_id, body, enqueued_at in rows:
                self._db.execute(
                    "INSERT INTO outbox(seq, event_id, body, enqueued_at) VALUES (?, ?, ?, ?)",
                    (seq, event_id, body, enqueued_at),
                )
        return len(rows)

    def note_unreadable(
        self,
        epc: str,
        reason: str,
        *,
        seen_at: datetime,
        antenna: int | None = None,
        reader: str | None = None,
    ) -> None:
        """Keep an RFID read that could not be decoded, so an operator sees which tag needs re-encoding."""
        with self._lock, self._tx():
            self._db.execute(
                "INSERT INTO unreadable_tag(seen_at, epc, reason, antenna, reader) VALUES (?, ?, ?, ?, ?)",
                (seen_at.isoformat(), epc, reason, antenna, reader),
            )

    def note_sightings(
        self, sightings: Mapping[str, datetime], forget_before: datetime | None = None
    ) -> None:
        """Keep when an RFID portal last saw these tags (the later time wins), and forget sightings older than
        ``forget_before`` (out of any repeat window by then)."""
        with self._lock, self._tx():
            self._keep_sightings(sightings, forget_before)

    def sightings(self) -> dict[str, datetime]:
        """Every kept sighting: tag key → when it was last seen."""
        with self._lock:
            rows = self._db.execute("SELECT key, last_seen FROM sighting").fetchall()
        return {key: datetime.fromisoformat(at) for key, at in rows}

    def _keep_sightings(self, sightings: Mapping[str, datetime], forget_before: datetime | None) -> None:
        # Times are stored in UTC with one format, so that comparing the text compares the moments.
        self._db.executemany(
            "INSERT INTO sighting(key, last_seen) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
            "last_seen = max(last_seen, excluded.last_seen)",
            [(key, _utc_text(at)) for key, at in sightings.items()],
        )
        if forget_before is not None:
            self._db.execute("DELETE FROM sighting WHERE last_seen < ?", (_utc_text(forget_before),))

    def unreadable_tags(self, limit: int = 100) -> list[UnreadableTag]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seen_at, epc, reason, antenna, reader FROM unreadable_tag ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            UnreadableTag(datetime.fromisoformat(at), epc, why, ant, rdr) for at, epc, why, ant, rdr in rows
        ]

    def status(self) -> QueueStatus:
        with self._lock:
            pending, oldest, worst = self._db.execute(
                "SELECT count(*), min(enqueued_at), coalesce(max(attempts), 0) FROM outbox"
            ).fetchone()
            by_disposition = dict(
                self._db.execute(
                    "SELECT disposition, count(*) FROM dead_letter GROUP BY disposition"
                ).fetchall()
            )
            unreadable = self._db.execute("SELECT count(*) FROM unreadable_tag").fetchone()[0]
            counters = dict(self._db.execute("SELECT name, value FROM counter").fetchall())
        return QueueStatus(
            path=self.path,
            device_id=counters[DEVICE_ID],
            pending=pending,
            oldest_pending_at=_time(oldest),
            max_attempts=worst,
            dead=by_disposition.get(Disposition.DEAD.value, 0),
            ignored=by_disposition.get(Disposition.IGNORED.value, 0),
            unreadable_tags=unreadable,
            created=int(counters.get(CREATED, 0)),
            replayed=int(counters.get(REPLAYED, 0)),
            last_push_at=_time(counters.get(LAST_PUSH_AT)),
            last_success_at=_time(counters.get(LAST_SUCCESS_AT)),
            last_error=counters.get(LAST_ERROR),
        )

    # -- counters --------------------------------------------------------------------------------------------------

    def _add(self, name: str, amount: int) -> None:
        self._db.execute(
            "INSERT INTO counter(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value",
            (name, amount),
        )

    def _set(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO counter(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
