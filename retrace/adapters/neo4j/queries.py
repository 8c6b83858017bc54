"""Every Cypher statement of the Neo4j store, named and parameterised, with the graph's labels and types.

Labels and relationship types come only from ``Label`` and ``Rel``: a statement names them as ``%OBJECT`` or
``%HELD_BY`` (the enum member's name; ``%`` because ``$`` is Cypher's parameter sigil), and ``cypher()`` substitutes
the member's value when this module is imported, so a misspelt name fails at import, not in production.  Values
always travel as parameters; the only thing ever put into a statement's text is a lineage depth, an ``int``
clamped to ``1..MAX_DEPTH`` (Cypher cannot take a variable-length bound as a parameter).

The graph model is described, with a diagram, in ``graph_schema/README.md``.
"""

from __future__ import annotations

from enum import StrEnum
from string import Template

from retrace.domain.changes import LinkKind
from retrace.domain.model import ObjectKind
from retrace.domain.rates.aggregates import KEY_FIELDS
from retrace.domain.rates.materials import TRACKED_ELEMENTS

MAX_DEPTH = 50


class Label(StrEnum):
    OBJECT = "Object"  # every traced object; also labelled Item or Lot
    ITEM = "Item"
    LOT = "Lot"
    IDENTIFIER = "Identifier"  # one identifier key (GS1, VIN, battery code, internal); unique
    EVENT = "Event"
    FLOW = "Flow"  # one movement of mass at a site (FlowRecord)
    FLOW_AGGREGATE = (
        "FlowAggregate"  # sums of flow records by month, site, material, fate … (rates.aggregates)
    )
    PARTY = "Party"
    SITE = "Site"
    LICENCE = "Licence"
    MODEL = "Model"  # a product model (ProductModel)
    SCHEMA_MIGRATION = "SchemaMigration"
    EVENT_LOG = "EventLog"  # one node: the last log position given to an event (live feeds read after it)


class Rel(StrEnum):
    IDENTIFIES = "IDENTIFIES"  # (Identifier)->(Object)
    TOUCHED = "TOUCHED"  # (Event)->(Object) {role}
    CONTAINS = "CONTAINS"  # lineage (Object)->(Object) {event_id, mass_g, corrected}
    DISASSEMBLED_INTO = "DISASSEMBLED_INTO"  # lineage
    TRANSFORMED_INTO = "TRANSFORMED_INTO"  # lineage
    INSIDE = "INSIDE"  # (Object)->(Object): its current container (the parent_id property)
    HELD_BY = "HELD_BY"  # (Object)->(Party): current holder
    AT = "AT"  # (Object)->(Site): current site
    OF_MODEL = "OF_MODEL"  # (Object)->(Model)
    OCCURRED_AT = "OCCURRED_AT"  # (Event)->(Site)
    RECORDED_BY = "RECORDED_BY"  # (Event)->(Party)
    HAS_FLOW = "HAS_FLOW"  # (Event)->(Flow)
    OPERATED_BY = "OPERATED_BY"  # (Site)->(Party)
    GRANTED_TO = "GRANTED_TO"  # (Licence)->(Party)
    MADE_BY = "MADE_BY"  # (Model)->(Party)


KIND_LABEL: dict[ObjectKind, Label] = {ObjectKind.ITEM: Label.ITEM, ObjectKind.LOT: Label.LOT}
LINK_REL: dict[LinkKind, Rel] = {
    LinkKind.CONTAINS: Rel.CONTAINS,
    LinkKind.DISASSEMBLED_INTO: Rel.DISASSEMBLED_INTO,
    LinkKind.TRANSFORMED_INTO: Rel.TRANSFORMED_INTO,
}
REL_LINK: dict[str, LinkKind] = {rel.value: kind for kind, rel in LINK_REL.items()}

# Relationships kept equal to an object's current state: (type, label of the node it points to, object field).
CURRENT_STATE: tuple[tuple[Rel, Label, str], ...] = (
    (Rel.HELD_BY, Label.PARTY, "holder_id"),
    (Rel.AT, Label.SITE, "site_id"),
    (Rel.INSIDE, Label.OBJECT, "parent_id"),
    (Rel.OF_MODEL, Label.MODEL, "model_id"),
)


class _Cypher(Template):
    delimiter = "%"


