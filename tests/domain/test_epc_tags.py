"""RFID tag encodings of the EPC Tag Data Standard beyond SGTIN-96: published vectors and round-trip properties.

Vectors and where they are published:

- TDS 2.x §14.5.1 and Appendix E (the worked SGTIN-96 example, also quoted in the brief):
  ``3074257BF7194E4000001A85`` ↔ ``urn:epc:tag:sgtin-96:3.0614141.812345.6789``.
- TDS Appendix E (the worked SGTIN-198 example): ``urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb`` ↔
  ``3674 257B F6B7 A659 B2C2 BF10 0000 …`` (13 words).
- epcpy's README (nedap/retail-epcpy, "Tag encoded"): ``36300001DB011169E5E5A70EC000000000000000000000000000`` ↔
  ``urn:epc:tag:sgtin-198:1.00000950.01093.Serial``.
- epcpy's tests ``tests/epc_schemes/test_sscc.py`` and ``test_grai.py``: the SSCC-96, GRAI-96 and GRAI-170 rows
  below; the SSCC ``106141412345678908`` is also the GS1 General Specifications' example SSCC.
"""

from __future__ import annotations

import re

import biip.sscc
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from retrace.domain.errors import InvalidIdentifier
from retrace.domain.identifiers import (
    DigitalLink,
    EpcCoding,
    EpcHex,
    GraiUrn,
    Scheme,
    SgtinUrn,
    SsccUrn,
    parse_identifier,
)

# (hex, tag URI, pure identity URN, key)
VECTORS = [
    (
        "3074257BF7194E4000001A85",
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "urn:epc:id:sgtin:0614141.812345.6789",
        "gs1:01/80614141123458/21/6789",
    ),
    (
        "3674257BF6B7A659B2C2BF100000000000000000000000000000",
        "urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb",
        "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
        "gs1:01/70614141123451/21/32a/b",
    ),
    (
        "36300001DB011169E5E5A70EC000000000000000000000000000",
        "urn:epc:tag:sgtin-198:1.00000950.01093.Serial",
        "urn:epc:id:sgtin:00000950.01093.Serial",
        "gs1:01/00000095010939/21/Serial",
    ),
    (
        "3154257BF4499602D2000000",
        "urn:epc:tag:sscc-96:2.0614141.1234567890",
        "urn:epc:id:sscc:0614141.1234567890",
        "gs1:00/106141412345678908",
    ),
    (
        "31583BF982DFDC1C35000000",
        "urn:epc:tag:sscc-96:2.061414.12345678901",
        "urn:epc:id:sscc:061414.12345678901",
        "gs1:00/106141423456789018",
    ),
    (
        "31003932449F003039000000",
        "urn:epc:tag:sscc-96:0.061414123456.12345",
        "urn:epc:id:sscc:061414123456.12345",
        "gs1:00/106141412345623458",
    ),
    (
        "33B4257BF40C0E4000000190",
        "urn:epc:tag:grai-96:5.0614141.12345.400",
        "urn:epc:id:grai:0614141.12345.400",
        "gs1:8003/00614141123452400",
    ),
    (
        "3300393243FF743FFFFFFFFF",
        "urn:epc:tag:grai-96:0.061414113245..274877906943",
        "urn:epc:id:grai:061414113245..274877906943",
        "gs1:8003/00614141132454274877906943",
    ),
    (
        "3714257BF40C0E60C287118B266D1780000000000000",
        "urn:epc:tag:grai-170:0.0614141.12345.ABCD1234%2F",
        "urn:epc:id:grai:0614141.12345.ABCD1234%2F",
        "gs1:8003/00614141123452ABCD1234/",
    ),
]


@pytest.mark.parametrize(("hex_value", "tag_uri", "urn", "key"), VECTORS)
def test_published_vectors_decode_and_encode(hex_value: str, tag_uri: str, urn: str, key: str) -> None:
    tag = EpcHex.parse(hex_value)
    assert tag.tag_uri == tag_uri
    assert tag.identity.urn == urn
    assert tag.key == key == parse_identifier(urn).key == parse_identifier(f"epc:{hex_value}").key
    assert EpcHex.encode(urn, tag.coding, tag.filter).hex == hex_value


def test_an_sgtin_198_tag_and_its_digital_link_are_one_unit() -> None:
    tag = EpcHex.parse(VECTORS[1][0])
    assert tag.coding is EpcCoding.SGTIN_198
    assert tag.key == DigitalLink.parse("https://id.gs1.org/01/70614141123451/21/32a%2Fb").key


