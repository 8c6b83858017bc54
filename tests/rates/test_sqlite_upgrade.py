"""An embedded store written before flow aggregates existed is brought up to date when it is opened."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from retrace.adapters.sqlite.schema import SCHEMA_VERSION
from retrace.adapters.sqlite.store import SqliteStore
from retrace.app.capture import CaptureEvents
from retrace.app.ports import FlowQuery
from retrace.app.registry import RegisterMasterData
from tests.rates.support import NOW, registration
from tests.rates.test_formulas import battery_chain, car_chain, shredded

pytestmark = pytest.mark.asyncio


async def test_an_older_file_gets_its_aggregates_from_the_records_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "trace.db"
    store = await SqliteStore.open(path)
    await RegisterMasterData(store).execute(registration())
    await CaptureEvents(store, clock=lambda: NOW).execute([*car_chain(*shredded())])
    await CaptureEvents(store, clock=lambda: NOW).execute(
        [dataclasses.replace(e, event_id=f"b-{e.event_id}") for e in battery_chain()]
    )
    query = FlowQuery("2026-01", "2026-12", by_month=True)
    kept = await store.flow_aggregates(query)
    await store.close()

    with sqlite3.connect(path) as conn:  # as a file of schema 2 was: no aggregates
        conn.execute("DROP TABLE flow_aggregates")
        conn.execute("PRAGMA user_version = 2")
    conn.close()

    reopened = await SqliteStore.open(path)
    try:
        assert await reopened.flow_aggregates(query) == kept
    finally:
        await reopened.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
