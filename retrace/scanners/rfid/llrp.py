"""A minimal codec for the Low Level Reader Protocol, LLRP 1.0.1 (EPCglobal, now GS1), written from the spec.

Why our own: the maintained Python LLRP library (sllurp) is GPL-3.0, which an Apache-2.0 project cannot ship;
the bridge needs a small, fixed subset, and that subset is written down here.

Framing (spec §15.1): every message is a 10-byte header, then its body::

    3 bits reserved (0) | 3 bits version (1 = LLRP 1.0.1) | 10 bits message type
    32 bits message length (header included) | 32 bits message id (a response carries its request's id)

Parameters (§15.2) are TLV (``6 bits reserved | 10 bits type | 16 bits length incl. this 4-byte header | value``)
or, for small fixed-size fields inside a tag report, TV (``1 | 7 bits type | value of a length the type fixes``).

The supported subset:

- messages: GET_READER_CAPABILITIES(_RESPONSE) (general device capabilities only), SET_READER_CONFIG(_RESPONSE)
  (KeepaliveSpec), ADD/DELETE/ENABLE/DISABLE/START/STOP_ROSPEC(_RESPONSE), ENABLE_EVENTS_AND_REPORTS,
  RO_ACCESS_REPORT, KEEPALIVE/KEEPALIVE_ACK, READER_EVENT_NOTIFICATION, CLOSE_CONNECTION(_RESPONSE), ERROR_MESSAGE;
- parameters: ROSpec with ROBoundarySpec (start trigger Null/Immediate, stop trigger Null/Duration), AISpec
  (antenna list, AISpecStopTrigger Null/Duration, one InventoryParameterSpec for EPC Class 1 Gen 2), ROReportSpec with
  TagReportContentSelector; TagReportData with EPCData (TLV 241) or EPC-96 (TV 13), AntennaID, PeakRSSI,
  ChannelIndex, First/LastSeenTimestampUTC and -Uptime, TagSeenCount, ROSpecID, SpecIndex, InventoryParameterSpecID,
  C1G2 PC and CRC, AccessSpecID; ReaderEventNotificationData with UTCTimestamp/Uptime, ConnectionAttemptEvent and
  ConnectionCloseEvent (other events are recognised and skipped); LLRPStatus (FieldError and ParameterError are
  skipped); GeneralDeviceCapabilities (its fixed fields); KeepaliveSpec.
- Not supported: access specs (tag memory reads and writes), RF survey, GPI/GPO, custom extensions (skipped when
  received), LLRP 1.1 version negotiation.  Unknown TLV parameters inside a report are skipped by their length; an
  unknown TV parameter cannot be (its length is unknown), so it makes the message unreadable.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

VERSION = 1
HEADER = struct.Struct(">HII")
HEADER_SIZE = HEADER.size  # 10
MAX_MESSAGE_SIZE = 4 * 1024 * 1024  # a report of thousands of tags is a few hundred kB; refuse absurd lengths
DEFAULT_PORT = 5084  # IANA "llrp"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class MessageType(IntEnum):
    GET_READER_CAPABILITIES = 1
    SET_READER_CONFIG = 3
    CLOSE_CONNECTION_RESPONSE = 4
    GET_READER_CAPABILITIES_RESPONSE = 11
    SET_READER_CONFIG_RESPONSE = 13
    CLOSE_CONNECTION = 14
    ADD_ROSPEC = 20
    DELETE_ROSPEC = 21
    START_ROSPEC = 22
    STOP_ROSPEC = 23
    ENABLE_ROSPEC = 24
    DISABLE_ROSPEC = 25
    ADD_ROSPEC_RESPONSE = 30
    DELETE_ROSPEC_RESPONSE = 31
    START_ROSPEC_RESPONSE = 32
    STOP_ROSPEC_RESPONSE = 33
    ENABLE_ROSPEC_RESPONSE = 34
    DISABLE_ROSPEC_RESPONSE = 35
    RO_ACCESS_REPORT = 61
    KEEPALIVE = 62
    READER_EVENT_NOTIFICATION = 63
    ENABLE_EVENTS_AND_REPORTS = 64
    KEEPALIVE_ACK = 72
    ERROR_MESSAGE = 100


RESPONSE_TO: dict[MessageType, MessageType] = {
    MessageType.GET_READER_CAPABILITIES: MessageType.GET_READER_CAPABILITIES_RESPONSE,
    MessageType.SET_READER_CONFIG: MessageType.SET_READER_CONFIG_RESPONSE,
    MessageType.CLOSE_CONNECTION: MessageType.CLOSE_CONNECTION_RESPONSE,
    MessageType.ADD_ROSPEC: MessageType.ADD_ROSPEC_RESPONSE,
    MessageType.DELETE_ROSPEC: MessageType.DELETE_ROSPEC_RESPONSE,
    MessageType.START_ROSPEC: MessageType.START_ROSPEC_RESPONSE,
    MessageType.STOP_ROSPEC: MessageType.STOP_ROSPEC_RESPONSE,
    MessageType.ENABLE_ROSPEC: MessageType.ENABLE_ROSPEC_RESPONSE,
    MessageType.DISABLE_ROSPEC: MessageType.DISABLE_ROSPEC_RESPONSE,
}


class ParamType(IntEnum):
    # TV parameters (1-byte header, fixed length)
    ANTENNA_ID = 1
    FIRST_SEEN_UTC = 2
    FIRST_SEEN_UPTIME = 3
    LAST_SEEN_UTC = 4
    LAST_SEEN_UPTIME = 5
    PEAK_RSSI = 6
    CHANNEL_INDEX = 7
    TAG_SEEN_COUNT = 8
    ROSPEC_ID = 9
    INVENTORY_PARAMETER_SPEC_ID = 10
    C1G2_CRC = 11
    C1G2_PC = 12
    EPC_96 = 13
    SPEC_INDEX = 14
    CLIENT_REQUEST_OPSPEC_RESULT = 15
    ACCESS_SPEC_ID = 16
    # TLV parameters
    UTC_TIMESTAMP = 128
    UPTIME = 129
    GENERAL_DEVICE_CAPABILITIES = 137
    ROSPEC = 177
    RO_BOUNDARY_SPEC = 178
    ROSPEC_START_TRIGGER = 179
    PERIODIC_TRIGGER_VALUE = 180
    GPI_TRIGGER_VALUE = 181
    ROSPEC_STOP_TRIGGER = 182
    AISPEC = 183
    AISPEC_STOP_TRIGGER = 184
    TAG_OBSERVATION_TRIGGER = 185
    INVENTORY_PARAMETER_SPEC = 186
    RF_SURVEY_SPEC = 187
    KEEPALIVE_SPEC = 220
    RO_REPORT_SPEC = 237
    TAG_REPORT_CONTENT_SELECTOR = 238
    TAG_REPORT_DATA = 240
    EPC_DATA = 241
    READER_EVENT_NOTIFICATION_DATA = 246
    CONNECTION_ATTEMPT_EVENT = 256
    CONNECTION_CLOSE_EVENT = 257
    LLRP_STATUS = 287
    CUSTOM = 1023


# Value length in bytes of every TV parameter of LLRP 1.0.1 (spec §16.2.7.3 and §16.3.1), types 1 to 18.
TV_LENGTHS: dict[int, int] = {
    1: 2,  # AntennaID u16
    2: 8,  # FirstSeenTimestampUTC u64 µs
    3: 8,  # FirstSeenTimestampUptime u64 µs
    4: 8,  # LastSeenTimestampUTC
    5: 8,  # LastSeenTimestampUptime
    6: 1,  # PeakRSSI s8 dBm
    7: 2,  # ChannelIndex u16
    8: 2,  # TagSeenCount u16
    9: 4,  # ROSpecID u32
    10: 2,  # InventoryParameterSpecID u16
    11: 2,  # C1G2-CRC u16
    12: 2,  # C1G2-PC u16
    13: 12,  # EPC-96: 96 bits
    14: 2,  # SpecIndex u16
    15: 2,  # ClientRequestOpSpecResult: OpSpecID u16
    16: 4,  # AccessSpecID u32
    17: 2,  # OpSpecID u16
    18: 4,  # C1G2SingulationDetails: two u16
}


class StatusCode(IntEnum):
    SUCCESS = 0
    PARAMETER_ERROR = 100
    FIELD_ERROR = 101
    UNEXPECTED_PARAMETER = 102
    MISSING_PARAMETER = 103
    DUPLICATE_PARAMETER = 104
    OVERFLOW_PARAMETER = 105
    OVERFLOW_FIELD = 106
    UNKNOWN_PARAMETER = 107
    UNKNOWN_FIELD = 108
    UNSUPPORTED_MESSAGE = 109
    UNSUPPORTED_VERSION = 110
    UNSUPPORTED_PARAMETER = 111
    INVALID = 300  # A_Invalid: e.g. an ROSpec id that does not exist
    OUT_OF_RANGE = 301
    DEVICE_ERROR = 401


class ConnectionAttempt(IntEnum):
    SUCCESS = 0
    READER_INITIATED_CONNECTION_EXISTS = 1
    CLIENT_INITIATED_CONNECTION_EXISTS = 2
    OTHER_FAILURE = 3
    ANOTHER_CONNECTION_ATTEMPTED = 4


class StartTrigger(IntEnum):
    NULL = 0  # started by START_ROSPEC
    IMMEDIATE = 1  # starts as soon as it is enabled


class StopTrigger(IntEnum):
    NULL = 0  # runs until STOP_ROSPEC
    DURATION = 1


class ReportTrigger(IntEnum):
    NONE = 0
    UPON_N_TAGS_OR_END_OF_AISPEC = 1
    UPON_N_TAGS_OR_END_OF_ROSPEC = 2


_REPORT_TRIGGERS = frozenset(t.value for t in ReportTrigger)
EPC_CLASS1_GEN2 = 1  # AirProtocols: EPCGlobalClass1Gen2


def name_of(kind: type[IntEnum], value: int | None) -> str:
    """The enum name of a number a peer sent, or the number itself if the enum has no such member."""
    try:
        return kind(value).name if value is not None else "none"
    except ValueError:
        return str(value)


class LlrpError(Exception):
    """The peer broke the protocol, or answered with an error status."""

    def __init__(self, message: str, status: int = StatusCode.PARAMETER_ERROR) -> None:
        super().__init__(message)
        self.status = status


# -- messages --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    type: int
    id: int
    body: bytes = b""
    version: int = VERSION

    def encode(self) -> bytes:
        first = ((self.version & 0b111) << 10) | (self.type & 0x3FF)
        return HEADER.pack(first, HEADER_SIZE + len(self.body), self.id & 0xFFFFFFFF) + self.body

    @property
    def name(self) -> str:
        try:
            return MessageType(self.type).name
        except ValueError:
            return f"type {self.type}"


def decode_header(data: bytes) -> tuple[int, int, int, int]:
    """``(version, type, length, id)`` of a 10-byte header."""
    first, length, message_id = HEADER.unpack(data)
    if first >> 13:
        raise LlrpError(f"reserved header bits are set ({first >> 13:#x})")
    if length < HEADER_SIZE or length > MAX_MESSAGE_SIZE:
        raise LlrpError(f"message length {length} is outside 10 … {MAX_MESSAGE_SIZE}")
    return (first >> 10) & 0b111, first & 0x3FF, length, message_id


def decode_message(data: bytes) -> Message:
    """One whole message (header and body) from bytes."""
    version, mtype, length, message_id = decode_header(data[:HEADER_SIZE])
    if length != len(data):
        raise LlrpError(f"the header says {length} bytes, the message has {len(data)}")
    return Message(mtype, message_id, bytes(data[HEADER_SIZE:]), version)


async def read_message(reader: asyncio.StreamReader) -> Message:
    """The next message on a stream (however TCP split or joined it); ``IncompleteReadError`` at end of stream."""
    header = await reader.readexactly(HEADER_SIZE)
    version, mtype, length, message_id = decode_header(header)
    body = await reader.readexactly(length - HEADER_SIZE) if length > HEADER_SIZE else b""
    return Message(mtype, message_id, body, version)


# -- parameters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    type: int
    value: bytes  # what follows the parameter's header
    tv: bool = False


def tlv(ptype: int, fields: bytes = b"", *children: bytes) -> bytes:
    value = fields + b"".join(children)
    if len(value) + 4 > 0xFFFF:
        raise LlrpError(f"parameter {ptype} is too long ({len(value) + 4} bytes)")
    return struct.pack(">HH", ptype & 0x3FF, len(value) + 4) + value


def tv(ptype: int, value: bytes) -> bytes:
    if TV_LENGTHS.get(ptype) != len(value):
        raise LlrpError(f"TV parameter {ptype} takes {TV_LENGTHS.get(ptype)} bytes, not {len(value)}")
    return bytes([0x80 | ptype]) + value


def parameters(data: bytes) -> Iterator[Parameter]:
    """The parameters laid end to end in ``data``, in order."""
    i = 0
    while i < len(data):
        if data[i] & 0x80:
            ptype = data[i] & 0x7F
            size = TV_LENGTHS.get(ptype)
            if size is None:
                raise LlrpError(
                    f"unknown TV parameter type {ptype}: its length is unknown", StatusCode.UNKNOWN_PARAMETER
                )
            if i + 1 + size > len(data):
                raise LlrpError(f"TV parameter {ptype} is truncated")
            yield Parameter(ptype, bytes(data[i + 1 : i + 1 + size]), tv=True)
            i += 1 + size
        else:
            if i + 4 > len(data):
                raise LlrpError("a parameter header is truncated")
            raw, length = struct.unpack_from(">HH", data, i)
            if raw >> 10:
                raise LlrpError(f"reserved bits of parameter {raw & 0x3FF} are set")
            if length < 4 or i + length > len(data):
                raise LlrpError(f"parameter {raw & 0x3FF} has length {length}, {len(data) - i} bytes remain")
            yield Parameter(raw & 0x3FF, bytes(data[i + 4 : i + length]))
            i += length


def _unpack(fmt: str, param: Parameter) -> tuple[int, ...]:
    size = struct.calcsize(fmt)
    if len(param.value) < size:
        raise LlrpError(f"parameter {param.type} is too short for its fields", StatusCode.FIELD_ERROR)
    return struct.unpack_from(fmt, param.value)


def _only(params: list[Parameter], ptype: ParamType, where: str, required: bool = True) -> Parameter | None:
    found = [p for p in params if p.type == ptype]
    if len(found) > 1:
        raise LlrpError(f"{where} has {len(found)} {ptype.name} parameters", StatusCode.DUPLICATE_PARAMETER)
    if required and not found:
        raise LlrpError(f"{where} lacks its {ptype.name} parameter", StatusCode.MISSING_PARAMETER)
    return found[0] if found else None


def microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_microseconds(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


# -- status -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    code: int
    description: str = ""

    @property
    def ok(self) -> bool:
        return self.code == StatusCode.SUCCESS

    def encode(self) -> bytes:
        text = self.description.encode()
        return tlv(ParamType.LLRP_STATUS, struct.pack(">HH", self.code, len(text)) + text)


def status_of(body: bytes) -> Status:
    """The LLRPStatus a response (or ERROR_MESSAGE) carries."""
    for param in parameters(body):
        if param.type == ParamType.LLRP_STATUS:
            code, size = _unpack(">HH", param)
            text = param.value[4 : 4 + size].decode("utf-8", errors="replace")
            return Status(code, text)
    raise LlrpError("the response has no LLRPStatus", StatusCode.MISSING_PARAMETER)


# -- reader configuration ---------------------------------------------------------------------------------------------


def keepalive_spec(period_ms: int | None) -> bytes:
    """KeepaliveSpec: the reader sends KEEPALIVE every ``period_ms`` (None: no keepalives)."""
    return tlv(ParamType.KEEPALIVE_SPEC, struct.pack(">BI", 0 if period_ms is None else 1, period_ms or 0))


def set_reader_config(keepalive_ms: int | None) -> bytes:
    return struct.pack(">B", 0) + keepalive_spec(keepalive_ms)  # ResetToFactoryDefault = 0


def keepalive_of(body: bytes) -> int | None:
    """The keepalive period a SET_READER_CONFIG asks for, if it sets one (0: switched off)."""
    for param in parameters(body[1:]):
        if param.type == ParamType.KEEPALIVE_SPEC:
            kind, period = _unpack(">BI", param)
            return period if kind == 1 else 0
    return None


def rospec_id_body(rospec_id: int) -> bytes:
    return struct.pack(">I", rospec_id)


def rospec_id_of(body: bytes) -> int:
    if len(body) < 4:
        raise LlrpError("the message lacks its ROSpecID", StatusCode.FIELD_ERROR)
    return int(struct.unpack_from(">I", body)[0])


@dataclass(frozen=True)
class ContentSelector:
    """TagReportContentSelector: which optional fields each tag report carries (EPC is always there)."""

    rospec_id: bool = False
    spec_index: bool = False
    inventory_parameter_spec_id: bool = False
    antenna_id: bool = True
    channel_index: bool = False
    peak_rssi: bool = True
    first_seen: bool = True
    last_seen: bool = False
    tag_seen_count: bool = True
    access_spec_id: bool = False

    _ORDER = (
        "rospec_id",
        "spec_index",
        "inventory_parameter_spec_id",
        "antenna_id",
        "channel_index",
        "peak_rssi",
        "first_seen",
        "last_seen",
        "tag_seen_count",
        "access_spec_id",
    )

    def bits(self) -> int:
        return sum(1 << (15 - i) for i, name in enumerate(self._ORDER) if getattr(self, name))

    @classmethod
    def from_bits(cls, bits: int) -> ContentSelector:
        return cls(**{name: bool(bits & (1 << (15 - i))) for i, name in enumerate(cls._ORDER)})


@dataclass(frozen=True)
class RoSpec:
    """A Reader Operation spec: one AISpec inventorying EPC Class 1 Gen 2 tags on some antennas, reported as read."""

    rospec_id: int = 1
    priority: int = 0
    antennas: tuple[int, ...] = (0,)  # 0: every antenna the reader has
    start_trigger: StartTrigger = StartTrigger.IMMEDIATE
    stop_trigger: StopTrigger = StopTrigger.NULL
    duration_ms: int = 0
    report_trigger: ReportTrigger = ReportTrigger.UPON_N_TAGS_OR_END_OF_ROSPEC
    report_every_n_tags: int = 1
    selector: ContentSelector = ContentSelector()
    inventory_parameter_spec_id: int = 1

    def encode(self) -> bytes:
        """The ROSpec parameter (the body of ADD_ROSPEC), CurrentState Disabled as ADD_ROSPEC requires."""
        boundary = tlv(
            ParamType.RO_BOUNDARY_SPEC,
            b"",
            tlv(ParamType.ROSPEC_START_TRIGGER, struct.pack(">B", self.start_trigger)),
            tlv(ParamType.ROSPEC_STOP_TRIGGER, struct.pack(">BI", self.stop_trigger, self.duration_ms)),
        )
        aispec = tlv(
            ParamType.AISPEC,
            struct.pack(f">H{len(self.antennas)}H", len(self.antennas), *self.antennas),
            tlv(ParamType.AISPEC_STOP_TRIGGER, struct.pack(">BI", 0, 0)),
            tlv(
                ParamType.INVENTORY_PARAMETER_SPEC,
                struct.pack(">HB", self.inventory_parameter_spec_id, EPC_CLASS1_GEN2),
            ),
        )
        report = tlv(
            ParamType.RO_REPORT_SPEC,
            struct.pack(">BH", self.report_trigger, self.report_every_n_tags),
            tlv(ParamType.TAG_REPORT_CONTENT_SELECTOR, struct.pack(">H", self.selector.bits())),
        )
        return tlv(
            ParamType.ROSPEC, struct.pack(">IBB", self.rospec_id, self.priority, 0), boundary, aispec, report
        )

    @classmethod
    def decode(cls, body: bytes) -> RoSpec:
        """The ROSpec of an ADD_ROSPEC body; ``LlrpError`` carries the status a reader answers with."""
        top = list(parameters(body))
        spec = _only(top, ParamType.ROSPEC, "ADD_ROSPEC")
        assert spec is not None
        rospec_id, priority, state = _unpack(">IBB", spec)
        if rospec_id == 0:
            raise LlrpError("ROSpecID 0 is reserved", StatusCode.FIELD_ERROR)
        if state != 0:
            raise LlrpError("a new ROSpec must be in state Disabled", StatusCode.FIELD_ERROR)
        inner = list(parameters(spec.value[6:]))
        for param in inner:
            if param.type == ParamType.RF_SURVEY_SPEC:
                raise LlrpError("RFSurveySpec is not supported", StatusCode.UNSUPPORTED_PARAMETER)
        boundary = _only(inner, ParamType.RO_BOUNDARY_SPEC, "ROSpec")
        assert boundary is not None
        triggers = list(parameters(boundary.value))
        start = _only(triggers, ParamType.ROSPEC_START_TRIGGER, "ROBoundarySpec")
        stop = _only(triggers, ParamType.ROSPEC_STOP_TRIGGER, "ROBoundarySpec")
        assert start is not None and stop is not None
        (start_kind,) = _unpack(">B", start)
        stop_kind, duration = _unpack(">BI", stop)
        if start_kind not in (StartTrigger.NULL, StartTrigger.IMMEDIATE):
            raise LlrpError(
                f"ROSpecStartTrigger {start_kind} is not supported", StatusCode.UNSUPPORTED_PARAMETER
            )
        if stop_kind not in (StopTrigger.NULL, StopTrigger.DURATION):
            raise LlrpError(
                f"ROSpecStopTrigger {stop_kind} is not supported", StatusCode.UNSUPPORTED_PARAMETER
            )
        aispecs = [p for p in inner if p.type == ParamType.AISPEC]
        if len(aispecs) != 1:
            raise LlrpError("exactly one AISpec is supported", StatusCode.UNSUPPORTED_PARAMETER)
        (count,) = _unpack(">H", aispecs[0])
        antennas = (
            struct.unpack_from(f">{count}H", aispecs[0].value, 2)
            if len(aispecs[0].value) >= 2 + 2 * count
            else None
        )
        if antennas is None:
            raise LlrpError("the AISpec's antenna list is truncated", StatusCode.FIELD_ERROR)
        ai_inner = list(parameters(aispecs[0].value[2 + 2 * count :]))
        _only(ai_inner, ParamType.AISPEC_STOP_TRIGGER, "AISpec")
        inventory = _only(ai_inner, ParamType.INVENTORY_PARAMETER_SPEC, "AISpec")
        assert inventory is not None
        ipsid, protocol = _unpack(">HB", inventory)
        if protocol != EPC_CLASS1_GEN2:
            raise LlrpError(f"air protocol {protocol} is not supported", StatusCode.UNSUPPORTED_PARAMETER)
        report = _only(inner, ParamType.RO_REPORT_SPEC, "ROSpec", required=False)
        trigger, n, selector = ReportTrigger.UPON_N_TAGS_OR_END_OF_ROSPEC, 1, ContentSelector()
        if report is not None:
            trigger_value, n = _unpack(">BH", report)
            trigger = (
                ReportTrigger(trigger_value) if trigger_value in _REPORT_TRIGGERS else ReportTrigger.NONE
            )
            chosen = _only(
                list(parameters(report.value[3:])), ParamType.TAG_REPORT_CONTENT_SELECTOR, "ROReportSpec"
            )
            assert chosen is not None
            selector = ContentSelector.from_bits(_unpack(">H", chosen)[0])
        return cls(
            rospec_id=rospec_id,
            priority=priority,
            antennas=tuple(antennas),
            start_trigger=StartTrigger(start_kind),
            stop_trigger=StopTrigger(stop_kind),
            duration_ms=duration,
            report_trigger=trigger,
            report_every_n_tags=n,
            selector=selector,
            inventory_parameter_spec_id=ipsid,
        )


# -- tag reports ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TagReport:
    """One TagReportData: a tag's EPC and what the reader says about the sighting."""

    epc: bytes
    epc_bits: int
    antenna_id: int | None = None
    peak_rssi: int | None = None
    channel_index: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    first_seen_uptime_us: int | None = None
    seen_count: int | None = None
    rospec_id: int | None = None
    spec_index: int | None = None
    inventory_parameter_spec_id: int | None = None
    pc_bits: int | None = None
    crc: int | None = None
    access_spec_id: int | None = None

    @property
    def epc_hex(self) -> str:
        return self.epc.hex().upper()

    def encode(self, selector: ContentSelector = ContentSelector(), *, use_epc96: bool = True) -> bytes:
        """TagReportData with the fields ``selector`` asks for (EPC-96 when the EPC is 96 bits and allowed)."""
        if use_epc96 and self.epc_bits == 96 and len(self.epc) == 12:
            epc = tv(ParamType.EPC_96, self.epc)
        else:
            epc = tlv(ParamType.EPC_DATA, struct.pack(">H", self.epc_bits) + self.epc)
        fields: list[bytes] = []

        def add(wanted: bool, ptype: ParamType, fmt: str, value: int | None) -> None:
            if wanted and value is not None:
                fields.append(tv(ptype, struct.pack(fmt, value)))

        add(selector.rospec_id, ParamType.ROSPEC_ID, ">I", self.rospec_id)
        add(selector.spec_index, ParamType.SPEC_INDEX, ">H", self.spec_index)
        add(
            selector.inventory_parameter_spec_id,
            ParamType.INVENTORY_PARAMETER_SPEC_ID,
            ">H",
            self.inventory_parameter_spec_id,
        )
        add(selector.antenna_id, ParamType.ANTENNA_ID, ">H", self.antenna_id)
        add(selector.peak_rssi, ParamType.PEAK_RSSI, ">b", self.peak_rssi)
        add(selector.channel_index, ParamType.CHANNEL_INDEX, ">H", self.channel_index)
        first = microseconds(self.first_seen) if self.first_seen is not None else None
        last = microseconds(self.last_seen) if self.last_seen is not None else None
        add(selector.first_seen, ParamType.FIRST_SEEN_UTC, ">Q", first)
        add(selector.last_seen, ParamType.LAST_SEEN_UTC, ">Q", last)
        add(selector.tag_seen_count, ParamType.TAG_SEEN_COUNT, ">H", self.seen_count)
        add(selector.access_spec_id, ParamType.ACCESS_SPEC_ID, ">I", self.access_spec_id)
        return tlv(ParamType.TAG_REPORT_DATA, b"", epc, *fields)

    @classmethod
    def decode(cls, param: Parameter) -> TagReport:
        epc: bytes | None = None
        bits = 0
        found: dict[int, int] = {}
        for inner in parameters(param.value):
            if inner.type == ParamType.EPC_96 and inner.tv:
                epc, bits = inner.value, 96
            elif inner.type == ParamType.EPC_DATA and not inner.tv:
                (bits,) = _unpack(">H", inner)
                size = (bits + 7) // 8
                if len(inner.value) < 2 + size:
                    raise LlrpError(f"EPCData says {bits} bits but carries {len(inner.value) - 2} bytes")
                epc = inner.value[2 : 2 + size]
            elif inner.tv:  # every other TV of the subset is an unsigned number; PeakRSSI (1 byte) is signed
                fmt = {1: ">b", 2: ">H", 4: ">I", 8: ">Q"}[len(inner.value)]
                found[inner.type] = struct.unpack(fmt, inner.value)[0]
            # other TLVs (OpSpec results, custom parameters) are not ours to read: skipped by their length
        if epc is None:
            raise LlrpError("a TagReportData has no EPC", StatusCode.MISSING_PARAMETER)
        first = found.get(ParamType.FIRST_SEEN_UTC)
        last = found.get(ParamType.LAST_SEEN_UTC)
        return cls(
            epc=epc,
            epc_bits=bits,
            antenna_id=found.get(ParamType.ANTENNA_ID),
            peak_rssi=found.get(ParamType.PEAK_RSSI),
            channel_index=found.get(ParamType.CHANNEL_INDEX),
            first_seen=from_microseconds(first) if first is not None else None,
            last_seen=from_microseconds(last) if last is not None else None,
            first_seen_uptime_us=found.get(ParamType.FIRST_SEEN_UPTIME),
            seen_count=found.get(ParamType.TAG_SEEN_COUNT),
            rospec_id=found.get(ParamType.ROSPEC_ID),
            spec_index=found.get(ParamType.SPEC_INDEX),
            inventory_parameter_spec_id=found.get(ParamType.INVENTORY_PARAMETER_SPEC_ID),
            pc_bits=found.get(ParamType.C1G2_PC),
            crc=found.get(ParamType.C1G2_CRC),
            access_spec_id=found.get(ParamType.ACCESS_SPEC_ID),
        )


