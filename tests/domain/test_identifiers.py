"""Identifiers: published test vectors and properties that must hold for every value."""

from __future__ import annotations

import doctest

import pytest
from epcpy.epc_schemes import SGTIN
from epcpy.epc_schemes.sgtin import SGTINFilterValue
from hypothesis import given
from hypothesis import strategies as st

import retrace.domain.identifiers as identifiers_module
from retrace.domain.errors import InvalidIdentifier
from retrace.domain.identifiers import (
    BatteryCode,
    DigitalLink,
    InternalCode,
    Scheme,
    Sgtin96Hex,
    SgtinUrn,
    Vin,
    lookup_keys,
    parse_identifier,
    vin_check_digit,
)


def test_doc_examples_run() -> None:
    result = doctest.testmod(identifiers_module)
    assert result.attempted >= 5 and result.failed == 0


def test_tds_test_vector_hex_and_urn_are_the_same_unit() -> None:
    tag = Sgtin96Hex.parse("3074257BF7194E4000001A85")
    assert tag.urn.urn == "urn:epc:id:sgtin:0614141.812345.6789"
    assert tag.key == SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.6789").key
    assert tag.key == DigitalLink.parse("https://example.org/01/80614141123458/21/6789").key


def test_vin_check_digit_of_a_published_example() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert Vin.parse("1m8gdm9axkp042788").vin == "1M8GDM9AXKP042788"


def test_errors_name_the_scheme_and_say_why() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        Vin.parse("1M8GDM9A1KP042788")
    assert info.value.code == "INVALID_IDENTIFIER"
    assert "check digit is 1, expected X" in info.value.message and "校验位" in info.value.message_zh
    assert info.value.details == {"scheme": "vin", "value": "1M8GDM9A1KP042788"}


def test_battery_code_product_type() -> None:
    assert BatteryCode.parse("0A1ME050000000000000001X").product_type == "module"


def test_digital_link_without_serial_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="serial"):
        DigitalLink.parse("https://id.gs1.org/01/80614141123458")


def test_an_ambiguous_24_character_lookup_tries_both_readings() -> None:
    # 0x302C…: an SGTIN-96 whose 4th character is C, so it is also a well-formed battery code (a cell).
    assert lookup_keys("302C3A91AE07EEC000001A85") == [
        "gs1:01/80614141121232/21/6789",
        "gbt34014:302C3A91AE07EEC000001A85",
    ]
    # the TDS test vector has 4 in position 4: it cannot be a battery code
    assert lookup_keys("3074257BF7194E4000001A85") == ["gs1:01/80614141123458/21/6789"]


# -- properties -------------------------------------------------------------------------------------------------


@st.composite
def sgtins(draw: st.DrawFn) -> tuple[str, str, int]:
    """A valid SGTIN-96 (company prefix 6 to 12 digits, 13 digits with the item reference, serial < 2^38)."""
    prefix_len = draw(st.integers(min_value=6, max_value=12))
    prefix = draw(st.text("0123456789", min_size=prefix_len, max_size=prefix_len))
    item_ref = draw(st.text("0123456789", min_size=13 - prefix_len, max_size=13 - prefix_len))
    serial = draw(st.integers(min_value=0, max_value=2**38 - 1))
    return prefix, item_ref, serial


@given(sgtins(), st.sampled_from(list(SGTINFilterValue)))
def test_sgtin96_hex_urn_and_digital_link_round_trip(
    sgtin: tuple[str, str, int], filt: SGTINFilterValue
) -> None:
    prefix, item_ref, serial = sgtin
    urn = f"urn:epc:id:sgtin:{prefix}.{item_ref}.{serial}"
    hex_value = SGTIN(urn).hex(binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=filt)
    from_hex = Sgtin96Hex.parse(hex_value)
    from_urn = SgtinUrn.parse(urn)
    assert from_hex.urn.urn == urn
    assert from_hex.key == from_urn.key
    link = DigitalLink.for_unit("https://id.example.cn", from_urn.unit.gtin14, str(serial))
    assert link.key == from_urn.key
    assert parse_identifier(hex_value.lower()).key == from_urn.key
    assert parse_identifier(link.uri).key == from_urn.key


_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@st.composite
def vins(draw: st.DrawFn) -> str:
    body = draw(st.text(_VIN_ALPHABET, min_size=17, max_size=17))
    return body[:8] + vin_check_digit(body) + body[9:]


@given(vins())
def test_every_vin_with_its_check_digit_parses(value: str) -> None:
    assert parse_identifier(value).key == f"vin:{value}"


@given(vins(), st.sampled_from("0123456789X"))
def test_a_vin_with_any_other_check_digit_is_refused(value: str, digit: str) -> None:
    if digit == value[8]:
        return
    with pytest.raises(InvalidIdentifier):
        Vin.parse(value[:8] + digit + value[9:])


@given(st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=24, max_size=24), st.sampled_from("PMC"))
def test_every_well_formed_battery_code_parses(body: str, kind: str) -> None:
    code = body[:3] + kind + body[4:]
    parsed = parse_identifier(f"gbt34014:{code}")
    assert parsed.scheme is Scheme.BATTERY and parsed.key == f"gbt34014:{code}"


@given(
    st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=20, max_size=28).filter(lambda s: len(s) != 24),
    st.sampled_from("PMC"),
)
def test_battery_codes_of_the_wrong_length_are_refused_not_taken_as_internal(body: str, kind: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_identifier(body[:3] + kind + body[4:])


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,40}-[A-Za-z0-9]{1,8}", fullmatch=True))
def test_codes_with_a_separator_are_internal_codes(code: str) -> None:
    parsed = parse_identifier(code)
    assert isinstance(parsed, InternalCode) and parsed.key == f"internal:{code}"


@given(st.text(min_size=1, max_size=80))
def test_any_text_parses_or_raises_our_error_only(text: str) -> None:
    try:
        parsed = parse_identifier(text)
    except InvalidIdentifier:
        return
    assert parsed.key and parsed.value


def test_sgtin_urn_serials_may_hold_dots_and_escapes() -> None:
    dotted = SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.a.b")
    assert dotted.unit.serial == "a.b"
    assert dotted.key != SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.b").key
    escaped = SgtinUrn.parse("urn:epc:id:sgtin:0614141.812345.A%2FB")
    assert escaped.key == DigitalLink.parse("https://id.gs1.org/01/80614141123458/21/A%2FB").key


def test_a_truncated_rfid_read_is_refused_not_taken_as_an_internal_code() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_identifier("3074257BF7194E4000001A8")
    assert info.value.details["scheme"] == "sgtin96"
