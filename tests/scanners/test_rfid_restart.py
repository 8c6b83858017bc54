"""A bridge restarted within its repeat window goes on suppressing the tags it had counted: the sightings are kept
in the device's queue file, with the events that counted them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrace.scanners.outbox import OutboxQueue
from retrace.scanners.rfid.bridge import BridgeConfig, RepeatFilter, RfidBridge
from retrace.scanners.rfid.llrp import TagReport

T = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TV = "3074257BF7194E4000001A85"
OTHER = "3074257BF7194E4000001A86"
BLANK = "E2003412B802011826906046"
WINDOW = timedelta(seconds=30)


def read(epc: str, at: datetime) -> TagReport:
    raw = bytes.fromhex(epc)
    return TagReport(epc=raw, epc_bits=len(raw) * 8, antenna_id=1, first_seen=at)


def bridge(path: Path) -> tuple[RfidBridge, OutboxQueue]:
    queue = OutboxQueue(path)
    return RfidBridge(BridgeConfig("site-collector", "collector", window=WINDOW), queue), queue


@pytest.mark.asyncio
async def test_a_restart_within_the_window_counts_no_tag_twice(tmp_path: Path) -> None:
    first, queue = bridge(tmp_path / "outbox.db")
    assert len(await first.handle([read(TV, T), read(BLANK, T)])) == 1
    queue.close()

    second, queue = bridge(tmp_path / "outbox.db")  # the gateway rebooted; the tag never left the field
    again = await second.handle(
        [read(TV, T + WINDOW / 3), read(BLANK, T + WINDOW / 3), read(OTHER, T + WINDOW / 3)]
    )
    assert len(again) == 1  # only the tag never seen before
    assert len(queue.peek(10)) == 2
    assert len(queue.unreadable_tags()) == 1  # the blank tag is reported once, not once per run
    queue.close()


@pytest.mark.asyncio
async def test_a_tag_that_stays_in_the_field_stays_suppressed_across_a_restart(tmp_path: Path) -> None:
    """Sightings that count nothing are kept too (at least every half window), so a tag read for a long time
    before the restart is not new after it."""
    first, queue = bridge(tmp_path / "outbox.db")
    moments = [T + timedelta(seconds=s) for s in range(0, 121, 5)]
    for at in moments:
        await first.handle([read(TV, at)])
    queue.close()

    second, queue = bridge(tmp_path / "outbox.db")
    assert await second.handle([read(TV, moments[-1] + timedelta(seconds=10))]) == []
    assert len(queue.peek(10)) == 1
    queue.close()


@pytest.mark.asyncio
async def test_after_the_window_a_tag_counts_again_after_a_restart_too(tmp_path: Path) -> None:
    first, queue = bridge(tmp_path / "outbox.db")
    await first.handle([read(TV, T)])
    queue.close()

    second, queue = bridge(tmp_path / "outbox.db")
    assert len(await second.handle([read(TV, T + WINDOW + timedelta(seconds=1))])) == 1
    queue.close()


def test_kept_sightings_are_at_most_half_a_window_stale() -> None:
    window = RepeatFilter(WINDOW)
    window.admit("a", T)
    assert window.unsaved() == {"a": T}
    window.admit("a", T + timedelta(seconds=10))
    assert window.unsaved() == {}  # kept 10 s ago: fresh enough
    window.admit("a", T + timedelta(seconds=15))
    assert window.unsaved() == {"a": T + timedelta(seconds=15)}


def test_old_sightings_are_forgotten_by_the_queue(tmp_path: Path) -> None:
    with OutboxQueue(tmp_path / "outbox.db") as queue:
        queue.note_sightings({"old": T, "new": T + timedelta(minutes=5)})
        queue.note_sightings({"new": T + timedelta(minutes=4)}, forget_before=T + timedelta(minutes=1))
        assert queue.sightings() == {"new": T + timedelta(minutes=5)}  # the later time wins; "old" is gone
