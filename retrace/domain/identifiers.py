"""Identifiers of traced objects, as value objects that validate themselves.

Every identifier has a ``key``: the canonical string the stores index.  GS1 keys are canonicalised to GTIN-14 plus
serial, so the QR code's Digital Link, the RFID tag's SGTIN-96 hex and the EPC URN of the same unit all share one
key and any of them finds the item:

>>> Sgtin96Hex.parse("3074257BF7194E4000001A85").key
'gs1:01/80614141123458/21/6789'
>>> SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.6789").key
'gs1:01/80614141123458/21/6789'
>>> DigitalLink.parse("https://id.gs1.org/01/80614141123458/21/6789").key
'gs1:01/80614141123458/21/6789'
>>> Vin.parse("LFV2A21K0D4010942").key
'vin:LFV2A21K0D4010942'

RFID tags carry other EPC schemes too (EPC Tag Data Standard): an SSCC on a cage or pallet, a GRAI on a returnable
crate, an SGTIN-198 with an alphanumeric serial.  ``EpcHex`` decodes any of them from the tag's EPC memory:

>>> EpcHex.parse("3154257BF4499602D2000000").key
'gs1:00/106141412345678908'
>>> EpcHex.parse("33B4257BF40C0E4000000190").identity.urn
'urn:epc:id:grai:0614141.12345.400'

Parsing is delegated to maintained libraries where they exist (biip for GTINs and Digital Link, epcpy for the EPC
Tag Data Standard); their exceptions never leave this module: all become ``InvalidIdentifier``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol
from urllib.parse import unquote

import biip.gtin
import epcpy
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from epcpy.epc_schemes import GRAI, SGTIN, SSCC
from epcpy.epc_schemes.grai import GRAIFilterValue
from epcpy.epc_schemes.sgtin import SGTINFilterValue
from epcpy.epc_schemes.sscc import SSCCFilterValue

from retrace.domain.errors import InvalidIdentifier


class Scheme(StrEnum):
    DIGITAL_LINK = "digital_link"
    SGTIN_URN = "sgtin"
    SGTIN_HEX = "sgtin96"
    SSCC_URN = "sscc"
    GRAI_URN = "grai"
    EPC_HEX = "epc"
    BATTERY = "gbt34014"
    VIN = "vin"
    INTERNAL = "internal"


class Identifier(Protocol):
    scheme: ClassVar[Scheme]

    @property
    def value(self) -> str: ...

    @property
    def key(self) -> str: ...


def _invalid(scheme: Scheme, text: str, why: str, why_zh: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        f"{text!r} is not a valid {scheme.value} identifier: {why}",
        message_zh=f"{text!r} 不是有效的 {scheme.value} 标识：{why_zh}",
        details={"scheme": scheme.value, "value": text},
    )


def _gtin14(text: str, scheme: Scheme) -> str:
    try:
        gtin = biip.gtin.Gtin.parse(text)
    except Exception as e:  # biip raises its own ParseError; we expose only ours
        raise _invalid(scheme, text, str(e), "GTIN 校验位或长度错误") from e
    return str(gtin.as_gtin_14())


def _gs1_key(gtin14: str, serial: str) -> str:
    return f"gs1:01/{gtin14}/21/{serial}"


_SERIAL = re.compile(r"^[!%-?A-Z_a-z\"]{1,20}$")  # GS1 AI (21): up to 20 characters of the CSET 82 set


@dataclass(frozen=True)
class Gs1Serial:
    """A serialised GTIN (AI 01 + AI 21), the unit the three GS1 encodings below all denote."""

    gtin14: str
    serial: str

    @property
    def key(self) -> str:
        return _gs1_key(self.gtin14, self.serial)


@dataclass(frozen=True)
class DigitalLink:
    """A GS1 Digital Link URI carrying a GTIN and a serial number, as printed in QR codes."""

    uri: str
    unit: Gs1Serial
    scheme: ClassVar[Scheme] = Scheme.DIGITAL_LINK

    @classmethod
    def parse(cls, text: str) -> DigitalLink:
        try:
            parsed = GS1DigitalLinkURI.parse(text)
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "不是 GS1 数字链接") from e
        values = {element.ai.ai: element.value for element in parsed.element_strings}
        if "01" not in values or "21" not in values:
            raise _invalid(cls.scheme, text, "needs a GTIN (/01/) and a serial (/21/)", "需要 GTIN 和序列号")
        return cls(text, Gs1Serial(_gtin14(values["01"], cls.scheme), values["21"]))

    @classmethod
    def for_unit(cls, resolver: str, gtin14: str, serial: str) -> DigitalLink:
        return cls.parse(f"{resolver.rstrip('/')}/01/{gtin14}/21/{serial}")

    @property
    def value(self) -> str:
        return self.uri

    @property
    def key(self) -> str:
        return self.unit.key


@dataclass(frozen=True)
class SgtinUrn:
    """An EPC pure-identity URN ``urn:epc:id:sgtin:<company prefix>.<indicator+item ref>.<serial>``."""

    urn: str
    unit: Gs1Serial
    scheme: ClassVar[Scheme] = Scheme.SGTIN_URN

    @classmethod
    def parse(cls, text: str) -> SgtinUrn:
        try:
            sgtin = SGTIN(text)
            gtin14 = _gtin14(sgtin.gtin(), cls.scheme)
        except InvalidIdentifier:
            raise
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "不是有效的 SGTIN URN") from e
        # The serial is everything after the second dot (it may contain dots) and is %-escaped in URNs.
        serial = unquote(text.split(":", 4)[4].split(".", 2)[2])
        return cls(text, Gs1Serial(gtin14, serial))

    @property
    def value(self) -> str:
        return self.urn

    @property
    def key(self) -> str:
        return self.unit.key


_HEX96 = re.compile(r"^[0-9A-F]{24}$")


@dataclass(frozen=True)
class Sgtin96Hex:
    """An SGTIN-96 as read from an RFID tag's EPC memory bank (24 hexadecimal digits, header 0x30)."""

    hex: str
    urn: SgtinUrn
    scheme: ClassVar[Scheme] = Scheme.SGTIN_HEX

    @classmethod
    def parse(cls, text: str) -> Sgtin96Hex:
        normalised = text.strip().upper()
        if not _HEX96.match(normalised):
            raise _invalid(cls.scheme, text, "must be 24 hexadecimal digits", "必须是 24 位十六进制数")
        if not normalised.startswith("30"):
            raise _invalid(cls.scheme, text, "header is not 0x30 (SGTIN-96)", "EPC 头不是 0x30（SGTIN-96）")
        try:
            tag = epcpy.hex_to_tag_encodable(normalised)
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "无法解码 EPC") from e
        return cls(normalised, SgtinUrn.parse(str(tag.epc_uri)))

    @property
    def value(self) -> str:
        return self.hex

    @property
    def key(self) -> str:
        return self.urn.key


