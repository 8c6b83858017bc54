"""Flow aggregates of the embedded store: the table, its upkeep inside ``commit``, and the report queries.

``flow_aggregates`` holds one row per ``rates.aggregates.AggregateKey`` (month, site, party, material, fate …) with
the sums of the flow records of that key.  ``add`` updates it in the transaction that inserts the records, so it
is always what summing the ``flows`` table would give, without the scan.  Absent dimensions are ``''`` (SQLite's
unique keys treat NULLs as distinct).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from retrace.adapters.sqlite.columns import utc_text
from retrace.app.ports import FlowQuery, FlowRecordKey, FlowRecordQuery
from retrace.domain import codec
from retrace.domain.changes import FlowRecord
from retrace.domain.rates.aggregates import KEY_FIELDS, FlowAggregate, aggregate, row_to_aggregate, sort_key
from retrace.domain.rates.materials import TRACKED_ELEMENTS

ELEMENT_COLUMNS = tuple(f"el_{e}" for e in TRACKED_ELEMENTS)
SUM_COLUMNS = ("mass_g", "count", "value_cny", *ELEMENT_COLUMNS)
DIMENSIONS = tuple(name for name in KEY_FIELDS if name != "month")

# Columns the flows table gained for the rates (added to older files by ``upgrade``).
FLOW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("stage", "TEXT"),
    ("model_id", "TEXT"),
    ("origin_site_id", "TEXT"),
    ("origin_at", "TEXT"),
    ("prior_fate", "TEXT"),
    ("counterparty_id", "TEXT"),
    ("value_cny", "INTEGER NOT NULL DEFAULT 0"),
    ("elements", "TEXT"),
)

_AGGREGATES = (
    "CREATE TABLE IF NOT EXISTS flow_aggregates (\n"
    + "".join(f"    {name} TEXT NOT NULL DEFAULT '',\n" for name in KEY_FIELDS)
    + "".join(f"    {name} INTEGER NOT NULL DEFAULT 0,\n" for name in SUM_COLUMNS)
    + f"    PRIMARY KEY ({', '.join(KEY_FIELDS)})\n"
    + ") WITHOUT ROWID"
)


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """Bring an older file up to ``version``: add the flow columns and the aggregates, filled from the flows
    already stored; then set the version.  One write transaction, so two processes opening the file take turns."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= version:
            conn.execute("COMMIT")
            return
        have = {row[1] for row in conn.execute("PRAGMA table_info(flows)")}
        for name, kind in FLOW_COLUMNS:
            if name not in have:
                conn.execute(f"ALTER TABLE flows ADD COLUMN {name} {kind}")
        existed = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flow_aggregates'"
        ).fetchone()
        conn.execute(_AGGREGATES)
        if not existed:
            _backfill(conn)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def _backfill(conn: sqlite3.Connection) -> None:
    """Sum the records a file held before it had aggregates (month in China Standard Time, as ``month_of``)."""
    dims = {
        "month": "strftime('%Y-%m', event_time, '+8 hours')",
        "origin_month": "COALESCE(strftime('%Y-%m', origin_at, '+8 hours'), '')",
    }
    select = [dims.get(name, f"COALESCE({name}, '')") for name in KEY_FIELDS]
    elements = [f"SUM(COALESCE(json_extract(elements, '$.{e}'), 0))" for e in TRACKED_ELEMENTS]
    conn.execute(
        f"INSERT INTO flow_aggregates ({', '.join(KEY_FIELDS)}, {', '.join(SUM_COLUMNS)}) "
        f"SELECT {', '.join(select)}, SUM(mass_g), SUM(CASE WHEN reverses THEN -1 ELSE 1 END), "
        f"SUM(COALESCE(value_cny, 0)), {', '.join(elements)} "
        f"FROM flows GROUP BY {', '.join(str(i + 1) for i in range(len(select)))}"
    )


# -- writing, inside ``writes.commit`` ------------------------------------------------------------------------


def flow_row(flow: FlowRecord) -> tuple[Any, ...]:
    """The extra columns of a flow record, in ``FLOW_COLUMNS`` order."""
    return (
        flow.stage.value if flow.stage else None,
        flow.model_id,
        flow.origin_site_id,
        utc_text(flow.origin_at) if flow.origin_at else None,
        flow.prior_fate,
        flow.counterparty_id,
        flow.value_cny,
        codec.dumps(dict(flow.elements_g)) if flow.elements_g else None,
    )