_NAMES: dict[str, str] = {m.name: m.value for m in Label}
_NAMES.update({m.name: m.value for m in Rel})
assert len(_NAMES) == len(Label) + len(Rel), "Label and Rel member names must differ"
_NAMES["LINKS"] = "|".join(LINK_REL[kind] for kind in LinkKind)


def cypher(text: str, **extra: str) -> str:
    """``text`` with every ``%NAME`` replaced by that label or relationship type (``KeyError`` if unknown)."""
    return _Cypher(text).substitute(_NAMES, **extra).strip()


# -- lifecycle ---------------------------------------------------------------------------------------------------

PING = "RETURN 1 AS ok"

COUNTS = cypher("""
RETURN COUNT { (:%OBJECT) } AS objects,
       COUNT { (:%EVENT) } AS events,
       COUNT { (:%PARTY) } AS parties,
       COUNT { (:%SITE) } AS sites
""")

# One batch of ``wipe``: everything but the migration records (constraints and indexes are not data), the
# :EventLog node included, as a fresh database after ``migrate`` has none (``Neo4jStore.wipe``).
# Relationships first, then nodes, each in server-side batches (auto-commit only): deleting a node with all its
# relationships at once (a party with every event it recorded) can exceed the memory of one transaction.
WIPE = (
    cypher("""
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS
"""),
    cypher("""
MATCH (n) WHERE NOT n:%SCHEMA_MIGRATION
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS
"""),
)

# -- migrations --------------------------------------------------------------------------------------------------

APPLIED_MIGRATIONS = cypher("""
MATCH (m:%SCHEMA_MIGRATION)
RETURN m.version AS version, m.checksum AS checksum
ORDER BY version
""")

RECORD_MIGRATION = cypher("""
MERGE (m:%SCHEMA_MIGRATION {version: $version})
ON CREATE SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()
""")

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

# -- registry ----------------------------------------------------------------------------------------------------

SAVE_PARTIES = cypher("""
UNWIND $rows AS row
MERGE (p:%PARTY {id: row.id})
SET p = row.props
""")

# Sites, licences and models saved before their party get their relationship when the party is saved.
CONNECT_PARTIES = cypher("""
UNWIND $ids AS id
MATCH (p:%PARTY {id: id})
CALL (p) {
  MATCH (s:%SITE {party_id: p.id})
  MERGE (s)-[:%OPERATED_BY]->(p)
}
CALL (p) {
  MATCH (l:%LICENCE {party_id: p.id})
  MERGE (l)-[:%GRANTED_TO]->(p)
}
CALL (p) {
  MATCH (m:%MODEL {producer_id: p.id})
  MERGE (m)-[:%MADE_BY]->(p)
}
""")


def _save_owned(label: Label, key: str, rel: Rel) -> str:
    """Insert or replace a node by ``key`` and point its one ``rel`` at the party ``row.party_id`` (if saved)."""
    return cypher(f"""
UNWIND $rows AS row
MERGE (n:%{label.name} {{{key}: row.key}})
SET n = row.props
WITH n, row
CALL (n) {{
  MATCH (n)-[old:%{rel.name}]->()
  DELETE old
}}
WITH n, row
MATCH (p:%PARTY {{id: row.party_id}})
CREATE (n)-[:%{rel.name}]->(p)
""")


SAVE_SITES = _save_owned(Label.SITE, "id", Rel.OPERATED_BY)
SAVE_LICENCES = _save_owned(Label.LICENCE, "number", Rel.GRANTED_TO)
SAVE_MODELS = _save_owned(Label.MODEL, "id", Rel.MADE_BY)

GET_PARTIES = cypher("UNWIND $ids AS id MATCH (n:%PARTY {id: id}) RETURN n.json AS json")
GET_SITES = cypher("UNWIND $ids AS id MATCH (n:%SITE {id: id}) RETURN n.json AS json")
GET_MODELS = cypher("UNWIND $ids AS id MATCH (n:%MODEL {id: id}) RETURN n.json AS json")
GET_LICENCES = cypher("""
UNWIND $ids AS id
MATCH (l:%LICENCE {party_id: id})
RETURN l.json AS json
ORDER BY l.number
""")

# -- capture reads -----------------------------------------------------------------------------------------------

