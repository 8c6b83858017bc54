"""The tables of the embedded store, created idempotently when a file is opened.

Each record is kept whole as the JSON of ``retrace.domain.codec`` (what reads give back), next to the columns that
queries filter, join or sort on.  Instants that queries compare are UTC text of fixed width (see ``columns``), so
text order is time order.  The schema version is the file's ``PRAGMA user_version``.
"""

from __future__ import annotations

import sqlite3

from retrace.adapters.sqlite import flowstats
from retrace.domain.errors import StoreUnavailable
from retrace.domain.model import Status

# 2: indexes for listing events and for the event log (live feeds); 3: flow aggregates for recovery reports;
# 4: events by party, type and time (a producer's commissioned items, for printing labels).
# An older file is upgraded in place when opened: ``_TABLES`` creates what is missing, ``flowstats.upgrade`` adds
# columns and sets the version.
SCHEMA_VERSION = 4
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another process's write lock before giving up

# Objects a site holds: neither terminal nor in transit.  Spelled out (not computed) because the same text must be
# in the partial index and in the query for SQLite to use that index; tests check it against the domain.
LIVE_STATUSES: tuple[Status, ...] = (Status.ACTIVE, Status.REMANUFACTURED)
LIVE_CONDITION = "status IN ('active', 'remanufactured')"

_TABLES = f"""
CREATE TABLE IF NOT EXISTS parties (
    id   TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS licences (
    number   TEXT PRIMARY KEY,
    party_id TEXT NOT NULL,
    json     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS licences_by_party ON licences (party_id, number);
CREATE TABLE IF NOT EXISTS sites (
    id       TEXT PRIMARY KEY,
    party_id TEXT NOT NULL,
    json     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS models (
    id          TEXT PRIMARY KEY,
    producer_id TEXT NOT NULL,
    json        TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS objects (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    stream    TEXT NOT NULL,
    status    TEXT NOT NULL,
    site_id   TEXT,
    holder_id TEXT,
    parent_id TEXT,
    version   INTEGER NOT NULL,
    json      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS objects_live_at_site ON objects (site_id, id) WHERE {LIVE_CONDITION};

-- Identifier keys (GTIN+serial, VIN, battery code …): at most one object holds a key.
CREATE TABLE IF NOT EXISTS keys (
    key       TEXT PRIMARY KEY,
    object_id TEXT NOT NULL REFERENCES objects (id)
);
CREATE INDEX IF NOT EXISTS keys_by_object ON keys (object_id);

-- seq is the rowid: nothing is ever deleted, so it follows insertion order.
CREATE TABLE IF NOT EXISTS events (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    event_time   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    party_id     TEXT NOT NULL,
    corrected_by TEXT,
    json         TEXT NOT NULL
);
-- Events of a site, a party or a period, by time (listings); and after a log position (live feeds).
CREATE INDEX IF NOT EXISTS events_by_site_time ON events (site_id, event_time, id);
CREATE INDEX IF NOT EXISTS events_by_party_time ON events (party_id, event_time, id);
CREATE INDEX IF NOT EXISTS events_by_time ON events (event_time, id);
CREATE INDEX IF NOT EXISTS events_by_site_seq ON events (site_id, seq);
CREATE INDEX IF NOT EXISTS events_by_party_seq ON events (party_id, seq);
-- A party's events of one type in a period (commissioned): only those, not every event the party recorded.
CREATE INDEX IF NOT EXISTS events_by_party_type_time ON events (party_id, type, event_time);
CREATE TABLE IF NOT EXISTS event_objects (
    event_id  TEXT NOT NULL REFERENCES events (id),
    object_id TEXT NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (event_id, object_id, role)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_objects_by_object ON event_objects (object_id);

CREATE TABLE IF NOT EXISTS links (
    from_id   TEXT NOT NULL,
    to_id     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    event_id  TEXT NOT NULL REFERENCES events (id),
    mass_g    INTEGER,
    corrected INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (from_id, to_id, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_by_to ON links (to_id);
CREATE INDEX IF NOT EXISTS links_by_event ON links (event_id);

CREATE TABLE IF NOT EXISTS flows (
    event_id   TEXT NOT NULL REFERENCES events (id),
    site_id    TEXT NOT NULL,
    party_id   TEXT NOT NULL,
    event_time TEXT NOT NULL,
    direction  TEXT NOT NULL,
    stream     TEXT NOT NULL,
    material   TEXT NOT NULL,
    fate       TEXT,
    mass_g     INTEGER NOT NULL,
    object_id  TEXT NOT NULL,
    reverses   INTEGER NOT NULL DEFAULT 0  -- 1: written by a correction, cancels an earlier record
    -- the columns of flowstats.FLOW_COLUMNS (stage, model_id …) are added by flowstats.upgrade
);
CREATE INDEX IF NOT EXISTS flows_by_site_time ON flows (site_id, event_time);
"""


def _configure(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        # WAL needs shared memory next to the file; some network filesystems refuse it.
        raise StoreUnavailable(
            f"SQLite refused write-ahead logging (journal mode {mode}); put the database on a local disk",
            message_zh="SQLite 无法启用 WAL 日志模式，请把数据库放在本地磁盘上",
        )
    conn.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it is acknowledged
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -32768")  # 32 MiB: lineage walks and bulk loads revisit the same pages


def _check_version(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"the database was written by a newer version of trace (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade trace",
            message_zh=f"数据库由更新版本的 trace 创建（结构版本 {version}），请升级 trace",
        )
    return version


def prepare_writer(conn: sqlite3.Connection, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
    """Configure the connection and create what is missing (safe when several processes open the file at once)."""
    _configure(conn, busy_timeout_s)
    if _check_version(conn) == SCHEMA_VERSION:
        return
    try:
        # The write lock first, so two processes creating the schema at once take turns; every statement is
        # IF NOT EXISTS, so the second one changes nothing.
        conn.executescript(f"BEGIN IMMEDIATE;\n{_TABLES}\nCOMMIT;")
        # Then what needs a look at the file first (columns added to older files), and the version last.
        flowstats.upgrade(conn, SCHEMA_VERSION)
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def prepare_reader(conn: sqlite3.Connection, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
    """Configure a connection that only reads (the writer has created the schema)."""
    _configure(conn, busy_timeout_s)
    _check_version(conn)
    conn.execute("PRAGMA query_only = ON")
