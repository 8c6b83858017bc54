"""The stores the benchmark loads: a fresh SQLite file, and an empty Neo4j database (erased only when asked).

Each comes with its ``Scans`` (the naive lookups' own connection), its version and a way to measure its size on
disk.  Failures say what to do: Neo4j not running → ``scripts/neo4j start``; Neo4j holding data → ``--wipe-neo4j``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrace.adapters.neo4j.store import Neo4jStore
from retrace.adapters.sqlite.store import SqliteStore
from retrace.app.ports import GraphStore
from retrace.bench.naive import Scans
from retrace.bench.naive_neo4j import Neo4jScans
from retrace.bench.naive_sqlite import SqliteScans
from retrace.domain.errors import StoreUnavailable


class BenchError(Exception):
    """The benchmark cannot run; the message says why and what to do (English, then Chinese)."""


@dataclass
class OpenedStore:
    kind: str
    store: GraphStore
    scans: Scans
    version: str
    where: str  # the file or the URI
    disk: Callable[
        [], dict[str, int]
    ]  # bytes on disk by part (files, or folders of Neo4j's data); {} if unknown

    async def close(self) -> None:
        try:
            await self.scans.close()
        finally:
            await self.store.close()


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (or of ``path`` itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def parts_bytes(folder: Path, pattern: str = "*") -> dict[str, int]:
    """Bytes of each entry of ``folder`` matching ``pattern`` (a folder counts with everything inside)."""
    if not folder.is_dir():
        return {}
    return {p.name: folder_bytes(p) for p in sorted(folder.glob(pattern))}


def _fresh_file(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench.db"
    for leftover in (path, path.with_name("bench.db-wal"), path.with_name("bench.db-shm")):
        leftover.unlink(missing_ok=True)
    return path


async def open_sqlite(workdir: Path) -> OpenedStore:
    """A new, empty SQLite store in ``workdir`` (an earlier benchmark file there is replaced)."""
    path = _fresh_file(workdir)
    store = await SqliteStore.open(path)
    try:
        scans = await SqliteScans.open(path)
    except BaseException:
        await store.close()
        raise

    return OpenedStore(
        "sqlite",
        store,
        scans,
        f"SQLite {sqlite3.sqlite_version}",
        str(path),
        lambda: parts_bytes(workdir, "bench.db*"),
    )


async def open_neo4j(
    uri: str, auth: tuple[str, str] | None, database: str, *, wipe: bool, data_dir: Path | None
) -> OpenedStore:
    """The Neo4j database at ``uri``, migrated and empty.  A database holding data is erased only if ``wipe``."""
    try:
        store = await Neo4jStore.connect(uri, auth, database)
    except StoreUnavailable as e:
        raise BenchError(
            f"Neo4j is not reachable at {uri}: start it with `scripts/neo4j start` (or set TRACE_NEO4J_URI), "
            f"or run only the embedded store with --stores sqlite. ({e.message})\n"
            f"无法连接 Neo4j（{uri}）：请先运行 `scripts/neo4j start`，或用 --stores sqlite 只测嵌入式数据库。"
        ) from e
    scans = Neo4jScans.connect(uri, auth, database)
    try:
        await store.migrate()
        counts = await store.counts()
        if (counts["objects"] or counts["events"]) and not wipe:
            raise BenchError(
                f"the Neo4j database at {uri} holds {counts['objects']:,} objects and {counts['events']:,} "
                "events; the benchmark needs it empty. Pass --wipe-neo4j to erase everything in it (only on a "
                "test server such as the one `scripts/neo4j start` runs).\n"
                "该 Neo4j 数据库不为空；基准测试需要空库。确认可清空时加 --wipe-neo4j（会删除库中全部数据）。"
            )
        try:
            await store.wipe()
        except StoreUnavailable as e:
            raise BenchError(
                f"could not erase the Neo4j database at {uri} ({e.message}). A large graph can exceed the "
                "server's transaction memory; for the test server, `scripts/neo4j wipe` then `scripts/neo4j start` "
                "erases it at once.\n"
                "无法清空 Neo4j 数据库；测试服务器可运行 `scripts/neo4j wipe` 后再 `scripts/neo4j start`。"
            ) from e
        version = await scans.server_version()
    except BaseException:
        await scans.close()
        await store.close()
        raise

    # The database's store files are under databases/, its transaction logs under transactions/ (both also hold
    # the small system database).
    return OpenedStore("neo4j", store, scans, version, uri, lambda: parts_bytes(data_dir) if data_dir else {})