GET_EVENTS = cypher("UNWIND $ids AS id MATCH (e:%EVENT {id: id}) RETURN e.json AS json")
GET_OBJECTS = cypher("UNWIND $ids AS id MATCH (o:%OBJECT {id: id}) RETURN o.json AS json")
FIND_BY_KEYS = cypher("""
UNWIND $keys AS key
MATCH (:%IDENTIFIER {key: key})-[:%IDENTIFIES]->(o:%OBJECT)
RETURN key, o.json AS json
""")
CHILDREN_OF = cypher("""
UNWIND $ids AS id
MATCH (c:%OBJECT {parent_id: id})
RETURN id AS parent_id, c.id AS child_id
ORDER BY parent_id, child_id
""")

# -- commit: one explicit transaction, statements in this order ---------------------------------------------------

# Write locks first.  Neo4j reads are read-committed and take no locks, so a version read before the lock could be
# stale by the time the write happens (both writers read n, both write n+1).  Setting a property takes the node's
# exclusive lock, held to the end of the transaction; a second writer blocks here until the first commits, and
# only then reads the version (tests/adapters/test_neo4j_store.py shows both halves).  Ids arrive sorted, so two
# writers lock shared nodes in the same order; a deadlock that still happens is reported as a lost race.
# Objects a batch only read (``ChangeSet.read_versions``) are locked too, although nothing is written to them:
# checked without a lock, two writers that each read what the other changes would both see the old versions (the
# other has not committed yet), both pass, and both commit (write skew: two aggregations making a cycle).  Cypher
# has no shared lock to take, so it is this exclusive one, held only for the commit.
LOCK_OBJECTS = cypher("""
UNWIND $ids AS id
MATCH (o:%OBJECT {id: id})
SET o._lock = true
REMOVE o._lock
""")
LOCK_EVENTS = cypher("""
UNWIND $ids AS id
MATCH (e:%EVENT {id: id})
SET e._lock = true
REMOVE e._lock
""")

READ_OBJECT_STATE = cypher("""
UNWIND $ids AS id
MATCH (o:%OBJECT {id: id})
RETURN o.id AS id, o.version AS version, o.keys AS keys, o.holder_id AS holder_id, o.site_id AS site_id,
       o.parent_id AS parent_id, o.model_id AS model_id
""")
READ_CORRECTION_TARGETS = cypher("""
UNWIND $ids AS id
MATCH (e:%EVENT {id: id})
RETURN e.id AS id, e.corrected_by AS corrected_by, e.json AS json
""")

CREATE_EVENTS = cypher("""
UNWIND $rows AS row
CREATE (e:%EVENT {id: row.id})
SET e += row.props
WITH e, row
OPTIONAL MATCH (s:%SITE {id: row.site_id})
OPTIONAL MATCH (p:%PARTY {id: row.party_id})
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | CREATE (e)-[:%OCCURRED_AT]->(s))
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (e)-[:%RECORDED_BY]->(p))
""")

# Keys an updated object gave up (a voided object gives up all), so a later or the same batch can reuse them.
DROP_IDENTIFIERS = cypher("""
UNWIND $rows AS row
MATCH (i:%IDENTIFIER {key: row.key})-[:%IDENTIFIES]->(:%OBJECT {id: row.object_id})
DETACH DELETE i
""")

CREATE_OBJECTS: dict[ObjectKind, str] = {
    kind: cypher(f"""
UNWIND $rows AS row
CREATE (o:%OBJECT:%{label.name} {{id: row.id}})
SET o += row.props
""")
    for kind, label in KIND_LABEL.items()
}

# ``+=`` with a null value removes the property, so a field that became None is gone, as in the JSON.
UPDATE_OBJECTS = cypher("""
UNWIND $rows AS row
MATCH (o:%OBJECT {id: row.id})
SET o += row.props
""")

# A key already held by another object fails here with ConstraintValidationFailed (DuplicateKey).
ADD_IDENTIFIERS = cypher("""
UNWIND $rows AS row
MATCH (o:%OBJECT {id: row.object_id})
CREATE (:%IDENTIFIER {key: row.key})-[:%IDENTIFIES]->(o)
""")

RELINK: dict[Rel, str] = {
    rel: cypher(f"""
UNWIND $rows AS row
MATCH (o:%OBJECT {{id: row.id}})
CALL (o) {{
  MATCH (o)-[old:%{rel.name}]->()
  DELETE old
}}
WITH o, row
MATCH (t:%{label.name} {{id: row.target}})
CREATE (o)-[:%{rel.name}]->(t)
""")
    for rel, label, _ in CURRENT_STATE
}

