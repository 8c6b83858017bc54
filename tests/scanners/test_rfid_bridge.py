"""The RFID bridge: the repeat filter, decoding, and end to end from an emulated reader to the store.

End to end: reader emulator (TCP on loopback, LLRP) → bridge (LLRP client, repeat filter, EPC decoding) → the
device's durable queue → sync client → a network that fails on purpose → the real app → the real SQLite store.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retrace.domain.identifiers import Epc, EpcCoding, EpcHex
from retrace.scanners.outbox import Disposition, OutboxQueue
from retrace.scanners.rfid.bridge import (
    PORTAL_IGNORED_CODES,
    BridgeConfig,
    RepeatFilter,
    RfidBridge,
    run_gateway,
)
from retrace.scanners.rfid.client import ReaderSettings
from retrace.scanners.rfid.emulator import ReaderEmulator, ScriptedRead
from retrace.scanners.rfid.llrp import TagReport
from retrace.scanners.sync import Backoff, SyncClient
from tests.api.payloads import commission, ship
from tests.scanners.conftest import Sleeps
from tests.scanners.harness import Fault, FaultyNetwork, Server

T = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_the_repeat_filter_counts_a_tag_again_only_after_it_was_out_of_sight_for_the_window() -> None:
    window = RepeatFilter(timedelta(seconds=30))
    seconds = [0, 1, 10, 29, 45, 76, 80, 200]
    admitted = [window.admit("tag", T + timedelta(seconds=s)) for s in seconds]
    # sliding: each sighting restarts the window, so 1…45 are one stay; 76 is 31 s after 45; 200 after a long gap
    assert admitted == [True, False, False, False, False, True, False, True]
    assert window.admit("other", T + timedelta(seconds=200))


def test_a_reader_clock_stepping_back_does_not_make_a_repeat_new() -> None:
    window = RepeatFilter(timedelta(seconds=30))
    assert window.admit("tag", T)
    assert not window.admit("tag", T - timedelta(hours=1))
    assert not window.admit("tag", T + timedelta(seconds=20))


def test_old_sightings_are_forgotten() -> None:
    window = RepeatFilter(timedelta(seconds=1))
    for i in range(5000):
        window.admit(f"tag-{i}", T + timedelta(seconds=i))
    assert len(window) < 1100


def report(epc: str, at: datetime, antenna: int = 1) -> TagReport:
    raw = bytes.fromhex(epc)
    return TagReport(epc=raw, epc_bits=len(raw) * 8, antenna_id=antenna, first_seen=at)


async def test_reads_become_receive_events_and_unreadable_tags_are_noted_not_queued(
    queue: OutboxQueue,
) -> None:
    bridge = RfidBridge(
        BridgeConfig("site-collector", "collector", from_party_id="maker", reader_name="dock-1"), queue
    )
    tv = "3074257BF7194E4000001A85"
    blank = "E2003412B802011826906046"
    ids = await bridge.handle(
        [report(tv, T), report(tv, T + timedelta(seconds=1)), report(blank, T), report(blank, T)]
    )
    assert len(ids) == 1 and bridge.wake.is_set()
    (queued,) = queue.peek(5)
    assert queued.body == {
        "type": "receive",
        "event_id": ids[0],
        "event_time": "2026-06-01T08:00:00+00:00",
        "site_id": "site-collector",
        "party_id": "collector",
        "from_party_id": "maker",
        "objects": ["urn:epc:id:sgtin:0614141.812345.6789"],
    }
    (noted,) = queue.unreadable_tags()
    assert (noted.epc, noted.antenna, noted.reader) == (blank, 1, "dock-1")
    assert "unknown or unsupported EPC header E2" in noted.reason
    assert (bridge.stats.reads, bridge.stats.repeats, bridge.stats.submitted, bridge.stats.unreadable) == (
        4,
        2,
        1,
        1,
    )


async def test_tags_of_locations_and_assets_are_counted_as_other_neither_queued_nor_unreadable(
    queue: OutboxQueue, caplog: pytest.LogCaptureFixture
) -> None:
    bridge = RfidBridge(BridgeConfig("site-collector", "collector"), queue)
    dock_door = Epc.encode("urn:epc:id:sgln:0614141.12345.400", EpcCoding.SGLN_96, 0).hex
    forklift = Epc.encode("urn:epc:id:giai:0614141.12345400", EpcCoding.GIAI_96, 0).hex
    tv = "3074257BF7194E4000001A85"
    with caplog.at_level("INFO", logger="retrace.scanners.rfid.bridge"):
        ids = await bridge.handle(
            [
                report(dock_door, T),
                report(forklift, T),
                report(tv, T),
                report(dock_door, T + timedelta(seconds=5)),
            ]
        )
    assert len(ids) == 1 and [e.body["objects"] for e in queue.peek(5)] == [
        ["urn:epc:id:sgtin:0614141.812345.6789"]
    ]
    assert queue.unreadable_tags() == []
    assert (bridge.stats.other, bridge.stats.repeats, bridge.stats.unreadable) == (2, 1, 0)
    assert bridge.stats.other_epcs == [
        (dock_door, "urn:epc:id:sgln:0614141.12345.400"),
        (forklift, "urn:epc:id:giai:0614141.12345400"),
    ]
    assert "a location" in caplog.text and "not an item" in caplog.text


# -- end to end -------------------------------------------------------------------------------------------------------


def tag(urn: str, coding: EpcCoding, filt: int = 1) -> str:
    return EpcHex.encode(urn, coding, filt).hex


TVS = [f"urn:epc:id:sgtin:0614141.812345.{n}" for n in range(1, 6)]
TV_198 = "urn:epc:id:sgtin:0614141.812345.A7-x"
CAGE = "urn:epc:id:sscc:0614141.1234567890"
CRATE = "urn:epc:id:grai:0614141.12345.400"
HELD = "urn:epc:id:sgtin:0614141.812345.99"  # the collector's own: already held when the portal sees it
MALFORMED = {
    "E2003412B802011826906046": "unknown or unsupported EPC header E2",  # a blank tag's factory EPC
    "3074257BF7194E4000001A": "needs 24 hex digits, got 22",  # a truncated read
    "3154257BF4499602D2000001": "not the canonical sscc-96",  # a reserved bit set
}


def script() -> list[ScriptedRead]:
    tv = [tag(u, EpcCoding.SGTIN_96) for u in TVS]
    malformed = list(MALFORMED)
    reads = [
        tv[0], tv[0], tv[1], tv[0], malformed[0], tv[2], tv[2],
        tag(TV_198, EpcCoding.SGTIN_198), malformed[1], malformed[0],
        tag(CAGE, EpcCoding.SSCC_96, 6), tag(CRATE, EpcCoding.GRAI_96, 0), tv[3], tv[4],
        tag(HELD, EpcCoding.SGTIN_96), malformed[2], tv[1], tv[4], tag(CAGE, EpcCoding.SSCC_96, 6),
    ]  # fmt: skip
    return [ScriptedRead(epc, antenna=1 + i % 4) for i, epc in enumerate(reads)]


EXPECTED = [*TVS, TV_198, CAGE, CRATE]  # each received exactly once


async def prepare(server: Server) -> None:
    """Another device commissioned the goods and shipped them to the collector, whose dock has the portal."""
    models = [
        {"id": m, "producer_id": "maker", "stream": "weee", "category": m, "name": m, "nominal_mass_kg": 40}
        for m in ("cage", "crate")
    ]
    held = commission("c-held", 0, HELD)
    held.update(party_id="collector", site_id="site-collector")
    events: list[dict[str, Any]] = [
        *(commission(f"c-{i}", 0, urn) for i, urn in enumerate(TVS)),
        commission("c-198", 0, TV_198),
        commission("c-cage", 0, CAGE, model="cage"),
        commission("c-crate", 0, CRATE, model="crate"),
        held,
        *(ship(f"s-{i}", 1, "maker", "collector", urn) for i, urn in enumerate(EXPECTED)),
    ]
    async with server.client() as c:
        assert (await c.post("/api/v1/registry", json={"models": models})).status_code == 200
        answer = await c.post("/api/v1/events", json={"events": events})
        assert answer.status_code == 201, answer.text


async def eventually(condition: Any, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds}s")


async def test_reader_to_store_each_tag_once_repeats_suppressed_malformed_reported(
    server: Server, tmp_path: Path
) -> None:
    await prepare(server)
    assert server.store is not None
    before = (await server.store.counts())["events"]
    reads = script()
    plan = {1: Fault.LOST, 2: Fault.REFUSED, 3: Fault.RESTART, 5: Fault.READ_TIMEOUT}
    network = FaultyNetwork(server, lambda n: plan.get(n, Fault.NONE))
    stop = asyncio.Event()
    with OutboxQueue(tmp_path / "gateway" / "outbox.db") as queue:
        async with ReaderEmulator(reads, drop_after_reports=6) as reader:
            bridge = RfidBridge(BridgeConfig("site-collector", "collector", reader_name="dock-1"), queue)
            sync = SyncClient(
                queue,
                "http://trace.test",
                transport=network,
                batch_size=3,
                ignore_codes=PORTAL_IGNORED_CODES,
                sleep=Sleeps(),
                rng=random.Random(3),
            )
            settings = ReaderSettings("127.0.0.1", reader.port, keepalive_ms=200, timeout=2.0)
            gateway = asyncio.create_task(
                run_gateway(
                    bridge, settings, sync, stop, push_every=0.05, reconnect=Backoff(base=0.01, cap=0.05)
                )
            )
            try:
                await eventually(
                    lambda: (
                        reader.finished.is_set()
                        and bridge.stats.reads == reader.tags_sent == len(reads)
                        and queue.status().pending == 0
                    )
                )
            finally:
                stop.set()
                await asyncio.wait_for(gateway, 10)
                await sync.aclose()
        status = queue.status()
        unreadable = queue.unreadable_tags()
        ignored = queue.dead_letters(disposition=Disposition.IGNORED)

    # The link was lost once and the bridge came back; the network failed too.
    assert reader.connections == 2 and bridge.stats.connections == 2
    assert network.faults[Fault.LOST] == 1 and server.restarts == 1

    # Repeats suppressed: 19 reads, 8 + 1 (held) + 3 (malformed) distinct tags.
    assert bridge.stats.repeats == len(reads) - 12
    assert bridge.stats.submitted == 9

    # Malformed EPCs reported once each, never submitted.
    assert sorted(t.epc for t in unreadable) == sorted(MALFORMED)
    for noted in unreadable:
        assert MALFORMED[noted.epc] in noted.reason
    assert status.dead == 0 and status.pending == 0

    # The tag the collector already held was refused as ALREADY_HELD and set aside, not reported as dead.
    assert [(i.body["objects"], i.refusal.code) for i in ignored] == [([HELD], "ALREADY_HELD")]

    # The store: exactly one receive per expected tag, by the collector at its site; nothing else new.
    counts = await server.store.counts()
    assert counts["events"] == before + len(EXPECTED)
    for urn in EXPECTED:
        found = await server.store.find_by_keys([_key(urn)])
        (obj,) = found.values()
        assert (obj.holder_id, obj.site_id, obj.status.value) == ("collector", "site-collector", "active"), (
            urn
        )
        receipts = [r for r in await server.store.history(obj.id) if r.event.type == "receive"]
        assert len(receipts) == 1, urn
        assert receipts[0].event.party_id == "collector"


def _key(urn: str) -> str:
    from retrace.domain.identifiers import parse_identifier

    return parse_identifier(urn).key


@pytest.mark.parametrize("coding", [EpcCoding.SGTIN_96, EpcCoding.SGTIN_198])
def test_both_tag_encodings_of_one_unit_are_one_key(coding: EpcCoding) -> None:
    assert EpcHex.parse(tag(TVS[0], coding)).key == _key(TVS[0])


async def test_events_can_be_timed_by_the_gateway_when_the_reader_clock_is_not_trusted(
    queue: OutboxQueue,
) -> None:
    gateway_time = datetime(2026, 6, 2, 9, 30, tzinfo=UTC)
    config = BridgeConfig("site-collector", "collector", use_reader_clock=False)
    bridge = RfidBridge(config, queue, clock=lambda: gateway_time)
    await bridge.handle(
        [report("3074257BF7194E4000001A85", T - timedelta(days=365))]
    )  # a reader a year behind
    assert queue.peek(1)[0].body["event_time"] == "2026-06-02T09:30:00+00:00"
