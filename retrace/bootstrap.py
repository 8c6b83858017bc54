"""Wiring: from ``Settings`` to an open store and the use cases built on it.

The only place that chooses an adapter.  The API's lifespan, every CLI command and the tests go through here, so a
store is opened the same way, and fails with the same advice, wherever it is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrace.app.capture import CaptureEvents
from retrace.app.ports import GraphStore
from retrace.app.registry import RegisterMasterData
from retrace.app.signals import RecordedSignal
from retrace.app.tracing import TraceQueries
from retrace.config import Settings
from retrace.domain.errors import StoreUnavailable
from retrace.domain.ledger import CaptureRules


async def open_store(settings: Settings) -> GraphStore:
    """Open the store the settings name, or raise ``StoreUnavailable`` saying what failed and what to do."""
    if settings.store == "sqlite":
        return await _open_sqlite(settings)
    return await _open_neo4j(settings)


async def _open_sqlite(settings: Settings) -> GraphStore:
    from retrace.adapters.sqlite.store import SqliteStore

    path = settings.sqlite_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreUnavailable(
            f"cannot create the folder {path.parent} for the embedded store ({e.strerror or e}); "
            "set TRACE_SQLITE_PATH to a writable place",
            message_zh=f"无法创建嵌入式数据库目录 {path.parent}；请将 TRACE_SQLITE_PATH 设为可写位置",
            details={"path": str(path)},
        ) from e
    try:
        return await SqliteStore.open(path)
    except StoreUnavailable:
        raise
    except OSError as e:
        raise StoreUnavailable(
            f"cannot open the embedded store {path} ({e}); check the file's permissions or set TRACE_SQLITE_PATH",
            message_zh=f"无法打开嵌入式数据库 {path}；请检查文件权限或设置 TRACE_SQLITE_PATH",
            details={"path": str(path)},
        ) from e


async def _open_neo4j(settings: Settings) -> GraphStore:
    from retrace.adapters.neo4j.store import Neo4jStore

    uri = settings.neo4j_uri
    try:
        return await Neo4jStore.connect(uri, settings.neo4j_auth, settings.neo4j_database)
    except (StoreUnavailable, OSError) as e:
        reason = e.message if isinstance(e, StoreUnavailable) else str(e)
        raise StoreUnavailable(
            f"cannot reach Neo4j at {uri}: {reason}. Start the server (scripts/neo4j start, or "
            "docker compose -f docker/compose.yaml up neo4j), check TRACE_NEO4J_URI, TRACE_NEO4J_USER and "
            "TRACE_NEO4J_PASSWORD, or use the embedded store with TRACE_STORE=sqlite",
            message_zh=f"无法连接 Neo4j（{uri}）。请启动服务器，检查 TRACE_NEO4J_URI、TRACE_NEO4J_USER 和 "
            "TRACE_NEO4J_PASSWORD，或设置 TRACE_STORE=sqlite 使用嵌入式数据库",
            details={"uri": uri},
        ) from e


@dataclass(frozen=True)
class Services:
    """The use cases of one running platform, sharing one store."""

    settings: Settings
    store: GraphStore
    store_kind: str
    capture: CaptureEvents
    registry: RegisterMasterData
    trace: TraceQueries
    recorded: (
        RecordedSignal  # raised by ``capture`` after it stores events; live feeds of this process wait on it
    )

    @classmethod
    def build(cls, settings: Settings, store: GraphStore, store_kind: str | None = None) -> Services:
        rules = CaptureRules(mass_tolerance=settings.mass_tolerance, max_clock_skew=settings.max_clock_skew)
        recorded = RecordedSignal()
        return cls(
            settings=settings,
            store=store,
            store_kind=store_kind or settings.store,
            capture=CaptureEvents(store, rules=rules, max_batch=settings.max_batch, signal=recorded),
            registry=RegisterMasterData(store),
            trace=TraceQueries(store, max_depth=settings.max_lineage_depth),
            recorded=recorded,
        )