TOUCH_OBJECTS = cypher("""
UNWIND $rows AS row
MATCH (e:%EVENT {id: row.event_id})
MATCH (o:%OBJECT {id: row.object_id})
CREATE (e)-[:%TOUCHED {role: row.role}]->(o)
""")

CREATE_LINKS: dict[LinkKind, str] = {
    kind: cypher(f"""
UNWIND $rows AS row
MATCH (a:%OBJECT {{id: row.from_id}})
MATCH (b:%OBJECT {{id: row.to_id}})
CREATE (a)-[:%{rel.name} {{event_id: row.event_id, mass_g: row.mass_g, corrected: false}}]->(b)
""")
    for kind, rel in LINK_REL.items()
}

CREATE_FLOWS = cypher("""
UNWIND $rows AS row
MATCH (e:%EVENT {id: row.event_id})
CREATE (e)-[:%HAS_FLOW]->(f:%FLOW)
SET f = row.props
""")

# Flag each corrected event (property and JSON) and stop lineage from following the links it made.  Every link of
# an event joins two objects the event touched, so the links are found from the event without a global index.
MARK_CORRECTED = cypher("""
UNWIND $rows AS row
MATCH (e:%EVENT {id: row.target})
SET e.corrected_by = row.by, e.json = row.json
WITH e, row
CALL (e, row) {
  MATCH (e)-[:%TOUCHED]->(:%OBJECT)-[r:%LINKS]-(:%OBJECT)
  WHERE r.event_id = row.target
  SET r.corrected = true
}
""")

# -- queries -----------------------------------------------------------------------------------------------------

HISTORY = cypher("""
MATCH (:%OBJECT {id: $id})<-[:%TOUCHED]-(e:%EVENT)
WITH DISTINCT e
RETURN e.json AS json
ORDER BY e.event_time_utc, e.recorded_at, e.id
""")


def lineage(downstream: bool, depth: int) -> str:
    """Objects within ``depth`` non-corrected links of ``$id`` and the links that reach them.

    The objects within ``depth - 1`` links are found breadth-first (``DISTINCT`` after a variable-length pattern
    lets Neo4j prune: each node is expanded once, not once per path); each of them then contributes its own
    non-corrected links, whose far ends are the objects at distance ``depth``.  One row per (object ``a``, link
    ``r`` to ``b``; upstream, ``r`` points from ``b`` to ``a``); an object without links gives one row with null
    link columns.  No row at all: the root does not exist.
    """
    inner = max(1, min(int(depth), MAX_DEPTH)) - 1
    walk, step = (
        ("-[steps:%LINKS*0..%INNER]->", "-[r:%LINKS]->")
        if downstream
        else ("<-[steps:%LINKS*0..%INNER]-", "<-[r:%LINKS]-")
    )
    return cypher(
        f"""
MATCH (root:%OBJECT {{id: $id}})
CALL (root) {{
  MATCH (root){walk}(a:%OBJECT)
  WHERE all(s IN steps WHERE s.corrected = false)
  RETURN DISTINCT a
}}
OPTIONAL MATCH (a){step}(b:%OBJECT)
WHERE r.corrected = false
RETURN a.id AS a_id, a.json AS a_json, b.id AS b_id, b.json AS b_json, type(r) AS type, r.event_id AS event_id,
       r.mass_g AS mass_g
""",
        INNER=str(inner),
    )


# Seeks the index of migration V0006, which holds live objects only (see there).
OBJECTS_AT_SITE = cypher("""
MATCH (o:%OBJECT)
// Pinned, as statistics on a young graph may lead the planner to range-scan the unique index on id instead.
USING INDEX o:%OBJECT(live_site_id, id)
WHERE o.live_site_id = $site_id AND o.id > $after_id
RETURN o.json AS json
ORDER BY o.id
LIMIT $limit
""")

# A commission's "output" role marks exactly the objects it created; corrected commissions are left out.  Seeks the
# index of migration V0005 (party, type, time): only the party's commissions in the period are read.
COMMISSIONED = cypher("""
MATCH (e:%EVENT)
// The hint pins the index of migration V0005: on a young graph the planner's statistics may favour the index on
// (party_id, event_time_utc), which reads every event the party recorded in the period.
USING INDEX e:%EVENT(party_id, type, event_time_utc)
WHERE e.party_id = $party_id AND e.type = 'commission' AND e.event_time_utc >= $start AND e.event_time_utc < $end
  AND e.corrected_by IS NULL
// Outputs are expanded from each commission, and the cursor is applied to what that gives: with the cursor in the
// MATCH, the planner may instead range-scan every object above it (the unique index on id) and join.
CALL (e) {
  MATCH (e)-[t:%TOUCHED]->(o:%OBJECT)
  WHERE t.role = 'output'
  RETURN o
}
WITH DISTINCT o
WHERE o.id > $after_id
RETURN o.json AS json
ORDER BY o.id
LIMIT $limit
""")