def test_sgtin_198_read_as_whole_nibbles_or_whole_words_is_the_same_tag() -> None:
    words = VECTORS[1][0]  # 52 digits: 13 words, as the tag's EPC bank holds it
    nibbles = words[:50]  # 198 bits rounded up to nibbles, as some readers report it
    assert EpcHex.parse(nibbles).key == EpcHex.parse(words).key


@pytest.mark.parametrize(
    ("hex_value", "why"),
    [
        ("E2003412B802011826906046", "unknown or unsupported EPC header E2"),  # a blank tag's factory EPC
        (
            "3574257BF7194E4000001A85",
            "gid-96 tag .* not a unit the platform traces",
        ),  # decodes, names no item
        ("3234257BF460720000000190", "names a location"),  # SGLN-96: a dock door's tag
        ("3074257BF7194E4000001A8", "needs 24 hex digits, got 23"),  # a truncated read
        ("3074257BF7194E4000001A8500", "needs 24 hex digits, got 26"),
        ("307C257BF7194E4000001A85", "partition"),  # partition 7 does not exist
        ("3154257BF4499602D2000001", "not the canonical sscc-96 encoding"),  # a reserved bit set
        ("30G4257BF7194E4000001A85", "hexadecimal"),
        ("", "hexadecimal"),
    ],
)
def test_malformed_tag_reads_are_refused_with_the_reason(hex_value: str, why: str) -> None:
    with pytest.raises(InvalidIdentifier, match=why) as info:
        EpcHex.parse(hex_value)
    assert info.value.details["scheme"] == "epc"


def test_urns_of_the_new_schemes_are_identifiers() -> None:
    assert isinstance(parse_identifier("urn:epc:id:sscc:0614141.1234567890"), SsccUrn)
    assert isinstance(parse_identifier("urn:epc:id:grai:0614141.12345.400"), GraiUrn)
    assert parse_identifier("epc:3154257bf4499602d2000000").scheme is Scheme.EPC_HEX
    with pytest.raises(InvalidIdentifier, match="sscc"):
        parse_identifier("urn:epc:id:sscc:0614141.123456789")  # 16 digits, not 17


# -- properties -------------------------------------------------------------------------------------------------

_DIGITS = "0123456789"
# GS1 AI 21/8003 serials use the 82 characters of CSET 82; in a URN, these are %-escaped (TDS table A-1).
_ESCAPED = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def _urn_escape(serial: str) -> str:
    return "".join(_ESCAPED.get(c, c) for c in serial)


# Two limitations of epcpy 0.1.8 (both refuse a valid identifier with InvalidIdentifier; neither mis-decodes):
# an escape with hex letters (%2F / , %3C < , %3E > , %3F ?) at the start of a serial or right after an escape of
# digits (%22 " , %25 % , %26 &) fails epcpy's check of escapes; and a GRAI serial is limited to 16 characters *as
# escaped* instead of 16 characters.  The properties below leave those inputs out; the two strict xfails say when a
# new epcpy fixes them.
def _epcpy_can_read(serial: str, max_escaped: int = 99) -> bool:
    escaped = _urn_escape(serial)
    pieces = [p for p in re.split(r"(%[0-9][0-9])", escaped) if p]
    misread = any(p.startswith("%") and not re.fullmatch(r"%[0-9][0-9]", p) for p in pieces)
    return not misread and len(escaped) <= max_escaped


@pytest.mark.xfail(raises=InvalidIdentifier, strict=True, reason="epcpy 0.1.8: leading %2F escape")
def test_epcpy_limit_a_serial_starting_with_a_slash() -> None:
    SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.%2Fab")


@pytest.mark.xfail(raises=InvalidIdentifier, strict=True, reason="epcpy 0.1.8: GRAI serial length as escaped")
def test_epcpy_limit_a_grai_serial_of_16_characters_with_escapes() -> None:
    GraiUrn.parse("urn:epc:id:grai:0614141.12345.ABCDEFGHIJKLMN%2F%2F")