@dataclass(frozen=True)
class SsccUrn:
    """An EPC pure-identity URN ``urn:epc:id:sscc:<company prefix>.<extension digit + serial reference>``.

    A Serial Shipping Container Code names one logistic unit: a cage of collected appliances, a pallet, a battery
    transport box.  Its key is the 18-digit SSCC (GS1 AI 00, check digit computed by epcpy).
    """

    urn: str
    sscc: str
    scheme: ClassVar[Scheme] = Scheme.SSCC_URN

    @classmethod
    def parse(cls, text: str) -> SsccUrn:
        try:
            sscc = SSCC(text).gs1_key()
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "不是有效的 SSCC URN") from e
        return cls(text, str(sscc))

    @property
    def value(self) -> str:
        return self.urn

    @property
    def key(self) -> str:
        return f"gs1:00/{self.sscc}"


@dataclass(frozen=True)
class GraiUrn:
    """An EPC pure-identity URN ``urn:epc:id:grai:<company prefix>.<asset type>.<serial>``.

    A Global Returnable Asset Identifier names one returnable asset: a battery transport crate, a gas cylinder, a
    collection bin.  Its key is the value of GS1 AI 8003 (a leading 0, the 13 digits of the asset type with its
    check digit, then the serial, unescaped).
    """

    urn: str
    grai: str
    scheme: ClassVar[Scheme] = Scheme.GRAI_URN

    @classmethod
    def parse(cls, text: str) -> GraiUrn:
        try:
            element = str(GRAI(text).gs1_element_string())
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "不是有效的 GRAI URN") from e
        return cls(text, element.removeprefix("(8003)"))

    @property
    def value(self) -> str:
        return self.urn

    @property
    def key(self) -> str:
        return f"gs1:8003/{self.grai}"