# Instants are compared in UTC (the store converts ``start`` and ``end``), so ``start <= t < end`` is exact.
SITE_FLOWS = cypher("""
MATCH (f:%FLOW)
WHERE f.site_id = $site_id AND f.event_time_utc >= $start AND f.event_time_utc < $end
RETURN f.direction AS direction, f.material AS material, f.fate AS fate, sum(f.mass_g) AS mass_g,
       sum(CASE WHEN f.reverses THEN -1 ELSE 1 END) AS count
""")


# -- browsing: master data and events page by page (keyset pagination on id, or on event time then id) ---------------

# Master data is small (thousands of nodes): one statement per listing, null parameters not filtering.
LIST_PARTIES = cypher("""
MATCH (n:%PARTY)
WHERE n.id > $after_id
  AND ($role IS NULL OR $role IN n.roles)
  AND ($region_prefix IS NULL OR n.region STARTS WITH $region_prefix)
  AND ($name IS NULL OR toLower(n.name) CONTAINS $name OR toLower(n.name_zh) CONTAINS $name)
RETURN n.json AS json
ORDER BY n.id
LIMIT $limit
""")

LIST_SITES = cypher("""
MATCH (n:%SITE)
WHERE n.id > $after_id
  AND ($party_id IS NULL OR n.party_id = $party_id)
  AND ($region_prefix IS NULL OR n.region STARTS WITH $region_prefix)
  AND ($name IS NULL OR toLower(n.name) CONTAINS $name OR toLower(n.name_zh) CONTAINS $name)
RETURN n.json AS json
ORDER BY n.id
LIMIT $limit
""")

LIST_MODELS = cypher("""
MATCH (n:%MODEL)
WHERE n.id > $after_id
  AND ($producer_id IS NULL OR n.producer_id = $producer_id)
  AND ($stream IS NULL OR n.stream = $stream)
  AND ($category IS NULL OR n.category = $category)
RETURN n.json AS json
ORDER BY n.id
LIMIT $limit
""")

# Events can be millions: each filter is its own fixed clause (never "$x IS NULL OR …", which hides the indexes
# of V0003 from the planner).  The text is chosen from these fragments only; values are parameters.
_EVENT_CLAUSES = {
    "site_id": "e.site_id = $site_id",
    "party_id": "e.party_id = $party_id",
    "start": "e.event_time_utc >= $start",
    "end": "e.event_time_utc < $end",
    "types": "e.type IN $types",
    "after": "(e.event_time_utc > $after_time OR (e.event_time_utc = $after_time AND e.id > $after_id))",
    "position": "e.seq > $position",
    "timed": "e.event_time_utc IS NOT NULL AND e.id IS NOT NULL",
}


def _event_match(by_object: bool, clauses: list[str]) -> str:
    unknown = set(clauses) - _EVENT_CLAUSES.keys()
    if unknown:
        raise KeyError(f"no event filter clause {sorted(unknown)}")
    match = (
        "MATCH (:%OBJECT {id: $object_id})<-[:%TOUCHED]-(e:%EVENT)\nWITH DISTINCT e"
        if by_object
        else "MATCH (e:%EVENT)"
    )
    where = " AND ".join(_EVENT_CLAUSES[c] for c in clauses)
    return f"{match}\nWHERE {where}" if where else match


def list_events(by_object: bool, clauses: list[str]) -> str:
    """Events touching ``$object_id`` (if ``by_object``) and meeting ``clauses`` (names of ``_EVENT_CLAUSES``), by
    event time then id."""
    # A composite index serves a query only with a predicate on each of its properties; every event has a time and
    # an id, so saying so lets (site_id, event_time_utc), (party_id, event_time_utc) and (event_time_utc, id) serve.
    return cypher(f"""
{_event_match(by_object, [*clauses, "timed"])}
RETURN e.json AS json
ORDER BY e.event_time_utc, e.id
LIMIT $limit
""")


