"""``trace demo --no-serve`` and ``trace seed``: data loaded into a real embedded store, idempotently."""

from __future__ import annotations

import asyncio
from pathlib import Path

from retrace.adapters.sqlite.store import SqliteStore
from retrace.cli.main import _ItemsStored
from retrace.demo.dataset import demo_events
from retrace.domain.events import Event, Weigh
from tests.cli.conftest import Invoke
from tests.world import T0


def stored(path: Path, event_ids: list[str] | None = None) -> tuple[dict[str, int], int]:
    """The store's counts, and how many of ``event_ids`` it holds."""

    async def read() -> tuple[dict[str, int], int]:
        store = await SqliteStore.open(path)
        try:
            held = len(await store.get_events(event_ids)) if event_ids else 0
            return await store.counts(), held
        finally:
            await store.close()

    return asyncio.run(read())


def test_demo_loads_once_and_then_reuses_the_store(invoke: Invoke, tmp_path: Path) -> None:
    data_dir = tmp_path / "demo-data"
    first = invoke("demo", "--no-serve", "--data-dir", str(data_dir))
    assert first.exit_code == 0, first.output
    assert "Demo data loaded" in first.output and "演示数据已加载" in first.output
    assert "/docs" in first.output and "curl" in first.output

    ids = list(dict.fromkeys(e.event_id for e in demo_events()))
    counts, held = stored(data_dir / "trace.db", ids)
    assert held == len(ids) and counts["objects"] > 0

    second = invoke("demo", "--no-serve", "--data-dir", str(data_dir))
    assert second.exit_code == 0, second.output
    assert "already present" in second.output and "演示数据已存在" in second.output
    assert stored(data_dir / "trace.db", ids) == (counts, held)


def test_seed_loads_a_synthetic_data_set_with_a_progress_bar(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("seed", "--items", "50", "--batch", "25")
    assert result.exit_code == 0, result.output
    assert "Seeded" in result.output and "items / 物品" in result.output
    # the bar counts items, whose total is known from --items: it shows the total, the share done and time left
    assert "50/50" in result.output and "100%" in result.output and "left / 剩余" in result.output
    counts, _ = stored(tmp_path / "data" / "trace.db")
    assert counts["objects"] >= 50 and counts["events"] > 0 and counts["parties"] > 0

    again = invoke("seed", "--items", "50", "--batch", "25")  # the same seed: every event is a replay
    assert again.exit_code == 0, again.output
    assert stored(tmp_path / "data" / "trace.db")[0] == counts


def test_seed_refuses_a_batch_larger_than_the_server_accepts(invoke: Invoke) -> None:
    result = invoke("seed", "--items", "5", "--batch", "50", env={"TRACE_MAX_BATCH": "20"})
    assert result.exit_code == 2, result.output
    assert "--batch" in result.output


def weigh(event_id: str) -> Event:
    return Weigh(event_id, T0, "site-x", "party-x", object="internal:X-1", mass_g=1)


def test_seed_progress_counts_items_from_the_events_stored() -> None:
    """Cohorts of 3 and 2 items, of 6 and 4 events: the events stored so far, as items."""
    counter = _ItemsStored()
    cohorts = [(3, [weigh(f"a{i}") for i in range(6)]), (2, [weigh(f"b{i}") for i in range(4)])]
    events = counter.events(cohorts)
    assert counter.items_after(0) == 0
    taken = [next(events) for _ in range(6)]  # the loader takes a batch; the first cohort is noted
    assert len(taken) == 6
    assert [counter.items_after(n) for n in (0, 2, 4, 6)] == [0, 1, 2, 3]
    assert len(list(events)) == 4
    assert [counter.items_after(n) for n in (6, 8, 10)] == [3, 4, 5]