def ro_access_report(reports: list[TagReport], selector: ContentSelector, *, use_epc96: bool = True) -> bytes:
    return b"".join(report.encode(selector, use_epc96=use_epc96) for report in reports)


def tag_reports(body: bytes) -> list[TagReport]:
    """The tag reports of an RO_ACCESS_REPORT body (RF survey data and custom parameters are skipped)."""
    return [TagReport.decode(p) for p in parameters(body) if p.type == ParamType.TAG_REPORT_DATA and not p.tv]


# -- reader events ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderEvent:
    timestamp: datetime | None
    uptime_us: int | None = None
    connection_attempt: int | None = None  # a ConnectionAttempt status
    connection_closed: bool = False
    other: tuple[int, ...] = ()  # parameter types of events this client does not act on


def reader_event_notification(
    timestamp: datetime,
    *,
    connection_attempt: ConnectionAttempt | None = None,
    connection_closed: bool = False,
) -> bytes:
    events: list[bytes] = []
    if connection_attempt is not None:
        events.append(tlv(ParamType.CONNECTION_ATTEMPT_EVENT, struct.pack(">H", connection_attempt)))
    if connection_closed:
        events.append(tlv(ParamType.CONNECTION_CLOSE_EVENT))
    stamp = tlv(ParamType.UTC_TIMESTAMP, struct.pack(">Q", microseconds(timestamp)))
    return tlv(ParamType.READER_EVENT_NOTIFICATION_DATA, b"", stamp, *events)


