"""Writing: master data by upsert, and a ``ChangeSet`` as one transaction (all of it or none of it).

Every function here runs inside ``Worker.write``, which holds the write lock and rolls back whatever a function
leaves half done when it raises.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from retrace.adapters.sqlite import flowstats
from retrace.adapters.sqlite.columns import chunks, utc_text
from retrace.app.ports import DuplicateEventId, DuplicateKey, StaleWrite
from retrace.domain import codec
from retrace.domain.changes import ChangeSet, FlowRecord, LineageLink, ObjectUpdate, RecordedEvent
from retrace.domain.errors import Conflict
from retrace.domain.model import Licence, Party, ProductModel, Site, TracedObject

# -- master data -----------------------------------------------------------------------------------------------


def save_parties(conn: sqlite3.Connection, parties: Sequence[Party]) -> None:
    conn.executemany(
        "INSERT INTO parties (id, json) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
        [(p.id, codec.dumps(codec.party_to_dict(p))) for p in parties],
    )


def save_licences(conn: sqlite3.Connection, licences: Sequence[Licence]) -> None:
    conn.executemany(
        "INSERT INTO licences (number, party_id, json) VALUES (?, ?, ?) "
        "ON CONFLICT (number) DO UPDATE SET party_id = excluded.party_id, json = excluded.json",
        [(lic.number, lic.party_id, codec.dumps(codec.licence_to_dict(lic))) for lic in licences],
    )


def save_sites(conn: sqlite3.Connection, sites: Sequence[Site]) -> None:
    conn.executemany(
        "INSERT INTO sites (id, party_id, json) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET party_id = excluded.party_id, json = excluded.json",
        [(s.id, s.party_id, codec.dumps(codec.site_to_dict(s))) for s in sites],
    )


def save_models(conn: sqlite3.Connection, models: Sequence[ProductModel]) -> None:
    conn.executemany(
        "INSERT INTO models (id, producer_id, json) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET producer_id = excluded.producer_id, json = excluded.json",
        [(m.id, m.producer_id, codec.dumps(codec.model_to_dict(m))) for m in models],
    )


# -- capture ---------------------------------------------------------------------------------------------------

# The steps of one ``commit``, in order, the last being the COMMIT that ``Worker.write`` sends after it: what a
# ``CommitStepHook`` is called with.
COMMIT_STEPS = (
    "lock_and_check",
    "write_events",
    "write_objects",
    "write_relationships",
    "write_corrections",
    "commit",
)
# A test seam (``SqliteStore.before_commit_step``): called in the writer's thread, inside the real transaction, with
# each step's name before the step runs, so a test can make the database fail at a chosen point of a batch.
CommitStepHook = Callable[[sqlite3.Connection, str], None]


def commit(conn: sqlite3.Connection, changes: ChangeSet, before_step: CommitStepHook | None = None) -> None:
    """Write ``changes``; raise ``StaleWrite``, ``DuplicateEventId`` or ``DuplicateKey`` as the port says.

    Order matters: keys an update gives up (a voided object) are deleted before new keys are inserted, so a
    corrective event in the same batch can take them over."""

    def reached(step: str) -> None:
        if before_step is not None:
            before_step(conn, step)

    reached("lock_and_check")
    stored_keys = _check_versions(conn, changes.updates, changes.read_versions)
    try:
        reached("write_events")
        conn.executemany(
            "INSERT INTO events (id, type, event_time, recorded_at, site_id, party_id, corrected_by, json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [_event_row(r) for r in changes.records],
        )
        reached("write_objects")
        released: list[tuple[str, str]] = []
        taken: list[tuple[str, str]] = []
        for update in changes.updates:
            obj = update.object
            had = stored_keys.get(obj.id, set())
            released.extend((key, obj.id) for key in had - set(obj.keys))
            taken.extend((key, obj.id) for key in obj.keys if key not in had)
        conn.executemany("DELETE FROM keys WHERE key = ? AND object_id = ?", released)
        conn.executemany(
            "UPDATE objects SET kind = ?, stream = ?, status = ?, site_id = ?, holder_id = ?, parent_id = ?, "
            "version = ?, json = ? WHERE id = ?",
            [(*_object_columns(u.object), u.object.id) for u in changes.updates],
        )
        conn.executemany(
            "INSERT INTO objects (kind, stream, status, site_id, holder_id, parent_id, version, json, id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*_object_columns(o), o.id) for o in changes.new_objects],
        )
        taken.extend((key, o.id) for o in changes.new_objects for key in o.keys)
        conn.executemany("INSERT INTO keys (key, object_id) VALUES (?, ?)", taken)
    except sqlite3.IntegrityError as e:
        raise _conflict(e) from e
    reached("write_relationships")
    conn.executemany(
        "INSERT OR IGNORE INTO event_objects (event_id, object_id, role) VALUES (?, ?, ?)",
        [(r.event_id, object_id, role) for r in changes.records for object_id, role in r.object_roles],
    )
    # A link is identified by its ends and its event; the same one twice is one link.
    conn.executemany(
        "INSERT OR IGNORE INTO links (from_id, to_id, kind, event_id, mass_g) VALUES (?, ?, ?, ?, ?)",
        [_link_row(link) for link in changes.links],
    )
    conn.executemany(
        "INSERT INTO flows (event_id, site_id, party_id, event_time, direction, stream, material, fate, mass_g, "
        f"object_id, reverses, {', '.join(name for name, _ in flowstats.FLOW_COLUMNS)}) "
        f"VALUES ({', '.join('?' * (11 + len(flowstats.FLOW_COLUMNS)))})",
        [(*_flow_row(f), *flowstats.flow_row(f)) for f in changes.flows],
    )
    flowstats.add(conn, changes.flows)  # the aggregates move with the records, in the same transaction
    reached("write_corrections")
    _correct(conn, changes.corrections)
    reached("commit")


def _check_versions(
    conn: sqlite3.Connection, updates: Sequence[ObjectUpdate], read: Mapping[str, int]
) -> dict[str, set[str]]:
    """Raise ``StaleWrite`` unless every updated object, and every object the rules only read, still has the version
    it was read at; give the updated objects' stored keys.  The caller holds the write lock (``BEGIN IMMEDIATE``), so
    nothing checked here can change before the commit."""
    expected = {**read, **{u.object.id: u.expected_version for u in updates}}
    stored: dict[str, int] = {}
    keys: dict[str, set[str]] = {}
    for marks, part in chunks(list(expected)):
        stored.update(conn.execute(f"SELECT id, version FROM objects WHERE id IN ({marks})", part).fetchall())
    for marks, part in chunks([u.object.id for u in updates]):
        for key, object_id in conn.execute(
            f"SELECT key, object_id FROM keys WHERE object_id IN ({marks})", part
        ):
            keys.setdefault(object_id, set()).add(key)
    stale = sorted(oid for oid, version in expected.items() if stored.get(oid) != version)
    if stale:
        raise StaleWrite(
            f"{len(stale)} object(s) changed since they were read: {', '.join(stale[:5])}",
            message_zh=f"{len(stale)} 个物品在读取后已被其他写入修改",
            details={"object_ids": stale[:20]},
        )
    return keys


def _correct(conn: sqlite3.Connection, corrections: Sequence[tuple[str, str]]) -> None:
    """Flag each target event as corrected, in its column and its JSON, and stop lineage following its links.

    Only an uncorrected, stored target is flagged: a target another writer corrected (or that is not there) is a
    lost race, reported as ``StaleWrite`` so the use case re-reads and reports the rule's own error."""
    cursor = conn.executemany(
        "UPDATE events SET corrected_by = ?, json = json_set(json, '$.corrected_by', ?) "
        "WHERE id = ? AND corrected_by IS NULL",
        [(by, by, target) for target, by in corrections],
    )
    if corrections and cursor.rowcount != len(corrections):
        raise StaleWrite(
            "an event was corrected by another writer at the same moment",
            message_zh="该事件已被其他写入更正",
            details={"targets": [t for t, _ in corrections]},
        )
    conn.executemany(
        "UPDATE links SET corrected = 1 WHERE event_id = ?", [(target,) for target, _ in corrections]
    )