def events_since(by_object: bool, clauses: list[str]) -> str:
    """Events after log position ``$position`` (``clauses`` must include ``position``), in log order."""
    return cypher(f"""
{_event_match(by_object, clauses)}
RETURN e.seq AS seq, e.json AS json
ORDER BY e.seq
LIMIT $limit
""")


EVENT_LOG_HEAD = cypher("""
OPTIONAL MATCH (log:%EVENT_LOG {name: 'events'})
RETURN coalesce(log.head, 0) AS head
""")

# The last statement of a commit: the batch's events get the next log positions, in batch order.  The log node's
# write lock is taken first and held until the commit ends, so positions are handed out in commit order (a reader
# that has seen position n has seen every event before it) while commits still run in parallel up to this point.
# The uniqueness constraint on :EventLog(name) makes the first MERGE of two concurrent writers create one node.
ASSIGN_LOG_POSITIONS = cypher("""
MERGE (log:%EVENT_LOG {name: 'events'})
SET log._lock = true
REMOVE log._lock
WITH log
SET log.head = coalesce(log.head, 0) + size($ids)
WITH log.head - size($ids) AS base
UNWIND range(0, size($ids) - 1) AS i
MATCH (e:%EVENT {id: $ids[i]})
SET e.seq = base + i + 1
""")


# -- recovery reports: flow aggregates (kept by commit) and flow records (drill-down) ------------------------------

AGGREGATE_DIMENSIONS: tuple[str, ...] = tuple(name for name in KEY_FIELDS if name != "month")
AGGREGATE_SUMS: tuple[str, ...] = ("mass_g", "count", "value_cny", *(f"el_{e}" for e in TRACKED_ELEMENTS))

# Rows arrive sorted by key, so two commits touching the same aggregates lock them in the same order.
ADD_FLOW_AGGREGATES = cypher(
    """
UNWIND $rows AS row
MERGE (a:%FLOW_AGGREGATE {key: row.key})
ON CREATE SET a += row.dims
SET """
    + ",\n    ".join(f"a.{c} = coalesce(a.{c}, 0) + row.{c}" for c in AGGREGATE_SUMS)
)


def flow_aggregates(by_month: bool) -> str:
    """Sums over ``$start..$end`` months, grouped by every dimension (and the month if ``by_month``); a null
    list parameter does not filter."""
    group = [*AGGREGATE_DIMENSIONS, "month"] if by_month else list(AGGREGATE_DIMENSIONS)
    return cypher(
        """
MATCH (a:%FLOW_AGGREGATE)
WHERE a.month >= $start AND a.month <= $end
  AND ($site_ids IS NULL OR a.site_id IN $site_ids)
  AND ($party_ids IS NULL OR a.party_id IN $party_ids)
  AND ($model_ids IS NULL OR a.model_id IN $model_ids)
  AND ($streams IS NULL OR a.stream IN $streams)
  AND ($directions IS NULL OR a.direction IN $directions)
WITH """
        + ", ".join(f"a.{d} AS {d}" for d in group)
        + ", "
        + ", ".join(f"sum(a.{c}) AS {c}" for c in AGGREGATE_SUMS)
        + """
WHERE mass_g <> 0 OR count <> 0 OR value_cny <> 0
RETURN *"""
    )


def _optional(name: str) -> str:
    """``$name`` null: no filter; ``""``: the property is absent; else equal."""
    return f"AND (${name} IS NULL OR (${name} = '' AND f.{name} IS NULL) OR f.{name} = ${name})"


FLOW_RECORDS = cypher(
    """
MATCH (f:%FLOW)
WHERE f.site_id = $site_id AND f.event_time_utc >= $start AND f.event_time_utc < $end
  AND ($direction IS NULL OR f.direction = $direction)
  AND ($stream IS NULL OR f.stream = $stream)
  AND ($material IS NULL OR f.material = $material)
  """
    + "\n  ".join(_optional(name) for name in ("fate", "stage", "model_id", "origin_site_id"))
    + """
  AND ($after_time IS NULL OR f.event_time_utc > $after_time
       OR (f.event_time_utc = $after_time AND (f.event_id > $after_event
           OR (f.event_id = $after_event AND (f.object_id > $after_object
               OR (f.object_id = $after_object AND (f.direction > $after_direction
                   OR (f.direction = $after_direction AND $after_stream IS NOT NULL
                       AND f.stream > $after_stream))))))))
RETURN properties(f) AS props
ORDER BY f.event_time_utc, f.event_id, f.object_id, f.direction, f.stream
LIMIT $limit"""
)