def add(conn: sqlite3.Connection, flows: Sequence[FlowRecord]) -> None:
    rows = []
    for key, sums in aggregate(flows):
        rows.append(
            (
                *(getattr(key, name) for name in KEY_FIELDS),
                sums.mass_g,
                sums.count,
                sums.value_cny,
                *sums.elements,
            )
        )
    updates = ", ".join(f"{c} = {c} + excluded.{c}" for c in SUM_COLUMNS)
    conn.executemany(
        f"INSERT INTO flow_aggregates ({', '.join(KEY_FIELDS)}, {', '.join(SUM_COLUMNS)}) "
        f"VALUES ({', '.join('?' * (len(KEY_FIELDS) + len(SUM_COLUMNS)))}) "
        f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}",
        rows,
    )


# -- reading --------------------------------------------------------------------------------------------------


def flow_aggregates(conn: sqlite3.Connection, query: FlowQuery) -> list[FlowAggregate]:
    where = ["month >= ?", "month <= ?"]
    params: list[Any] = [query.start_month, query.end_month]
    # A list goes in as one JSON parameter: no limit on its length, one plan whatever the length.
    for column, values in (
        ("site_id", query.site_ids),
        ("party_id", query.party_ids),
        ("model_id", query.model_ids),
        ("stream", None if query.streams is None else tuple(s.value for s in query.streams)),
        ("direction", None if query.directions is None else tuple(d.value for d in query.directions)),
    ):
        if values is not None:
            where.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(values)))
    group = [*DIMENSIONS, "month"] if query.by_month else list(DIMENSIONS)
    sums = ", ".join(f"SUM({c})" for c in SUM_COLUMNS)
    nonzero = " OR ".join(f"SUM({c}) != 0" for c in ("mass_g", "count", "value_cny"))
    rows = conn.execute(
        f"SELECT {', '.join(group)}, {sums} FROM flow_aggregates WHERE {' AND '.join(where)} "
        f"GROUP BY {', '.join(group)} HAVING {nonzero}",
        params,
    )
    out = []
    for row in rows:
        dims = dict(zip(group, row[: len(group)], strict=True))
        mass, count, value, *elements = row[len(group) :]
        out.append(row_to_aggregate(dims, mass, count, value, list(elements)))
    return sorted(out, key=sort_key)


_RECORD_COLUMNS = (
    "event_id, site_id, party_id, event_time, direction, stream, material, fate, mass_g, object_id, reverses, "
    + ", ".join(name for name, _ in FLOW_COLUMNS)
)


def flow_records(
    conn: sqlite3.Connection, query: FlowRecordQuery, limit: int, after: FlowRecordKey | None
) -> list[FlowRecord]:
    where = ["site_id = ?", "event_time >= ?", "event_time < ?"]
    params: list[Any] = [query.site_id, utc_text(query.start), utc_text(query.end)]
    for column, value in (
        ("direction", query.direction.value if query.direction else None),
        ("stream", query.stream.value if query.stream else None),
        ("material", query.material),
        ("fate", query.fate),
        ("stage", query.stage),
        ("model_id", query.model_id),
        ("origin_site_id", query.origin_site_id),
    ):
        if value is None:
            continue
        if value == "" and column not in ("direction", "stream", "material"):
            where.append(f"{column} IS NULL")
        else:
            where.append(f"{column} = ?")
            params.append(value)
    if after is not None:
        key = [utc_text(after.event_time), after.event_id, after.object_id, after.direction.value]
        if after.stream is None:  # a cursor without a stream: past every stream of its record
            where.append("(event_time, event_id, object_id, direction) > (?, ?, ?, ?)")
        else:
            where.append("(event_time, event_id, object_id, direction, stream) > (?, ?, ?, ?, ?)")
            key.append(after.stream)
        params.extend(key)
    rows = conn.execute(
        f"SELECT {_RECORD_COLUMNS} FROM flows WHERE {' AND '.join(where)} "
        "ORDER BY event_time, event_id, object_id, direction, stream LIMIT ?",
        [*params, max(limit, 0)],
    )
    names = [c.strip() for c in _RECORD_COLUMNS.split(",")]
    return [_record(dict(zip(names, row, strict=True))) for row in rows]


def _record(row: dict[str, Any]) -> FlowRecord:
    data = dict(row)
    data["reverses"] = bool(row["reverses"])
    data["elements_g"] = json.loads(row["elements"]) if row["elements"] else {}
    del data["elements"]
    return codec.flow_from_dict(data)
