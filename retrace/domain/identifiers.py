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
crate, an SGTIN-198 with an alphanumeric serial.  ``EpcHex`` decodes any of them from the tag's EPC memory, and the
QR label of a cage or crate carries its GS1 Digital Link (``ContainerLink``):

>>> EpcHex.parse("3154257BF4499602D2000000").key
'gs1:00/106141412345678908'
>>> EpcHex.parse("33B4257BF40C0E4000000190").identity.urn
'urn:epc:id:grai:0614141.12345.400'
>>> ContainerLink.parse("https://id.gs1.org/00/106141412345678908").key
'gs1:00/106141412345678908'

``Epc`` reads every other binary encoding the Tag Data Standard and epcpy have (a location's SGLN, an asset's GIAI,
a document's GDTI …): decoded and named, but not units the platform traces, so they have no key:

>>> Epc.from_hex("3234257BF460720000000190").urn
'urn:epc:id:sgln:0614141.12345.400'

Parsing is delegated to maintained libraries where they exist (biip for GTINs and Digital Link, epcpy for the EPC
Tag Data Standard); their exceptions never leave this module: all become ``InvalidIdentifier``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import ClassVar, Protocol
from urllib.parse import quote, unquote, urlsplit

import biip.checksums
import biip.gtin
import epcpy
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from epcpy.epc_schemes import (
    ADI,
    CPI,
    GDTI,
    GIAI,
    GID,
    GRAI,
    GSRN,
    GSRNP,
    ITIP,
    SGCN,
    SGLN,
    SGTIN,
    SSCC,
    USDOD,
)
from epcpy.epc_schemes.adi import ADIFilterValue
from epcpy.epc_schemes.base_scheme import TagEncodable
from epcpy.epc_schemes.cpi import CPIFilterValue
from epcpy.epc_schemes.gdti import GDTIFilterValue
from epcpy.epc_schemes.giai import GIAIFilterValue
from epcpy.epc_schemes.grai import GRAIFilterValue
from epcpy.epc_schemes.gsrn import GSRNFilterValue
from epcpy.epc_schemes.gsrnp import GSRNPFilterValue
from epcpy.epc_schemes.itip import ITIPFilterValue
from epcpy.epc_schemes.sgcn import SGCNFilterValue
from epcpy.epc_schemes.sgln import SGLNFilterValue
from epcpy.epc_schemes.sgtin import SGTINFilterValue
from epcpy.epc_schemes.sscc import SSCCFilterValue
from epcpy.epc_schemes.usdod import USDODFilterValue

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


class PathScheme(StrEnum):
    """The kinds of identifier that have a platform path ``/id/{scheme}/{value}``: those of objects without a GS1
    key, whose labels carry the platform's own link."""

    BATTERY = Scheme.BATTERY.value
    VIN = Scheme.VIN.value
    INTERNAL = Scheme.INTERNAL.value


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


def _has_check_digit(digits: str) -> bool:
    """Whether the last of ``digits`` is their GS1 mod-10 check digit (GTIN, SSCC and GRAI share it)."""
    return str(biip.checksums.gs1_standard_check_digit(digits[:-1])) == digits[-1]


class ContainerAi(StrEnum):
    """The GS1 primary keys of the containers the platform traces, as Digital Link path segments (AIs)."""

    SSCC = "00"
    GRAI = "8003"


@dataclass(frozen=True)
class ContainerLink:
    """A GS1 Digital Link naming one container: a logistic unit by its SSCC (``/00/{sscc}``: a cage of collected
    appliances, a pallet, a battery transport box) or one returnable asset by its GRAI with serial
    (``/8003/{grai}``: a crate, a bin, a gas cylinder).

    ``element`` is the AI's value as GS1 element strings carry it: the 18 digits of the SSCC, or for a GRAI a
    leading 0, the 13 digits of the asset type with their check digit, then the serial (unescaped).  Check digits
    are verified here; a GRAI without serial names a kind of asset, not one, and is refused.  The key is the one the
    same container's EPC URN and RFID tag have (``gs1:00/…``, ``gs1:8003/…``).
    """

    uri: str
    ai: ContainerAi
    element: str
    scheme: ClassVar[Scheme] = Scheme.DIGITAL_LINK

    @classmethod
    def parse(cls, text: str) -> ContainerLink:
        try:
            parsed = GS1DigitalLinkURI.parse(text)
        except Exception as e:
            raise _invalid(cls.scheme, text, str(e), "不是 GS1 数字链接") from e
        values = {element.ai.ai: element.value for element in parsed.element_strings}
        if ContainerAi.SSCC.value in values:
            sscc = values[ContainerAi.SSCC.value]
            if not _has_check_digit(sscc):
                raise _invalid(cls.scheme, text, f"SSCC {sscc} has a wrong check digit", "SSCC 校验位错误")
            return cls(text, ContainerAi.SSCC, sscc)
        if ContainerAi.GRAI.value in values:
            grai = values[ContainerAi.GRAI.value]  # biip checked the form: 0, 13 digits, up to 16 characters
            if not _has_check_digit(grai[1:14]):
                raise _invalid(
                    cls.scheme, text, f"GRAI {grai[1:14]} has a wrong check digit", "GRAI 校验位错误"
                )
            if len(grai) == 14:
                raise _invalid(
                    cls.scheme,
                    text,
                    "a GRAI needs a serial after its 14 digits: without one it names a kind of asset, not one",
                    "GRAI 缺少序列号：没有序列号只表示资产类型，而非单个资产",
                )
            return cls(text, ContainerAi.GRAI, grai)
        raise _invalid(cls.scheme, text, "needs an SSCC (/00/) or a GRAI (/8003/)", "需要 SSCC 或 GRAI")

    @classmethod
    def for_key(cls, resolver: str, key: str) -> ContainerLink:
        """The link on ``resolver`` of a ``gs1:00/…`` or ``gs1:8003/…`` key (the serial percent-encoded)."""
        ai, _, element = key.removeprefix("gs1:").partition("/")
        return cls.parse(f"{resolver.rstrip('/')}/{ai}/{quote(element, safe='')}")

    @property
    def value(self) -> str:
        return self.uri

    @property
    def key(self) -> str:
        return f"gs1:{self.ai.value}/{self.element}"


def parse_digital_link(text: str) -> DigitalLink | ContainerLink:
    """A GS1 Digital Link naming anything the platform traces: a serialised trade item (``/01/…/21/…``), or a
    container (``/00/…``, ``/8003/…``); for any other primary key, the trade item's error (GTIN and serial needed).

    >>> parse_digital_link("https://id.gs1.org/8003/00614141123452400").key
    'gs1:8003/00614141123452400'
    """
    try:
        primary = {element.ai.ai for element in GS1DigitalLinkURI.parse(text).element_strings}
    except Exception:
        primary = set()  # not a Digital Link at all: the trade item's parser says why
    if "01" not in primary and primary & {ai.value for ai in ContainerAi}:
        return ContainerLink.parse(text)
    return DigitalLink.parse(text)


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


class EpcScheme(StrEnum):
    """The EPC pure-identity schemes that have a tag encoding (TDS), named as in ``urn:epc:id:<scheme>:…``."""

    SGTIN = "sgtin"
    SSCC = "sscc"
    GRAI = "grai"
    SGLN = "sgln"
    GIAI = "giai"
    GSRN = "gsrn"
    GSRNP = "gsrnp"
    GDTI = "gdti"
    CPI = "cpi"
    SGCN = "sgcn"
    ITIP = "itip"
    GID = "gid"
    USDOD = "usdod"
    ADI = "adi"


# The schemes whose identities the platform traces, each with its value object (and so its key).
_TRACED: dict[EpcScheme, Callable[[str], EpcIdentity]] = {
    EpcScheme.SGTIN: SgtinUrn.parse,
    EpcScheme.SSCC: SsccUrn.parse,
    EpcScheme.GRAI: GraiUrn.parse,
}
# What a tag of every other scheme names: why a portal that reads it has no item to receive.
NOT_TRACED: dict[EpcScheme, tuple[str, str]] = {
    EpcScheme.SGLN: ("a location (a dock door, a yard bay, a site)", "一个位置（月台门、堆场货位、场地）"),
    EpcScheme.GIAI: (
        "an asset its owner keeps (a forklift, a scale, a tool)",
        "企业自有资产（叉车、磅秤、工具）",
    ),
    EpcScheme.GSRN: (
        "a service relation (a person, such as a member or a patient)",
        "服务关系（如会员、患者）",
    ),
    EpcScheme.GSRNP: (
        "a service provider (a person, such as a driver or a doctor)",
        "服务提供方（如司机、医生）",
    ),
    EpcScheme.GDTI: ("a document", "一份文件"),
    EpcScheme.CPI: ("a component or part by its part number", "按零件号标识的零部件"),
    EpcScheme.SGCN: ("a coupon", "一张优惠券"),
    EpcScheme.ITIP: ("one piece of a trade item sold in several pieces", "多件装商品中的一件"),
    EpcScheme.GID: ("an object numbered outside GS1 (General Identifier)", "非 GS1 编号的对象（通用标识符）"),
    EpcScheme.USDOD: ("an item of the US Department of Defense", "美国国防部的物品"),
    EpcScheme.ADI: ("an aerospace or defence part", "航空航天或国防零件"),
}


class EpcCoding(StrEnum):
    """The binary encodings of the EPC Tag Data Standard that ``Epc`` reads (all that epcpy has), named as in tag
    URIs.  Every one that has a filter value keeps it in the bits right after the 8-bit header."""

    SGTIN_96 = "sgtin-96"
    SGTIN_198 = "sgtin-198"
    SSCC_96 = "sscc-96"
    GRAI_96 = "grai-96"
    GRAI_170 = "grai-170"
    SGLN_96 = "sgln-96"
    SGLN_195 = "sgln-195"
    GIAI_96 = "giai-96"
    GIAI_202 = "giai-202"
    GSRN_96 = "gsrn-96"
    GSRNP_96 = "gsrnp-96"
    GDTI_96 = "gdti-96"
    GDTI_174 = "gdti-174"
    CPI_96 = "cpi-96"
    CPI_VAR = "cpi-var"
    SGCN_96 = "sgcn-96"
    ITIP_110 = "itip-110"
    ITIP_212 = "itip-212"
    GID_96 = "gid-96"
    USDOD_96 = "usdod-96"
    ADI_VAR = "adi-var"

    @property
    def scheme(self) -> EpcScheme:
        return EpcScheme(self.value.split("-")[0])


@dataclass(frozen=True)
class _Encoding:
    library: type[TagEncodable]  # epcpy's class of the scheme
    filters: type[Enum] | None  # epcpy's filter values (None: the encoding has no filter)
    bits: int | None  # None: a variable length (CPI-var, ADI-var)

    def header(self, coding: EpcCoding) -> int:
        """The first byte of the EPC (TDS table 14-1), as epcpy has it."""
        return int(self.library.BinaryHeader[coding.name].value, 2)

    @property
    def filter_bits(self) -> int:
        return (len(self.filters) - 1).bit_length() if self.filters is not None else 0

    def encode(self, coding: EpcCoding, urn: str, filter_value: int) -> str:
        """The bits of ``urn`` in ``coding``, by epcpy (whose classes name the same options differently)."""
        options: dict[str, object] = {"binary_coding_scheme": self.library.BinaryCodingScheme[coding.name]}
        if self.filters is not None:
            options["filter_value"] = self.filters(str(filter_value))
        return str(self.library(urn).binary(**options))


_ENCODINGS: dict[EpcCoding, _Encoding] = {
    EpcCoding.SGTIN_96: _Encoding(SGTIN, SGTINFilterValue, 96),
    EpcCoding.SGTIN_198: _Encoding(SGTIN, SGTINFilterValue, 198),
    EpcCoding.SSCC_96: _Encoding(SSCC, SSCCFilterValue, 96),
    EpcCoding.GRAI_96: _Encoding(GRAI, GRAIFilterValue, 96),
    EpcCoding.GRAI_170: _Encoding(GRAI, GRAIFilterValue, 170),
    EpcCoding.SGLN_96: _Encoding(SGLN, SGLNFilterValue, 96),
    EpcCoding.SGLN_195: _Encoding(SGLN, SGLNFilterValue, 195),
    EpcCoding.GIAI_96: _Encoding(GIAI, GIAIFilterValue, 96),
    EpcCoding.GIAI_202: _Encoding(GIAI, GIAIFilterValue, 202),
    EpcCoding.GSRN_96: _Encoding(GSRN, GSRNFilterValue, 96),
    EpcCoding.GSRNP_96: _Encoding(GSRNP, GSRNPFilterValue, 96),
    EpcCoding.GDTI_96: _Encoding(GDTI, GDTIFilterValue, 96),
    EpcCoding.GDTI_174: _Encoding(GDTI, GDTIFilterValue, 174),
    EpcCoding.CPI_96: _Encoding(CPI, CPIFilterValue, 96),
    EpcCoding.CPI_VAR: _Encoding(CPI, CPIFilterValue, None),
    EpcCoding.SGCN_96: _Encoding(SGCN, SGCNFilterValue, 96),
    EpcCoding.ITIP_110: _Encoding(ITIP, ITIPFilterValue, 110),
    EpcCoding.ITIP_212: _Encoding(ITIP, ITIPFilterValue, 212),
    EpcCoding.GID_96: _Encoding(GID, None, 96),
    EpcCoding.USDOD_96: _Encoding(USDOD, USDODFilterValue, 96),
    EpcCoding.ADI_VAR: _Encoding(ADI, ADIFilterValue, None),
}
_BY_HEADER = {encoding.header(coding): coding for coding, encoding in _ENCODINGS.items()}
_HEX = re.compile(r"^[0-9A-F]+$")


def _hex_lengths(bits: int) -> tuple[int, ...]:
    """Hex digits an EPC of ``bits`` may come as: whole nibbles, or whole 16-bit words as a tag's memory holds it."""
    return tuple(sorted({-(-bits // 4), -(-bits // 16) * 4}))


def _words_hex(bits: str) -> str:
    """Bits as a tag's EPC memory holds them: padded with zeros to whole 16-bit words, in hexadecimal."""
    width = -(-len(bits) // 16) * 16
    return f"{int(bits.ljust(width, '0'), 2):0{width // 4}X}"


@dataclass(frozen=True)
class Epc:
    """The EPC memory of an RFID tag in any TDS binary encoding (``EpcCoding``), decoded to its pure identity.

    Decoding is epcpy's; on top of it, a read is refused unless it has the length of its encoding (whole nibbles or
    whole 16-bit words, padding zero) and its bits are the one canonical encoding of what they decode to (decoded,
    re-encoded, compared), so that a flipped bit in a reserved field or an over-range partition never turns into a
    different, valid-looking identifier.  ``identity`` is the value object of the schemes the platform traces
    (SGTIN, SSCC, GRAI) and None for the others, which name locations, assets, documents … (``NOT_TRACED``).
    ``filter`` is None for GID-96, which has none.
    """

    hex: str
    coding: EpcCoding
    filter: int | None
    urn: str
    identity: EpcIdentity | None

    @classmethod
    def from_hex(cls, text: str) -> Epc:
        normalised = text.strip().upper()
        if not _HEX.match(normalised):
            raise _invalid(Scheme.EPC_HEX, text, "must be hexadecimal digits", "必须是十六进制数")
        coding = _BY_HEADER.get(int(normalised[:2], 16)) if len(normalised) >= 2 else None
        if coding is None:
            known = ", ".join(f"{e.header(c):02X} {c.value}" for c, e in _ENCODINGS.items())
            raise _invalid(
                Scheme.EPC_HEX,
                text,
                f"unknown or unsupported EPC header {normalised[:2]} (supported: {known})",
                f"未知或不支持的 EPC 头 {normalised[:2]}",
            )
        encoding = _ENCODINGS[coding]
        if encoding.bits is not None:
            _check_length(text, normalised, coding, encoding.bits)
        bits = f"{int(normalised, 16):0{len(normalised) * 4}b}"
        filt = int(bits[8 : 8 + encoding.filter_bits], 2) if encoding.filters is not None else None
        try:
            urn = str(epcpy.hex_to_tag_encodable(normalised).epc_uri)
            traced = _TRACED.get(coding.scheme)
            identity = traced(urn) if traced is not None else None
            canonical = encoding.encode(coding, urn, filt or 0)
        except InvalidIdentifier as e:
            raise _invalid(Scheme.EPC_HEX, text, e.message, e.message_zh) from e
        except Exception as e:
            raise _invalid(Scheme.EPC_HEX, text, str(e) or type(e).__name__, "无法解码 EPC") from e
        if encoding.bits is None:
            _check_length(text, normalised, coding, len(canonical))
        expected = _words_hex(canonical)
        width = max(len(normalised), len(expected))
        if expected.ljust(width, "0") != normalised.ljust(width, "0"):
            raise _invalid(
                Scheme.EPC_HEX,
                text,
                f"not the canonical {coding.value} encoding of {urn} (reserved or unused bits set?)",
                f"不是 {urn} 的规范 {coding.value} 编码（保留位被置位？）",
            )
        return cls(normalised, coding, filt, urn, identity)

    @classmethod
    def encode(cls, urn: str, coding: EpcCoding, filter_value: int = 0) -> Epc:
        """The tag encoding of a pure-identity URN, as a printer-encoder writes it (for tests and tag commissioning).

        >>> Epc.encode("urn:epc:id:giai:0614141.12345400", EpcCoding.GIAI_96, 1).hex
        '3434257BF400000000BC6038'
        """
        encoding = _ENCODINGS[coding]
        if not 0 <= filter_value < 2**encoding.filter_bits:
            top = 2**encoding.filter_bits - 1
            raise _invalid(
                Scheme.EPC_HEX,
                urn,
                f"the filter value of {coding.value} is 0 to {top}",
                f"{coding.value} 的过滤值须为 0 到 {top}",
            )
        if not urn.startswith(f"urn:epc:id:{coding.scheme.value}:"):
            raise _invalid(
                Scheme.EPC_HEX,
                urn,
                f"{coding.value} encodes urn:epc:id:{coding.scheme.value}:… identities",
                f"{coding.value} 只能编码 urn:epc:id:{coding.scheme.value}:… 标识",
            )
        try:
            bits = encoding.encode(coding, urn, filter_value)
        except Exception as e:
            why = f"cannot be encoded as {coding.value}: {str(e) or type(e).__name__}"
            raise _invalid(Scheme.EPC_HEX, urn, why, f"无法编码为 {coding.value}") from e
        written = cls.from_hex(_words_hex(bits))
        if written.urn != urn:  # a tag that reads back as something else must never be written
            raise _invalid(
                Scheme.EPC_HEX,
                urn,
                f"cannot be encoded as {coding.value}: it would read back as {written.urn}",
                f"无法编码为 {coding.value}：读回为 {written.urn}",
            )
        return written

    @property
    def scheme(self) -> EpcScheme:
        return self.coding.scheme

    @property
    def tag_uri(self) -> str:
        """The EPC tag URI (``urn:epc:tag:<coding>:<filter>.<…>``): the pure identity plus how the tag encodes it."""
        body = self.urn.split(":", 4)[4]
        return f"urn:epc:tag:{self.coding.value}:{'' if self.filter is None else f'{self.filter}.'}{body}"

    @property
    def names(self) -> tuple[str, str]:
        """What the tag names, in English and Chinese, for a tag that is not a traced unit; empty if it is one."""
        return NOT_TRACED.get(self.scheme, ("", ""))


def _check_length(text: str, normalised: str, coding: EpcCoding, bits: int) -> None:
    lengths = _hex_lengths(bits)
    if len(normalised) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise _invalid(
            Scheme.EPC_HEX,
            text,
            f"{coding.value} needs {expected} hex digits, got {len(normalised)}",
            f"{coding.value} 需要 {expected} 位十六进制数，实际 {len(normalised)} 位",
        )


@dataclass(frozen=True)
class EpcHex:
    """The EPC memory of an RFID tag naming a unit the platform traces: an SGTIN-96/198, SSCC-96 or GRAI-96/170 tag.

    Read as ``Epc`` reads any tag; a tag of another scheme (a location's SGLN, an asset's GIAI …) is refused with
    what it names.  The key is the pure identity's: the SGTIN-96 and SGTIN-198 tags, the ``urn:epc:id:sgtin`` URN
    and the Digital Link of one unit all find it.
    """

    hex: str
    coding: EpcCoding
    filter: int
    identity: EpcIdentity
    scheme: ClassVar[Scheme] = Scheme.EPC_HEX

    @classmethod
    def parse(cls, text: str) -> EpcHex:
        return cls.of(Epc.from_hex(text))

    @classmethod
    def of(cls, epc: Epc) -> EpcHex:
        """The traced unit a decoded tag names; ``InvalidIdentifier`` saying what the tag names if it is none."""
        if epc.identity is None or epc.filter is None:
            what, what_zh = epc.names
            raise _invalid(
                cls.scheme,
                epc.hex,
                f"this {epc.coding.value} tag ({epc.urn}) names {what}, not a unit the platform traces",
                f"{epc.coding.value} 标签（{epc.urn}）标识的是{what_zh}，不是平台追溯的物品",
            )
        return cls(epc.hex, epc.coding, epc.filter, epc.identity)

    @classmethod
    def encode(cls, urn: str, coding: EpcCoding, filter_value: int = 0) -> EpcHex:
        """The tag encoding of a pure-identity URN of a traced scheme (see ``Epc.encode`` for the others).

        >>> EpcHex.encode("urn:epc:id:sgtin:0614141.812345.6789", EpcCoding.SGTIN_96, 3).hex
        '3074257BF7194E4000001A85'
        """
        return cls.of(Epc.encode(urn, coding, filter_value))

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
    Scheme.DIGITAL_LINK.value: parse_digital_link,
    Scheme.SGTIN_URN.value: SgtinUrn.parse,
    Scheme.SGTIN_HEX.value: Sgtin96Hex.parse,
    Scheme.SSCC_URN.value: SsccUrn.parse,
    Scheme.GRAI_URN.value: GraiUrn.parse,
    Scheme.EPC_HEX.value: EpcHex.parse,
    Scheme.BATTERY.value: BatteryCode.parse,
    Scheme.VIN.value: Vin.parse,
    Scheme.INTERNAL.value: InternalCode.parse,
}


def parse_path_value(scheme: PathScheme, value: str) -> Identifier:
    """The identifier a platform path ``/id/{scheme}/{value}`` names, from its value as sent (percent-encoded)."""
    return _PARSERS[scheme.value](unquote(value))


# The platform's own link for an object that has no GS1 key, as its label's QR code carries it:
# ``<resolver base>/id/{scheme}/{value}``.
_PLATFORM_PATH = re.compile(rf"/id/(?P<scheme>{'|'.join(PathScheme)})/(?P<value>[^/]+)$")


def parse_identifier(text: str) -> Identifier:
    """Read an identifier as a scanner or a person gives it.

    An explicit ``<scheme>:`` prefix (``vin:``, ``gbt34014:``, ``sgtin96:``, ``epc:``, ``internal:``) decides the
    scheme; ``epc:<hex>`` is a tag's EPC memory in any encoding ``EpcHex`` reads (SGTIN-96/198, SSCC-96, GRAI-96/170;
    a tag of another EPC scheme is refused, saying what it names).
    Otherwise the form decides, in this order: ``http(s)://`` is a Digital Link (of a trade item with its serial, an
    SSCC or a GRAI with its serial) or the platform's link ``…/id/{scheme}/{value}`` that the label of an object
    without a GS1 key carries (``gbt34014``, ``vin``, ``internal``), ``urn:epc:id:sgtin:``,
    ``urn:epc:id:sscc:`` and ``urn:epc:id:grai:`` are EPC URNs,
    24 hex digits starting ``30`` an SGTIN-96; then, for letters and digits only: 24 long a battery code, 17 a
    VIN, 20 to 28 with P, M or C in position 4, is a battery code of the wrong length, and 16 or 18 long a VIN of
    the wrong length, and hex starting ``30`` of 20 to 28 digits a broken SGTIN-96 read: all errors, never silently
    an internal code.  Anything else is an internal code (give
    internal codes a separator such as ``-`` or the ``internal:`` prefix).

    >>> parse_identifier("vin:LFV2A21K0D4010942").key
    'vin:LFV2A21K0D4010942'
    >>> parse_identifier("https://trace.example/id/vin/LFV2A21K0D4010942").key
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
        platform_path = _PLATFORM_PATH.search(urlsplit(raw).path)
        if platform_path:  # the link on the label of an object without a GS1 key: /id/{scheme}/{value}
            return parse_path_value(PathScheme(platform_path["scheme"]), platform_path["value"])
        return parse_digital_link(raw)
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
