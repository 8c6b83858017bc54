"""Lookups without the index on Neo4j: the store's own patterns with a ``USING SCAN`` hint.

The hint makes the planner read every node of the label instead of seeking the uniqueness constraint's or the
property index's entries; the rest of the query is the store's.  A driver of its own on the same server.
"""

from __future__ import annotations

from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase, RoutingControl

from retrace.adapters.neo4j.queries import cypher
from retrace.adapters.neo4j.store import LIVE_STATUSES

KEY_BY_SCAN = cypher("""
MATCH (i:%IDENTIFIER)
USING SCAN i:%IDENTIFIER
WHERE i.key = $key
MATCH (i)-[:%IDENTIFIES]->(o:%OBJECT)
RETURN o.id AS id
""")

LIVE_AT_SITE_BY_SCAN = cypher("""
MATCH (o:%OBJECT)
USING SCAN o:%OBJECT
WHERE o.site_id = $site_id AND o.status IN $live
RETURN o.id AS id
ORDER BY o.id
LIMIT $limit
""")

FLOW_RECORD_COUNT = cypher("RETURN COUNT { (:%FLOW) } AS n")

SERVER_VERSION = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS v, edition"


class Neo4jScans:
    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database

    @classmethod
    def connect(cls, uri: str, auth: tuple[str, str] | None, database: str) -> Neo4jScans:
        driver = AsyncGraphDatabase.driver(
            uri, auth=auth, notifications_min_severity="OFF", user_agent="retrace-bench"
        )
        return cls(driver, database)

    async def _rows(self, query: str, **params: Any) -> list[Any]:
        result = await self._driver.execute_query(
            query, params, routing_=RoutingControl.READ, database_=self._database
        )
        return list(result.records)

    async def object_id_by_key_scan(self, key: str) -> str | None:
        rows = await self._rows(KEY_BY_SCAN, key=key)
        return str(rows[0]["id"]) if rows else None

    async def live_at_site_scan(self, site_id: str, limit: int) -> list[str]:
        live = list(LIVE_STATUSES)
        return [
            str(r["id"])
            for r in await self._rows(LIVE_AT_SITE_BY_SCAN, site_id=site_id, live=live, limit=limit)
        ]

    async def flow_record_count(self) -> int:
        return int((await self._rows(FLOW_RECORD_COUNT))[0]["n"])

    async def server_version(self) -> str:
        """What the server says it is, e.g. ``Neo4j Kernel 5.26.30 community``."""
        return ", ".join(f"{r['name']} {r['v']} {r['edition']}" for r in await self._rows(SERVER_VERSION))

    async def close(self) -> None:
        await self._driver.close()