EpcIdentity = SgtinUrn | SsccUrn | GraiUrn


class EpcCoding(StrEnum):
    """The binary encodings of the EPC Tag Data Standard that ``EpcHex`` reads, named as in tag URIs."""

    SGTIN_96 = "sgtin-96"
    SGTIN_198 = "sgtin-198"
    SSCC_96 = "sscc-96"
    GRAI_96 = "grai-96"
    GRAI_170 = "grai-170"


@dataclass(frozen=True)
class _Encoding:
    header: int  # the first byte of the EPC (TDS table 14-1)
    bits: int
    identity: Callable[[str], EpcIdentity]
    encode: Callable[[str, int], str]  # pure-identity URN and filter → hex, by epcpy


def _sgtin_hex(coding: SGTIN.BinaryCodingScheme) -> Callable[[str, int], str]:
    return lambda urn, filt: str(
        SGTIN(urn).hex(binary_coding_scheme=coding, filter_value=SGTINFilterValue(str(filt)))
    )


def _grai_hex(coding: GRAI.BinaryCodingScheme) -> Callable[[str, int], str]:
    return lambda urn, filt: str(
        GRAI(urn).hex(binary_coding_scheme=coding, filter_value=GRAIFilterValue(str(filt)))
    )


def _sscc_hex(urn: str, filt: int) -> str:
    return str(SSCC(urn).hex(filter_value=SSCCFilterValue(str(filt))))


_ENCODINGS: dict[EpcCoding, _Encoding] = {
    EpcCoding.SGTIN_96: _Encoding(0x30, 96, SgtinUrn.parse, _sgtin_hex(SGTIN.BinaryCodingScheme.SGTIN_96)),
    EpcCoding.SGTIN_198: _Encoding(0x36, 198, SgtinUrn.parse, _sgtin_hex(SGTIN.BinaryCodingScheme.SGTIN_198)),
    EpcCoding.SSCC_96: _Encoding(0x31, 96, SsccUrn.parse, _sscc_hex),
    EpcCoding.GRAI_96: _Encoding(0x33, 96, GraiUrn.parse, _grai_hex(GRAI.BinaryCodingScheme.GRAI_96)),
    EpcCoding.GRAI_170: _Encoding(0x37, 170, GraiUrn.parse, _grai_hex(GRAI.BinaryCodingScheme.GRAI_170)),
}
_BY_HEADER = {encoding.header: coding for coding, encoding in _ENCODINGS.items()}
_HEX = re.compile(r"^[0-9A-F]+$")


