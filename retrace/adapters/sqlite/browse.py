"""Browsing: master data and events page by page (keyset pagination), and the event log that live feeds poll.

The event log position is the ``events.seq`` rowid: every write holds SQLite's write lock from ``BEGIN IMMEDIATE``
to ``COMMIT`` and nothing is ever deleted, so rowids grow in commit order, across processes sharing the file.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from retrace.adapters.sqlite.columns import utc_text
from retrace.app.ports import EventFilter, EventKey, ModelFilter, PartyFilter, SiteFilter
from retrace.domain import codec
from retrace.domain.changes import RecordedEvent
from retrace.domain.model import Party, ProductModel, Site


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own ``%`` and ``_`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# LIKE ignores the case of ASCII letters only, as the port promises.
_NAME = (
    "(json_extract(json, '$.name') LIKE ? ESCAPE '\\' OR json_extract(json, '$.name_zh') LIKE ? ESCAPE '\\')"
)
_REGION = "substr(json_extract(json, '$.region'), 1, ?) = ?"


def _page(
    conn: sqlite3.Connection,
    table: str,
    conditions: list[str],
    params: list[Any],
    limit: int,
    after: str | None,
) -> list[dict[str, Any]]:
    if after is not None:
        conditions = [*conditions, "id > ?"]
        params = [*params, after]
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = conn.execute(f"SELECT json FROM {table} {where}ORDER BY id LIMIT ?", [*params, max(limit, 0)])
    return [json.loads(text) for (text,) in rows]


def list_parties(
    conn: sqlite3.Connection, where: PartyFilter, limit: int, after_id: str | None
) -> list[Party]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.role is not None:
        conditions.append("EXISTS (SELECT 1 FROM json_each(parties.json, '$.roles') WHERE value = ?)")
        params.append(where.role.value)
    if where.region_prefix is not None:
        conditions.append(_REGION)
        params += [len(where.region_prefix), where.region_prefix]
    if where.name_contains is not None:
        conditions.append(_NAME)
        params += [_like(where.name_contains)] * 2
    return [codec.party_from_dict(d) for d in _page(conn, "parties", conditions, params, limit, after_id)]


def list_sites(conn: sqlite3.Connection, where: SiteFilter, limit: int, after_id: str | None) -> list[Site]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.party_id is not None:
        conditions.append("party_id = ?")
        params.append(where.party_id)
    if where.region_prefix is not None:
        conditions.append(_REGION)
        params += [len(where.region_prefix), where.region_prefix]
    if where.name_contains is not None:
        conditions.append(_NAME)
        params += [_like(where.name_contains)] * 2
    return [codec.site_from_dict(d) for d in _page(conn, "sites", conditions, params, limit, after_id)]


def list_models(
    conn: sqlite3.Connection, where: ModelFilter, limit: int, after_id: str | None
) -> list[ProductModel]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.producer_id is not None:
        conditions.append("producer_id = ?")
        params.append(where.producer_id)
    if where.stream is not None:
        conditions.append("json_extract(json, '$.stream') = ?")
        params.append(where.stream.value)
    if where.category is not None:
        conditions.append("json_extract(json, '$.category') = ?")
        params.append(where.category)
    return [codec.model_from_dict(d) for d in _page(conn, "models", conditions, params, limit, after_id)]


def _event_conditions(where: EventFilter) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if where.site_id is not None:
        conditions.append("site_id = ?")
        params.append(where.site_id)
    if where.party_id is not None:
        conditions.append("party_id = ?")
        params.append(where.party_id)
    if where.object_id is not None:
        conditions.append("id IN (SELECT event_id FROM event_objects WHERE object_id = ?)")
        params.append(where.object_id)
    # event_time is UTC text of fixed width: comparing the text compares the instants.
    if where.start is not None:
        conditions.append("event_time >= ?")
        params.append(utc_text(where.start))
    if where.end is not None:
        conditions.append("event_time < ?")
        params.append(utc_text(where.end))
    if where.types is not None:
        conditions.append(f"type IN ({', '.join('?' * len(where.types))})" if where.types else "0")
        params += sorted(where.types)
    return conditions, params


def list_events(
    conn: sqlite3.Connection, where: EventFilter, limit: int, after: EventKey | None
) -> list[RecordedEvent]:
    conditions, params = _event_conditions(where)
    if after is not None:
        conditions.append("(event_time > ? OR (event_time = ? AND id > ?))")
        moment = utc_text(after.event_time)
        params += [moment, moment, after.event_id]
    clause = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = conn.execute(
        f"SELECT json FROM events {clause}ORDER BY event_time, id LIMIT ?", [*params, max(limit, 0)]
    )
    return [codec.record_from_dict(json.loads(text)) for (text,) in rows]


def event_log_head(conn: sqlite3.Connection) -> int:
    (head,) = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    return int(head)


def events_since(
    conn: sqlite3.Connection, position: int, limit: int, where: EventFilter | None
) -> list[tuple[int, RecordedEvent]]:
    conditions, params = _event_conditions(where or EventFilter())
    conditions.append("seq > ?")
    params.append(position)
    rows = conn.execute(
        f"SELECT seq, json FROM events WHERE {' AND '.join(conditions)} ORDER BY seq LIMIT ?",
        [*params, max(limit, 0)],
    )
    return [(int(seq), codec.record_from_dict(json.loads(text))) for seq, text in rows]