def reader_event(body: bytes) -> ReaderEvent:
    data = _only(
        list(parameters(body)), ParamType.READER_EVENT_NOTIFICATION_DATA, "READER_EVENT_NOTIFICATION"
    )
    assert data is not None
    timestamp: datetime | None = None
    uptime: int | None = None
    attempt: int | None = None
    closed = False
    other: list[int] = []
    for param in parameters(data.value):
        if param.type == ParamType.UTC_TIMESTAMP:
            timestamp = from_microseconds(_unpack(">Q", param)[0])
        elif param.type == ParamType.UPTIME:
            uptime = _unpack(">Q", param)[0]
        elif param.type == ParamType.CONNECTION_ATTEMPT_EVENT:
            attempt = _unpack(">H", param)[0]
        elif param.type == ParamType.CONNECTION_CLOSE_EVENT:
            closed = True
        else:
            other.append(param.type)
    return ReaderEvent(timestamp, uptime, attempt, closed, tuple(other))


# -- capabilities -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderInfo:
    """What GeneralDeviceCapabilities says about the reader."""

    manufacturer: int  # IANA private enterprise number
    model: int
    firmware: str
    max_antennas: int
    utc_clock: bool

    def encode(self) -> bytes:
        firmware = self.firmware.encode()
        flags = 1 << 14 if self.utc_clock else 0
        return tlv(
            ParamType.GENERAL_DEVICE_CAPABILITIES,
            struct.pack(">HHII", self.max_antennas, flags, self.manufacturer, self.model)
            + struct.pack(">H", len(firmware))
            + firmware,
        )


def reader_info(body: bytes) -> ReaderInfo | None:
    """GeneralDeviceCapabilities of a GET_READER_CAPABILITIES_RESPONSE (its sub-parameters are not read)."""
    for param in parameters(body):
        if param.type == ParamType.GENERAL_DEVICE_CAPABILITIES:
            antennas, flags, manufacturer, model, size = _unpack(">HHIIH", param)
            firmware = param.value[14 : 14 + size].decode("utf-8", errors="replace")
            return ReaderInfo(manufacturer, model, firmware, antennas, bool(flags & (1 << 14)))
    return None