def _hex_lengths(bits: int) -> tuple[int, ...]:
    """Hex digits an EPC of ``bits`` may come as: whole nibbles, or whole 16-bit words as a tag's memory holds it."""
    return tuple(sorted({-(-bits // 4), -(-bits // 16) * 4}))


@dataclass(frozen=True)
class EpcHex:
    """The EPC memory of an RFID tag in one of the TDS binary encodings (``EpcCoding``), as hexadecimal digits.

    Decoding is epcpy's; on top of it, a read is refused unless it has the exact length of its encoding (trailing
    padding zero) and its bits are the one canonical encoding of what they decode to, so that a flipped bit in a
    reserved field or an over-range partition never turns into a different, valid-looking identifier.  The key is
    the pure identity's: the SGTIN-96 and SGTIN-198 tags, the ``urn:epc:id:sgtin`` URN and the Digital Link of one
    unit all find it.
    """

    hex: str
    coding: EpcCoding
    filter: int
    identity: EpcIdentity
    scheme: ClassVar[Scheme] = Scheme.EPC_HEX

    @classmethod
    def parse(cls, text: str) -> EpcHex:
        normalised = text.strip().upper()
        if not _HEX.match(normalised):
            raise _invalid(cls.scheme, text, "must be hexadecimal digits", "必须是十六进制数")
        coding = _BY_HEADER.get(int(normalised[:2], 16)) if len(normalised) >= 2 else None
        if coding is None:
            known = ", ".join(f"{e.header:02X} {c.value}" for c, e in _ENCODINGS.items())
            raise _invalid(
                cls.scheme,
                text,
                f"unknown or unsupported EPC header {normalised[:2]} (supported: {known})",
                f"未知或不支持的 EPC 头 {normalised[:2]}",
            )
        encoding = _ENCODINGS[coding]
        lengths = _hex_lengths(encoding.bits)
        if len(normalised) not in lengths:
            expected = " or ".join(str(n) for n in lengths)
            raise _invalid(
                cls.scheme,
                text,
                f"{coding.value} needs {expected} hex digits, got {len(normalised)}",
                f"{coding.value} 需要 {expected} 位十六进制数，实际 {len(normalised)} 位",
            )
        filt = (int(normalised[2], 16) >> 1) & 0b111  # the 3 bits after the 8-bit header
        try:
            tag = epcpy.hex_to_tag_encodable(normalised)
            identity = encoding.identity(str(tag.epc_uri))
            canonical = encoding.encode(identity.urn, filt)
        except InvalidIdentifier as e:
            raise _invalid(cls.scheme, text, e.message, e.message_zh) from e
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e) or type(e).__name__, "无法解码 EPC") from e
        width = max(len(normalised), len(canonical))
        if canonical.ljust(width, "0") != normalised.ljust(width, "0"):
            raise _invalid(
                cls.scheme,
                text,
                f"not the canonical {coding.value} encoding of {identity.urn} (reserved or unused bits set?)",
                f"不是 {identity.urn} 的规范 {coding.value} 编码（保留位被置位？）",
            )
        return cls(normalised, coding, filt, identity)

    @classmethod
    def encode(cls, urn: str, coding: EpcCoding, filter_value: int = 0) -> EpcHex:
        """The tag encoding of a pure-identity URN, as a printer-encoder writes it (for tests and tag commissioning).

        >>> EpcHex.encode("urn:epc:id:sgtin:0614141.812345.6789", EpcCoding.SGTIN_96, 3).hex
        '3074257BF7194E4000001A85'
        """
        if not 0 <= filter_value <= 7:
            raise _invalid(cls.scheme, urn, "the filter value is 0 to 7", "过滤值须为 0 到 7")
        try:
            text = _ENCODINGS[coding].encode(urn, filter_value)
        except Exception as e:
            raise _invalid(cls.scheme, urn, str(e) or type(e).__name__, f"无法编码为 {coding.value}") from e
        return cls.parse(text)

    @property
    def tag_uri(self) -> str:
        """The EPC tag URI (``urn:epc:tag:<coding>:<filter>.<…>``): the pure identity plus how the tag encodes it."""
        body = self.identity.urn.split(":", 4)[4]
        return f"urn:epc:tag:{self.coding.value}:{self.filter}.{body}"

    @property
    def value(self) -> str:
        return self.hex

    @property
    def key(self) -> str:
        return self.identity.key


_BATTERY = re.compile(r"^[0-9A-Z]{24}$")
_BATTERY_PRODUCT_TYPES = {"P": "pack", "M": "module", "C": "cell"}


@dataclass(frozen=True)
class BatteryCode:
    """A GB/T 34014-2017 traction battery code: 24 digits or capital letters.

    Checked here: length, alphabet, and the product-type code in position 4 (P pack, M module, C cell).  The
    manufacturer, specification and traceability parts are registered with the national coding system and cannot be
    checked offline.
    """

    code: str
    scheme: ClassVar[Scheme] = Scheme.BATTERY

    def __post_init__(self) -> None:
        if len(self.code) != 24:
            raise _invalid(
                self.scheme,
                self.code,
                f"must have 24 characters, has {len(self.code)}",
                f"必须为 24 位，实际 {len(self.code)} 位",
            )
        if not _BATTERY.match(self.code):
            raise _invalid(
                self.scheme, self.code, "only digits and capital letters", "只能包含数字和大写字母"
            )
        if self.code[3] not in _BATTERY_PRODUCT_TYPES:
            raise _invalid(
                self.scheme,
                self.code,
                "position 4 (product type) must be P, M or C",
                "第 4 位产品类型代码须为 P、M 或 C",
            )

    @classmethod
    def parse(cls, text: str) -> BatteryCode:
        return cls(text.strip())

    @property
    def product_type(self) -> str:
        """``pack``, ``module`` or ``cell``."""
        return _BATTERY_PRODUCT_TYPES[self.code[3]]

    @property
    def value(self) -> str:
        return self.code

    @property
    def key(self) -> str:
        return f"gbt34014:{self.code}"


_VIN_CHARS = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The ISO 3779 check character (position 9) for a 17-character VIN, as GB 16735 requires in China."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True)
class Vin:
    """A vehicle identification number (ISO 3779): 17 characters, no I, O or Q, check digit in position 9."""

    vin: str
    scheme: ClassVar[Scheme] = Scheme.VIN

    def __post_init__(self) -> None:
        if len(self.vin) != 17:
            raise _invalid(
                self.scheme,
                self.vin,
                f"must have 17 characters, has {len(self.vin)}",
                f"必须为 17 位，实际 {len(self.vin)} 位",
            )
        if not _VIN_CHARS.match(self.vin):
            raise _invalid(
                self.scheme,
                self.vin,
                "only digits and capitals other than I, O, Q",
                "只能包含数字和除 I、O、Q 以外的大写字母",
            )
        expected = vin_check_digit(self.vin)
        if self.vin[8] != expected:
            raise _invalid(
                self.scheme,
                self.vin,
                f"check digit is {self.vin[8]}, expected {expected}",
                f"校验位为 {self.vin[8]}，应为 {expected}",
            )

    @classmethod
    def parse(cls, text: str) -> Vin:
        return cls(text.strip().upper())

    @property
    def value(self) -> str:
        return self.vin

    @property
    def key(self) -> str:
        return f"vin:{self.vin}"


_PLAIN = re.compile(r"^[0-9A-Z]+$")
_INTERNAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")


@dataclass(frozen=True)
class InternalCode:
    """A code issued by the platform or a party for things without a standard identifier (material lots, cages)."""

    code: str
    scheme: ClassVar[Scheme] = Scheme.INTERNAL

    def __post_init__(self) -> None:
        if not _INTERNAL.match(self.code):
            raise _invalid(
                self.scheme,
                self.code,
                "3 to 64 letters, digits or . _ / -, starting with a letter or digit",
                "3 到 64 位字母、数字或 . _ / -，以字母或数字开头",
            )

    @classmethod
    def parse(cls, text: str) -> InternalCode:
        return cls(text.strip())

    @property
    def value(self) -> str:
        return self.code

    @property
    def key(self) -> str:
        return f"internal:{self.code}"


_PARSERS: dict[str, Callable[[str], Identifier]] = {
    Scheme.DIGITAL_LINK.value: DigitalLink.parse,
    Scheme.SGTIN_URN.value: SgtinUrn.parse,
    Scheme.SGTIN_HEX.value: Sgtin96Hex.parse,
    Scheme.SSCC_URN.value: SsccUrn.parse,
    Scheme.GRAI_URN.value: GraiUrn.parse,
    Scheme.EPC_HEX.value: EpcHex.parse,
    Scheme.BATTERY.value: BatteryCode.parse,
    Scheme.VIN.value: Vin.parse,
    Scheme.INTERNAL.value: InternalCode.parse,
}


def parse_identifier(text: str) -> Identifier:
    """Read an identifier as a scanner or a person gives it.

    An explicit ``<scheme>:`` prefix (``vin:``, ``gbt34014:``, ``sgtin96:``, ``epc:``, ``internal:``) decides the
    scheme; ``epc:<hex>`` is a tag's EPC memory in any encoding ``EpcHex`` reads (SGTIN-96/198, SSCC-96, GRAI-96/170).
    Otherwise the form decides, in this order: ``http(s)://`` is a Digital Link, ``urn:epc:id:sgtin:``,
    ``urn:epc:id:sscc:`` and ``urn:epc:id:grai:`` are EPC URNs,
    24 hex digits starting ``30`` an SGTIN-96; then, for letters and digits only: 24 long a battery code, 17 a
    VIN, 20 to 28 with P, M or C in position 4, is a battery code of the wrong length, and 16 or 18 long a VIN of
    the wrong length, and hex starting ``30`` of 20 to 28 digits a broken SGTIN-96 read: all errors, never silently
    an internal code.  Anything else is an internal code (give
    internal codes a separator such as ``-`` or the ``internal:`` prefix).

    >>> parse_identifier("vin:LFV2A21K0D4010942").key
    'vin:LFV2A21K0D4010942'
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidIdentifier("an identifier must be a non-empty string", message_zh="标识不能为空")
    raw = text.strip()
    prefix, sep, rest = raw.partition(":")
    if sep and prefix.lower() in _PARSERS and prefix.lower() not in ("sgtin",):
        return _PARSERS[prefix.lower()](rest)
    lowered = raw.lower()
    if lowered.startswith(("http://", "https://")):
        return DigitalLink.parse(raw)
    if lowered.startswith("urn:epc:id:sgtin:"):
        return SgtinUrn.parse(raw)
    if lowered.startswith("urn:epc:id:sscc:"):
        return SsccUrn.parse(raw)
    if lowered.startswith("urn:epc:id:grai:"):
        return GraiUrn.parse(raw)
    if len(raw) == 24 and _HEX96.match(raw.upper()) and raw.startswith("30"):
        return Sgtin96Hex.parse(raw)
    if _PLAIN.match(raw.upper()):
        if len(raw) == 24:
            return BatteryCode.parse(raw)
        if len(raw) == 17:
            return Vin.parse(raw)
        # A mistyped battery code or VIN must be an error, not silently a new internal code.
        if 20 <= len(raw) <= 28 and raw[3] in _BATTERY_PRODUCT_TYPES:
            return BatteryCode.parse(raw)
        if 20 <= len(raw) <= 28 and raw.startswith("30") and _HEX96.match(raw.upper().ljust(24, "0")[:24]):
            return Sgtin96Hex.parse(raw)  # a truncated or overlong RFID read
        if len(raw) in (16, 18):
            return Vin.parse(raw)
    return InternalCode.parse(raw)


def lookup_keys(text: str) -> list[str]:
    """Every key ``text`` could denote, most likely first, for lookups that should forgive an ambiguous form.

    A 24-character string of hex digits starting ``30`` may be an SGTIN-96 or a battery code; a lookup tries both.
    """
    keys = [parse_identifier(text).key]
    raw = text.strip()
    if len(raw) == 24 and keys[0].startswith("gs1:"):
        with contextlib.suppress(InvalidIdentifier):
            keys.append(BatteryCode.parse(raw).key)
    return keys