def _conflict(error: sqlite3.IntegrityError) -> Conflict:
    """Which uniqueness a concurrent writer took first, from SQLite's ``UNIQUE constraint failed: table.column``."""
    text = str(error)
    if "events.id" in text:
        return DuplicateEventId(
            "an event id of this batch was stored by another writer",
            message_zh="本批事件编号已被其他写入保存",
        )
    if "keys.key" in text:
        return DuplicateKey(
            "an identifier of this batch was taken by another writer",
            message_zh="本批中的标识已被其他写入占用",
        )
    if "objects.id" in text:
        # Another writer created the same object first: a lost race like a stale version, so the use case re-reads.
        return StaleWrite(
            "an object of this batch was created by another writer", message_zh="物品已被其他写入创建"
        )
    raise error


def _event_row(record: RecordedEvent) -> tuple[Any, ...]:
    event = record.event
    return (
        event.event_id,
        event.type,
        utc_text(event.event_time),
        utc_text(record.recorded_at),
        event.site_id,
        event.party_id,
        record.corrected_by,
        codec.dumps(codec.record_to_dict(record)),
    )


def _object_columns(obj: TracedObject) -> tuple[Any, ...]:
    return (
        obj.kind.value,
        obj.stream.value,
        obj.status.value,
        obj.site_id,
        obj.holder_id,
        obj.parent_id,
        obj.version,
        codec.dumps(codec.object_to_dict(obj)),
    )


def _link_row(link: LineageLink) -> tuple[Any, ...]:
    return (link.from_id, link.to_id, link.kind.value, link.event_id, link.mass_g)


def _flow_row(flow: FlowRecord) -> tuple[Any, ...]:
    return (
        flow.event_id,
        flow.site_id,
        flow.party_id,
        utc_text(flow.event_time),
        flow.direction.value,
        flow.stream.value,
        flow.material,
        flow.fate,
        flow.mass_g,
        flow.object_id,
        int(flow.reverses),
    )
