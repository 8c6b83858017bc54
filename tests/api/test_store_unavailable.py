"""POST /api/v1/events when the store fails in the middle of the batch: 503, the structured error, Retry-After;
nothing stored; the same batch sent again is stored once.

The failure is real: the embedded store's disk "fills up" (SQLite's own SQLITE_FULL, by a page limit on the writer
connection) after the batch's events were written and before its objects were, inside the real transaction
(``SqliteStore.before_commit_step`` chooses the moment).
"""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from retrace.adapters.sqlite.store import SqliteStore
from retrace.app.ports import GraphStore
from tests.api.payloads import commission, ship
from tests.world import digital_link

pytestmark = pytest.mark.asyncio

NO_PAGE_LIMIT = 4_294_967_294  # SQLite's largest max_page_count


class FullDisk:
    """Fills the disk once, in the middle of the next commit; frees it at the start of the one after."""

    def __init__(self) -> None:
        self.armed = True
        self.failed = False

    def __call__(self, conn: sqlite3.Connection, step: str) -> None:
        if step == "lock_and_check" and self.failed:
            conn.execute(f"PRAGMA max_page_count = {NO_PAGE_LIMIT}")
        if step == "write_objects" and self.armed:
            self.armed, self.failed = False, True
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_store_failing_mid_batch_is_503_with_retry_after_and_a_resend_stores_it_once(
    registered: httpx.AsyncClient, sqlite_store: GraphStore
) -> None:
    assert isinstance(sqlite_store, SqliteStore)
    events = [commission(f"c-{n}", 0, digital_link(8000 + n)) for n in range(19)]
    events.append(ship("s-0", 1, "maker", "collector", *[digital_link(8000 + n) for n in range(19)]))
    disk = FullDisk()
    sqlite_store.before_commit_step = disk
    before = (await registered.get("/healthz")).json()["counts"]

    response = await registered.post("/api/v1/events", json={"events": events})
    assert disk.failed, "the disk never filled up: the test proved nothing"
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    error = response.json()["error"]
    assert set(error) == {"code", "message", "message_zh", "field", "details"}
    assert error["code"] == "STORE_UNAVAILABLE"
    assert "nothing was written" in error["message"] and "retry" in error["message"]
    assert error["message_zh"] and error["details"] == {"path": str(sqlite_store.path)}
    assert (await registered.get("/healthz")).json()["counts"] == before
    assert (await registered.get(f"/api/v1/items/{digital_link(8000)}")).status_code == 404

    resent = await registered.post("/api/v1/events", json={"events": events})
    assert resent.status_code == 201, resent.text
    assert resent.json()["created"] == 20 and resent.json()["replayed"] == 0
    again = await registered.post("/api/v1/events", json={"events": events})
    assert again.status_code == 200 and again.json()["replayed"] == 20
    counts = (await registered.get("/healthz")).json()["counts"]
    assert counts["events"] == before["events"] + 20 and counts["objects"] == before["objects"] + 19
