"""The LLRP codec: byte layouts assembled by hand from the LLRP 1.0.1 spec, and round trips of what we encode."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrace.scanners.rfid import llrp
from retrace.scanners.rfid.llrp import (
    ConnectionAttempt,
    ContentSelector,
    LlrpError,
    Message,
    MessageType,
    ParamType,
    ReaderInfo,
    ReportTrigger,
    RoSpec,
    StartTrigger,
    Status,
    StatusCode,
    StopTrigger,
    TagReport,
)

TDS_VECTOR = bytes.fromhex("3074257BF7194E4000001A85")


def test_header_layout_version_type_length_id() -> None:
    # 3 reserved bits 0, version 1 (001), type 62 (KEEPALIVE, 00 0011 1110): 0000 0100 0011 1110 = 0x043E
    assert Message(MessageType.KEEPALIVE, 0x1234).encode() == bytes.fromhex("043E0000000A00001234")
    assert Message(MessageType.KEEPALIVE_ACK, 0x1234).encode()[:2] == bytes.fromhex("0448")  # type 72
    assert Message(MessageType.ERROR_MESSAGE, 1).encode()[:2] == bytes.fromhex("0464")  # type 100
    assert llrp.decode_header(bytes.fromhex("043D0000002700000001")) == (1, 61, 39, 1)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("243E0000000A00000001", "reserved header bits"),
        ("043E0000000900000001", "outside 10"),
        ("043EFFFFFFFF00000001", "outside 10"),
    ],
)
def test_broken_headers_are_refused(header: str, why: str) -> None:
    with pytest.raises(LlrpError, match=why):
        llrp.decode_header(bytes.fromhex(header))


def test_an_ro_access_report_assembled_by_hand_decodes() -> None:
    """TagReportData (TLV 240) holding EPC-96 (TV 13), AntennaID (TV 1) and FirstSeenTimestampUTC (TV 2)."""
    data = bytes.fromhex(
        "043D0000002700000001"  # header: v1, RO_ACCESS_REPORT (61), 39 bytes, id 1
        "00F0001D"  # TagReportData, 29 bytes
        "8D3074257BF7194E4000001A85"  # EPC-96: 0x80|13, 12 bytes
        "810002"  # AntennaID 2
        "8200060A24181E4000"  # FirstSeenTimestampUTC 1 700 000 000 000 000 µs
    )
    message = llrp.decode_message(data)
    (report,) = llrp.tag_reports(message.body)
    assert report.epc_hex == "3074257BF7194E4000001A85" and report.epc_bits == 96
    assert report.antenna_id == 2
    assert report.first_seen == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_epc_data_carries_epcs_of_any_length() -> None:
    # EPCData (TLV 241): EPCLengthBits then the bits, padded to whole bytes; here an SGTIN-198 of 208 bits.
    epc = bytes.fromhex("3674257BF6B7A659B2C2BF100000000000000000000000000000")
    body = llrp.tlv(
        ParamType.TAG_REPORT_DATA, b"", llrp.tlv(ParamType.EPC_DATA, struct.pack(">H", 208) + epc)
    )
    assert body[:8] == bytes.fromhex("00F0002400F10020")  # 4 + 32, and 4 + 2 + 26
    (report,) = llrp.tag_reports(body)
    assert (report.epc, report.epc_bits, report.antenna_id) == (epc, 208, None)


def test_status_layout() -> None:
    assert Status(0).encode() == bytes.fromhex("011F000800000000")
    assert llrp.status_of(Status(StatusCode.INVALID, "no ROSpec 7").encode()) == Status(300, "no ROSpec 7")


def test_a_report_with_a_custom_parameter_skips_it_and_an_unknown_tv_is_an_error() -> None:
    custom = llrp.tlv(ParamType.CUSTOM, bytes(8))
    body = llrp.tlv(ParamType.TAG_REPORT_DATA, b"", llrp.tv(ParamType.EPC_96, TDS_VECTOR), custom)
    assert llrp.tag_reports(body)[0].epc == TDS_VECTOR
    unknown_tv = bytes([0x80 | 99, 0, 0])
    broken = llrp.tlv(ParamType.TAG_REPORT_DATA, b"", llrp.tv(ParamType.EPC_96, TDS_VECTOR), unknown_tv)
    with pytest.raises(LlrpError, match="unknown TV parameter type 99"):
        llrp.tag_reports(broken)


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("00F0"),  # a header cut short
        bytes.fromhex("00F000FF00"),  # a length beyond the data
        bytes.fromhex("00F0000200"),  # a length shorter than the header
        bytes.fromhex("8D3074"),  # a TV value cut short
        llrp.tlv(ParamType.TAG_REPORT_DATA, b"", llrp.tv(ParamType.ANTENNA_ID, b"\x00\x01")),  # no EPC
    ],
)
def test_malformed_parameters_are_refused(data: bytes) -> None:
    with pytest.raises(LlrpError):
        llrp.tag_reports(data)


def test_reader_event_notification_round_trip() -> None:
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    body = llrp.reader_event_notification(moment, connection_attempt=ConnectionAttempt.SUCCESS)
    assert body[:2] == struct.pack(">H", 246)
    event = llrp.reader_event(body)
    assert (event.timestamp, event.connection_attempt, event.connection_closed) == (moment, 0, False)
    assert llrp.reader_event(llrp.reader_event_notification(moment, connection_closed=True)).connection_closed


def test_capabilities_and_keepalive_configuration_round_trip() -> None:
    info = ReaderInfo(manufacturer=25882, model=2001, firmware="5.14.0.240", max_antennas=4, utc_clock=True)
    assert llrp.reader_info(Status(0).encode() + info.encode()) == info
    assert llrp.keepalive_of(llrp.set_reader_config(10_000)) == 10_000
    assert llrp.keepalive_of(llrp.set_reader_config(None)) == 0
    assert llrp.keepalive_spec(10_000) == bytes.fromhex("00DC000901" + "00002710")


def test_content_selector_bit_order() -> None:
    # EnableROSpecID is the most significant bit; EnableAccessSpecID the tenth; six reserved bits follow.
    assert (
        ContentSelector(
            rospec_id=True, antenna_id=False, peak_rssi=False, first_seen=False, tag_seen_count=False
        ).bits()
        == 0x8000
    )
    assert ContentSelector().bits() == 0b0001_0110_1000_0000  # antenna, peak RSSI, first seen, seen count


# -- round trips ----------------------------------------------------------------------------------------------------

selectors = st.builds(
    ContentSelector,
    rospec_id=st.booleans(),
    spec_index=st.booleans(),
    inventory_parameter_spec_id=st.booleans(),
    antenna_id=st.booleans(),
    channel_index=st.booleans(),
    peak_rssi=st.booleans(),
    first_seen=st.booleans(),
    last_seen=st.booleans(),
    tag_seen_count=st.booleans(),
    access_spec_id=st.booleans(),
)
u16 = st.integers(min_value=0, max_value=0xFFFF)
moments = st.integers(min_value=0, max_value=253_402_300_799_999_999).map(
    lambda us: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
)


@given(selectors)
def test_selector_bits_round_trip(selector: ContentSelector) -> None:
    assert ContentSelector.from_bits(selector.bits()) == selector
    assert selector.bits() & 0x3F == 0


@given(
    st.binary(min_size=0, max_size=62),
    st.booleans(),
    selectors,
    u16,
    st.integers(min_value=-128, max_value=127),
    moments,
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_tag_reports_round_trip(
    epc: bytes, use_epc96: bool, selector: ContentSelector, n: int, rssi: int, seen: datetime, rospec: int
) -> None:
    report = TagReport(
        epc=epc,
        epc_bits=len(epc) * 8,
        antenna_id=n,
        peak_rssi=rssi,
        channel_index=n,
        first_seen=seen,
        last_seen=seen,
        seen_count=n,
        rospec_id=rospec,
        spec_index=n,
        inventory_parameter_spec_id=n,
        access_spec_id=rospec,
    )
    (decoded,) = llrp.tag_reports(llrp.ro_access_report([report], selector, use_epc96=use_epc96))
    assert (decoded.epc, decoded.epc_bits) == (epc, len(epc) * 8)
    for name, wanted in [
        ("rospec_id", selector.rospec_id),
        ("spec_index", selector.spec_index),
        ("inventory_parameter_spec_id", selector.inventory_parameter_spec_id),
        ("antenna_id", selector.antenna_id),
        ("channel_index", selector.channel_index),
        ("peak_rssi", selector.peak_rssi),
        ("first_seen", selector.first_seen),
        ("last_seen", selector.last_seen),
        ("seen_count", selector.tag_seen_count),
        ("access_spec_id", selector.access_spec_id),
    ]:
        assert getattr(decoded, name) == (getattr(report, name) if wanted else None), name


@given(
    st.integers(min_value=1, max_value=2**32 - 1),
    st.lists(u16, min_size=1, max_size=8).map(tuple),
    st.sampled_from(list(StartTrigger)),
    st.sampled_from(list(StopTrigger)),
    st.sampled_from(list(ReportTrigger)),
    u16,
    selectors,
)
def test_rospecs_round_trip(
    rospec_id: int,
    antennas: tuple[int, ...],
    start: StartTrigger,
    stop: StopTrigger,
    trigger: ReportTrigger,
    n: int,
    selector: ContentSelector,
) -> None:
    spec = RoSpec(
        rospec_id=rospec_id,
        antennas=antennas,
        start_trigger=start,
        stop_trigger=stop,
        duration_ms=n,
        report_trigger=trigger,
        report_every_n_tags=n,
        selector=selector,
    )
    assert RoSpec.decode(spec.encode()) == spec


def test_rospec_layout_starts_as_the_spec_says() -> None:
    encoded = RoSpec(rospec_id=7).encode()
    # ROSpec TLV 177, then ROSpecID 7, Priority 0, CurrentState 0 (Disabled), then ROBoundarySpec (178)
    assert encoded[:2] == bytes.fromhex("00B1") and encoded[4:10] == bytes.fromhex("000000070000")
    assert encoded[10:12] == bytes.fromhex("00B2")


@pytest.mark.parametrize(
    ("spec", "status"),
    [
        (llrp.tlv(ParamType.ROSPEC, struct.pack(">IBB", 0, 0, 0)), StatusCode.FIELD_ERROR),  # id 0
        (llrp.tlv(ParamType.ROSPEC, struct.pack(">IBB", 1, 0, 2)), StatusCode.FIELD_ERROR),  # not Disabled
        (
            llrp.tlv(ParamType.ROSPEC, struct.pack(">IBB", 1, 0, 0)),
            StatusCode.MISSING_PARAMETER,
        ),  # no boundary
        (
            llrp.tlv(
                ParamType.ROSPEC,
                struct.pack(">IBB", 1, 0, 0),
                RoSpec().encode()[10:],
                llrp.tlv(ParamType.RF_SURVEY_SPEC, bytes(4)),
            ),
            StatusCode.UNSUPPORTED_PARAMETER,
        ),
    ],
)
def test_an_rospec_we_cannot_run_is_refused_with_the_spec_status(spec: bytes, status: StatusCode) -> None:
    with pytest.raises(LlrpError) as info:
        RoSpec.decode(spec)
    assert info.value.status == status
