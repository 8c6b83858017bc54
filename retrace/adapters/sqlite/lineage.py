"""Lineage: breadth-first over the links of events that were not corrected, one batched query per level.

Upstream follows links backwards (to → from: where it came from), downstream forwards.  The links kept are those
leaving an object found at distance < ``depth`` (so both their ends lie within ``depth``); objects are visited once,
which also ends cycles.
"""

from __future__ import annotations

import sqlite3

from retrace.adapters.sqlite.columns import chunks
from retrace.adapters.sqlite.reads import get_objects
from retrace.app.ports import Lineage, LineageDirection
from retrace.domain.changes import LineageLink, LinkKind

_SELECT = (
    "SELECT from_id, to_id, kind, event_id, mass_g FROM links WHERE corrected = 0 AND {column} IN ({{marks}})"
)


def lineage(
    conn: sqlite3.Connection, object_id: str, direction: LineageDirection, depth: int
) -> Lineage | None:
    root = get_objects(conn, [object_id]).get(object_id)
    if root is None:
        return None
    upstream = LineageDirection(direction) is LineageDirection.UPSTREAM
    sql = _SELECT.format(column="to_id" if upstream else "from_id")
    seen = {object_id}
    links: dict[tuple[str, str, str], LineageLink] = {}
    frontier = [object_id]
    for _ in range(max(depth, 0)):
        if not frontier:
            break
        found: list[str] = []
        for marks, part in chunks(frontier):
            for from_id, to_id, kind, event_id, mass_g in conn.execute(sql.format(marks=marks), part):
                links[(from_id, to_id, event_id)] = LineageLink(
                    from_id, to_id, LinkKind(kind), event_id, mass_g
                )
                reached = from_id if upstream else to_id
                if reached not in seen:
                    seen.add(reached)
                    found.append(reached)
        frontier = found
    objects = get_objects(conn, sorted(seen))
    return Lineage(
        root=root,
        objects=[objects[oid] for oid in sorted(objects)],
        links=[links[key] for key in sorted(links)],
    )