@st.composite
def company_and_rest(draw: st.DrawFn, total: int) -> tuple[str, str]:
    """A GS1 company prefix of 6 to 12 digits and the ``total - len(prefix)`` digits that follow it."""
    length = draw(st.integers(min_value=6, max_value=12))
    prefix = draw(st.text(_DIGITS, min_size=length, max_size=length))
    rest = draw(st.text(_DIGITS, min_size=total - length, max_size=total - length))
    return prefix, rest


_FILTERS = st.integers(min_value=0, max_value=7)
_NUMERIC_SERIAL_38 = st.integers(min_value=0, max_value=2**38 - 1).map(str)


@given(company_and_rest(13), st.text(_CSET82, min_size=1, max_size=20), _FILTERS)
def test_sgtin_198_round_trip(prefix_ref: tuple[str, str], serial: str, filt: int) -> None:
    assume(_epcpy_can_read(serial))
    prefix, item_ref = prefix_ref
    urn = f"urn:epc:id:sgtin:{prefix}.{item_ref}.{_urn_escape(serial)}"
    tag = EpcHex.encode(urn, EpcCoding.SGTIN_198, filt)
    again = EpcHex.parse(tag.hex)
    assert (again.coding, again.filter, again.identity.urn) == (EpcCoding.SGTIN_198, filt, urn)
    assert again.key == SgtinUrn.parse(urn).key
    assert again.key.endswith(f"/21/{serial}")


@given(company_and_rest(17), _FILTERS)
def test_sscc_96_round_trip_gives_an_sscc_with_a_valid_check_digit(
    prefix_ref: tuple[str, str], filt: int
) -> None:
    prefix, serial_ref = prefix_ref
    urn = f"urn:epc:id:sscc:{prefix}.{serial_ref}"
    tag = EpcHex.parse(EpcHex.encode(urn, EpcCoding.SSCC_96, filt).hex)
    assert (tag.coding, tag.filter, tag.identity.urn) == (EpcCoding.SSCC_96, filt, urn)
    sscc = tag.key.removeprefix("gs1:00/")
    assert biip.sscc.Sscc.parse(sscc).value == sscc  # an independent library agrees on the check digit
    assert sscc == serial_ref[0] + prefix + serial_ref[1:] + sscc[-1]


@given(company_and_rest(12), _NUMERIC_SERIAL_38, _FILTERS)
def test_grai_96_round_trip(prefix_ref: tuple[str, str], serial: str, filt: int) -> None:
    prefix, asset_type = prefix_ref
    urn = f"urn:epc:id:grai:{prefix}.{asset_type}.{serial}"
    tag = EpcHex.parse(EpcHex.encode(urn, EpcCoding.GRAI_96, filt).hex)
    assert (tag.coding, tag.filter, tag.identity.urn) == (EpcCoding.GRAI_96, filt, urn)
    assert tag.key == GraiUrn.parse(urn).key
    assert tag.key.startswith(f"gs1:8003/0{prefix}{asset_type}") and tag.key.endswith(serial)


@given(company_and_rest(12), st.text(_CSET82, min_size=1, max_size=16), _FILTERS)
def test_grai_170_round_trip(prefix_ref: tuple[str, str], serial: str, filt: int) -> None:
    assume(_epcpy_can_read(serial, max_escaped=16))
    prefix, asset_type = prefix_ref
    urn = f"urn:epc:id:grai:{prefix}.{asset_type}.{_urn_escape(serial)}"
    tag = EpcHex.parse(EpcHex.encode(urn, EpcCoding.GRAI_170, filt).hex)
    assert (tag.coding, tag.filter, tag.identity.urn) == (EpcCoding.GRAI_170, filt, urn)
    assert tag.key == f"gs1:8003/{GraiUrn.parse(urn).grai}" and tag.key.endswith(serial)


@given(
    st.sampled_from(["30", "31", "33"]).flatmap(
        lambda head: st.text("0123456789ABCDEF", min_size=22, max_size=22).map(lambda tail: head + tail)
    )
)
@example("3074257BF7194E4000001A85")
@example("30FFFFFFFFFFFFFFFFFFFFFF")
def test_any_96_bit_read_decodes_to_its_own_canonical_encoding_or_is_refused(hex_value: str) -> None:
    """Random bits never leak a library error, and never decode to an identifier whose tag would be other bits."""
    try:
        tag = EpcHex.parse(hex_value)
    except InvalidIdentifier:
        return
    assert EpcHex.encode(tag.identity.urn, tag.coding, tag.filter).hex == hex_value
    assert parse_identifier(tag.identity.urn).key == tag.key
