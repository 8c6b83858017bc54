"""Lookups without the index on the embedded store: the store's own queries with ``NOT INDEXED``.

A read-only connection of its own on the store's file (the store's connections are its own business); SQLite runs
in a worker thread, as in the store, so the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from retrace.adapters.sqlite.schema import LIVE_CONDITION

# ``NOT INDEXED`` makes SQLite read the whole table (the primary key's index and every other one left unused).
KEY_BY_SCAN = "SELECT object_id FROM keys NOT INDEXED WHERE key = ?"
LIVE_AT_SITE_BY_SCAN = (
    f"SELECT id FROM objects NOT INDEXED WHERE site_id = ? AND {LIVE_CONDITION} ORDER BY id LIMIT ?"
)
FLOW_RECORD_COUNT = "SELECT count(*) FROM flows"


class SqliteScans:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()  # one statement at a time on the one connection

    @classmethod
    async def open(cls, path: Path) -> SqliteScans:
        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            conn.execute(
                "PRAGMA cache_size = -32768"
            )  # the store's readers' cache size: a like-for-like scan
            return conn

        return cls(await asyncio.to_thread(connect))

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with self._lock:
            return await asyncio.to_thread(lambda: self._conn.execute(sql, params).fetchall())

    async def object_id_by_key_scan(self, key: str) -> str | None:
        rows = await self._rows(KEY_BY_SCAN, key)
        return str(rows[0][0]) if rows else None

    async def live_at_site_scan(self, site_id: str, limit: int) -> list[str]:
        return [str(r[0]) for r in await self._rows(LIVE_AT_SITE_BY_SCAN, site_id, limit)]

    async def flow_record_count(self) -> int:
        return int((await self._rows(FLOW_RECORD_COUNT))[0][0])

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self._conn.close)
