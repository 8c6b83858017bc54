"""The LLRP client against the reader emulator over real TCP on loopback."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from retrace.scanners.rfid import llrp
from retrace.scanners.rfid.client import LlrpClient, ReaderDisconnected, ReaderRefused, ReaderSettings
from retrace.scanners.rfid.emulator import ReaderEmulator, ScriptedRead, script_from_lines
from retrace.scanners.rfid.llrp import (
    LlrpError,
    Message,
    MessageType,
    RoSpec,
    StartTrigger,
    StatusCode,
    TagReport,
)

SGTIN96 = "3074257BF7194E4000001A85"
SGTIN198 = "3674257BF6B7A659B2C2BF100000000000000000000000000000"


def settings(port: int, **kw: Any) -> ReaderSettings:
    return ReaderSettings("127.0.0.1", port, timeout=2.0, **kw)


async def collect(client: LlrpClient, tags: int) -> list[TagReport]:
    got: list[TagReport] = []
    async with asyncio.timeout(5):
        async for reports in client.reports():
            got.extend(reports)
            if len(got) >= tags:
                break
    return got


async def drain(client: LlrpClient, into: list[TagReport]) -> None:
    async with asyncio.timeout(5):
        async for reports in client.reports():
            into.extend(reports)


@pytest.mark.parametrize("use_epc96", [True, False])
@pytest.mark.parametrize("chunk_size", [None, 3])
async def test_setup_reports_and_goodbye(use_epc96: bool, chunk_size: int | None) -> None:
    script = [
        ScriptedRead(SGTIN96, antenna=1),
        ScriptedRead(SGTIN198, antenna=2),
        ScriptedRead(SGTIN96, antenna=3),
    ]
    async with ReaderEmulator(script, use_epc96=use_epc96, chunk_size=chunk_size) as reader:
        async with LlrpClient(settings(reader.port)) as client:
            assert client.info is not None and client.info.firmware == "retrace-emulator 1.0"
            got = await collect(client, 3)
        assert [r.epc_hex for r in got] == [SGTIN96, SGTIN198, SGTIN96]
        assert [r.epc_bits for r in got] == [96, 208, 96]
        assert [r.antenna_id for r in got] == [1, 2, 3]
        assert all(r.first_seen is not None and r.peak_rssi == -55 and r.seen_count == 1 for r in got)
        assert all(r.channel_index is None for r in got)  # not asked for by the default content selector
        assert reader.received == [
            "GET_READER_CAPABILITIES",
            "DELETE_ROSPEC",
            "SET_READER_CONFIG",
            "ADD_ROSPEC",
            "ENABLE_ROSPEC",
            "ENABLE_EVENTS_AND_REPORTS",
            "DELETE_ROSPEC",
            "CLOSE_CONNECTION",
        ]
        assert client.received[0] == "READER_EVENT_NOTIFICATION"


async def test_reports_come_every_n_tags_and_only_from_the_antennas_asked_for() -> None:
    script = [ScriptedRead(SGTIN96, antenna=1 + i % 2) for i in range(8)]
    async with ReaderEmulator(script) as reader:
        spec = RoSpec(antennas=(2,), report_every_n_tags=2)
        async with LlrpClient(settings(reader.port, rospec=spec)) as client:
            got = await collect(client, 4)
        assert {r.antenna_id for r in got} == {2} and len(got) == 4
        assert reader.reports_sent == 2


async def test_a_null_start_trigger_is_started_explicitly() -> None:
    async with ReaderEmulator([ScriptedRead(SGTIN96)]) as reader:
        spec = RoSpec(start_trigger=StartTrigger.NULL)
        async with LlrpClient(settings(reader.port, rospec=spec)) as client:
            assert len(await collect(client, 1)) == 1
        assert "START_ROSPEC" in reader.received


async def test_keepalives_are_acknowledged() -> None:
    async with ReaderEmulator() as reader:
        async with LlrpClient(settings(reader.port, keepalive_ms=30)):
            for _ in range(500):
                if reader.keepalive_acks >= 3:
                    break
                await asyncio.sleep(0.01)
        assert reader.keepalives_sent >= 3


async def test_a_second_client_is_refused_while_one_is_connected() -> None:
    async with ReaderEmulator() as reader:
        async with LlrpClient(settings(reader.port)):
            with pytest.raises(ReaderRefused, match="CLIENT_INITIATED_CONNECTION_EXISTS"):
                await LlrpClient(settings(reader.port)).connect()
        assert reader.refused_connections == 1


async def test_a_dropped_link_ends_the_reports_with_an_error() -> None:
    script = [ScriptedRead(SGTIN96) for _ in range(5)]
    async with ReaderEmulator(script, drop_after_reports=2) as reader:
        client = LlrpClient(settings(reader.port))
        await client.connect()
        await client.start()
        got: list[TagReport] = []
        with pytest.raises(ReaderDisconnected, match="closed by the reader"):
            await drain(client, got)
        await client.close()
        assert len(got) == 2 and reader.position == 2  # the rest waits for the next connection


async def test_a_silent_reader_is_given_up_after_three_keepalive_periods() -> None:
    async with ReaderEmulator() as reader:
        client = LlrpClient(ReaderSettings("127.0.0.1", reader.port, keepalive_ms=100, timeout=0.3))
        await client.connect()
        await client.start()
        reader.freeze()
        started = time.monotonic()
        with pytest.raises(ReaderDisconnected, match="no keepalive"):
            await drain(client, [])
        assert 0.25 <= time.monotonic() - started < 2
        await client.close()


async def test_the_reader_refuses_what_it_cannot_do_with_llrp_statuses() -> None:
    async with ReaderEmulator() as reader:
        async with LlrpClient(settings(reader.port)) as client:
            with pytest.raises(LlrpError, match="INVALID") as info:
                await client._call(MessageType.ADD_ROSPEC, RoSpec().encode())  # id 1 exists already
            assert info.value.status == StatusCode.INVALID
            with pytest.raises(LlrpError, match="INVALID"):
                await client._call(MessageType.ENABLE_ROSPEC, llrp.rospec_id_body(99))
        # Raw bytes: a message type the reader does not know, and a protocol version it does not speak.
        r, w = await asyncio.open_connection("127.0.0.1", reader.port)
        try:
            await llrp.read_message(r)  # the greeting
            w.write(Message(26, 5).encode())  # GET_ROSPECS: not in the subset
            w.write(Message(MessageType.GET_READER_CAPABILITIES, 6, b"\x00", version=2).encode())
            await w.drain()
            first, second = await llrp.read_message(r), await llrp.read_message(r)
        finally:
            w.close()
        assert (first.type, first.id, llrp.status_of(first.body).code) == (
            100,
            5,
            StatusCode.UNSUPPORTED_MESSAGE,
        )
        assert (second.type, second.id, llrp.status_of(second.body).code) == (
            100,
            6,
            StatusCode.UNSUPPORTED_VERSION,
        )


async def test_connecting_to_nothing_fails_fast_with_an_os_error() -> None:
    async with ReaderEmulator() as reader:
        port = reader.port
    with pytest.raises(OSError, match=r"Connect call failed|refused"):
        await LlrpClient(settings(port)).connect()


def test_reader_addresses() -> None:
    assert (ReaderSettings.parse("10.0.0.7").host, ReaderSettings.parse("10.0.0.7").port) == (
        "10.0.0.7",
        5084,
    )
    assert ReaderSettings.parse("reader-3:14150").port == 14150
    assert (ReaderSettings.parse("[fe80::1]:5084").host, ReaderSettings.parse("[::1]").port) == (
        "fe80::1",
        5084,
    )
    with pytest.raises(ValueError, match="not a reader address"):
        ReaderSettings.parse(":5084")


def test_scripts_from_text() -> None:
    script = script_from_lines(
        ["# dock door 1", f"{SGTIN96.lower()} 2 0.5", "", f"{SGTIN198}  # a TDS example"]
    )
    assert script == [ScriptedRead(SGTIN96, 2, after=0.5), ScriptedRead(SGTIN198, 1)]
    with pytest.raises(ValueError, match="line 1"):
        script_from_lines(["30XY 1"])
