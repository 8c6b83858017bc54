"""Reading: records by id or key, an object's history, a site's inventory and mass flows, counts.

Every function runs inside ``Worker.read`` (one consistent snapshot) and gives back domain records decoded from the
stored JSON, so both stores return exactly the same values.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from retrace.adapters.sqlite.columns import chunks, unique, utc_text
from retrace.adapters.sqlite.schema import LIVE_CONDITION
from retrace.app.ports import FlowTotal
from retrace.domain import codec
from retrace.domain.changes import Direction, RecordedEvent
from retrace.domain.model import Licence, Party, ProductModel, Site, TracedObject

T = TypeVar("T")


def _by_id(
    conn: sqlite3.Connection, sql: str, ids: Sequence[str], decode: Callable[[dict[str, Any]], T]
) -> dict[str, T]:
    """``sql`` selects (id, json) ``WHERE … IN ({marks})``; run it for every chunk of ``ids``."""
    out: dict[str, T] = {}
    for marks, part in chunks(unique(ids)):
        for key, text in conn.execute(sql.format(marks=marks), part):
            out[key] = decode(json.loads(text))
    return out


def get_parties(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Party]:
    return _by_id(conn, "SELECT id, json FROM parties WHERE id IN ({marks})", ids, codec.party_from_dict)


def get_sites(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Site]:
    return _by_id(conn, "SELECT id, json FROM sites WHERE id IN ({marks})", ids, codec.site_from_dict)


def get_models(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, ProductModel]:
    return _by_id(conn, "SELECT id, json FROM models WHERE id IN ({marks})", ids, codec.model_from_dict)


def get_licences(conn: sqlite3.Connection, party_ids: Sequence[str]) -> dict[str, list[Licence]]:
    out: dict[str, list[Licence]] = {}
    for marks, part in chunks(unique(party_ids)):
        rows = conn.execute(
            f"SELECT party_id, json FROM licences WHERE party_id IN ({marks})", part
        ).fetchall()
        for party_id, text in rows:
            out.setdefault(party_id, []).append(codec.licence_from_dict(json.loads(text)))
    for licences in out.values():
        licences.sort(key=lambda lic: lic.number)
    return out


def get_events(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, RecordedEvent]:
    return _by_id(conn, "SELECT id, json FROM events WHERE id IN ({marks})", ids, codec.record_from_dict)


def get_objects(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, TracedObject]:
    return _by_id(conn, "SELECT id, json FROM objects WHERE id IN ({marks})", ids, codec.object_from_dict)


def find_by_keys(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, TracedObject]:
    return _by_id(
        conn,
        "SELECT k.key, o.json FROM keys k JOIN objects o ON o.id = k.object_id WHERE k.key IN ({marks})",
        keys,
        codec.object_from_dict,
    )


def children_of(conn: sqlite3.Connection, parent_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for marks, part in chunks(unique(parent_ids)):
        sql = f"SELECT parent_id, id FROM objects WHERE parent_id IN ({marks}) ORDER BY parent_id, id"
        for parent_id, child_id in conn.execute(sql, part):
            out.setdefault(parent_id, []).append(child_id)
    return out


def history(conn: sqlite3.Connection, object_id: str) -> list[RecordedEvent]:
    # event_time and recorded_at are UTC text of fixed width: ordering the text orders the instants.
    rows = conn.execute(
        "SELECT json FROM events WHERE id IN (SELECT event_id FROM event_objects WHERE object_id = ?) "
        "ORDER BY event_time, recorded_at, id",
        (object_id,),
    )
    return [codec.record_from_dict(json.loads(text)) for (text,) in rows]


def objects_at_site(
    conn: sqlite3.Connection, site_id: str, limit: int, after_id: str | None
) -> list[TracedObject]:
    # The status condition is spelled exactly as in the partial index, so SQLite walks that index in id order.
    limit = max(limit, 0)  # a negative LIMIT means "no limit" to SQLite
    if after_id is None:
        rows = conn.execute(
            f"SELECT json FROM objects WHERE site_id = ? AND {LIVE_CONDITION} ORDER BY id LIMIT ?",
            (site_id, limit),
        )
    else:
        rows = conn.execute(
            f"SELECT json FROM objects WHERE site_id = ? AND {LIVE_CONDITION} AND id > ? ORDER BY id LIMIT ?",
            (site_id, after_id, limit),
        )
    return [codec.object_from_dict(json.loads(text)) for (text,) in rows]


# A commission's "output" role marks exactly the objects it created.  events_by_party_type_time finds the party's
# commissions in the period, and nothing else the party recorded (a recycler that tags what it collects records far
# more receipts and treatments than commissions).  Parameters: party, start, end, after id, limit.
COMMISSIONED = (
    "SELECT o.json FROM events e "
    "JOIN event_objects eo ON eo.event_id = e.id AND eo.role = 'output' "
    "JOIN objects o ON o.id = eo.object_id "
    "WHERE e.party_id = ? AND e.type = 'commission' AND e.event_time >= ? AND e.event_time < ? "
    "AND e.corrected_by IS NULL AND o.id > ? "
    "ORDER BY o.id LIMIT ?"
)


def commissioned(
    conn: sqlite3.Connection, party_id: str, start: datetime, end: datetime, limit: int, after_id: str | None
) -> list[TracedObject]:
    rows = conn.execute(
        COMMISSIONED, (party_id, utc_text(start), utc_text(end), after_id or "", max(limit, 0))
    )
    return [codec.object_from_dict(json.loads(text)) for (text,) in rows]


def site_flows(conn: sqlite3.Connection, site_id: str, start: datetime, end: datetime) -> list[FlowTotal]:
    # NULL (no fate) sorts first; a group a correction cancelled sums to zero and is left out, count and all.
    rows = conn.execute(
        "SELECT direction, material, fate, SUM(mass_g), SUM(CASE WHEN reverses THEN -1 ELSE 1 END) FROM flows "
        "WHERE site_id = ? AND event_time >= ? AND event_time < ? "
        "GROUP BY direction, material, fate HAVING SUM(mass_g) != 0 "
        "ORDER BY direction, material, fate",
        (site_id, utc_text(start), utc_text(end)),
    )
    return [
        FlowTotal(
            direction=Direction(direction), material=material, fate=fate, mass_g=int(mass), count=int(count)
        )
        for direction, material, fate, mass, count in rows
    ]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    objects, events, parties, sites = conn.execute(
        "SELECT (SELECT COUNT(*) FROM objects), (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM parties), "
        "(SELECT COUNT(*) FROM sites)"
    ).fetchone()
    return {"objects": int(objects), "events": int(events), "parties": int(parties), "sites": int(sites)}
