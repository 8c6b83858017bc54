"""Where a label points: the link of every kind of identifier, and reading a resolver path back to its key."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrace.domain.errors import InvalidInput, InvalidLink
from retrace.domain.identifiers import ContainerLink, DigitalLink, EpcCoding, EpcHex, parse_identifier
from retrace.domain.links import check_base, key_for_path, link_for, path_segment
from tests.world import battery, vin

BASE = "https://trace.example.cn"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def gtin14(body: str) -> str:
    """``body`` (13 digits) with its GS1 mod-10 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def test_a_gs1_key_gets_its_digital_link_and_wins_over_other_keys() -> None:
    link = link_for((f"gbt34014:{battery('P', 1)}", "gs1:01/09521004700969/21/25032400003"), BASE + "/")
    assert link.uri == f"{BASE}/01/09521004700969/21/25032400003"
    assert link.gs1 and link.gs1_hri == "(01) 09521004700969 (21) 25032400003"
    assert DigitalLink.parse(link.uri).key == link.key


@pytest.mark.parametrize(
    ("keys", "path"),
    [
        ((f"gbt34014:{battery('P', 1)}", f"vin:{vin(1)}"), f"/id/gbt34014/{battery('P', 1)}"),
        (("internal:XHU-1", f"vin:{vin(1)}"), f"/id/vin/{vin(1)}"),
        (("internal:QTW/CMP-2601",), "/id/internal/QTW%2FCMP-2601"),
    ],
)
def test_other_identifiers_get_the_platform_path_battery_code_then_vin_then_internal(
    keys: tuple[str, ...], path: str
) -> None:
    link = link_for(keys, BASE)
    assert link.uri == BASE + path and not link.gs1 and link.gs1_hri is None
    assert key_for_path(link.path) in keys
    # A scanner that reads the label's QR code and looks the whole link up finds the same object.
    assert parse_identifier(link.uri).key == key_for_path(link.path)
    assert parse_identifier(f"https://trace.example/yard/app{link.path}").key == key_for_path(link.path)


def test_an_object_without_keys_has_no_link() -> None:
    with pytest.raises(InvalidInput) as caught:
        link_for((), BASE)
    assert caught.value.code == "NO_IDENTIFIER" and "voided" in caught.value.message


def test_keys_of_no_linkable_kind_say_so_not_that_the_object_was_voided() -> None:
    with pytest.raises(InvalidInput) as caught:
        link_for(("imo:9176187",), BASE)
    assert caught.value.code == "NO_IDENTIFIER" and caught.value.details["keys"] == ["imo:9176187"]
    assert "voided" not in caught.value.message and "imo:9176187" in caught.value.message


# -- containers: SSCC and GRAI --------------------------------------------------------------------------------------

CAGE_URN = "urn:epc:id:sscc:0614141.1234567890"  # SSCC 106141412345678908
CRATE_URN = "urn:epc:id:grai:0614141.12345.400"  # GRAI 0614141123452 with serial 400


@pytest.mark.parametrize(
    ("identifier", "path", "hri"),
    [
        (CAGE_URN, "/00/106141412345678908", "(00) 106141412345678908"),
        (
            EpcHex.encode(CAGE_URN, EpcCoding.SSCC_96, 2).hex,
            "/00/106141412345678908",
            "(00) 106141412345678908",
        ),
        (CRATE_URN, "/8003/00614141123452400", "(8003) 00614141123452400"),
        ("urn:epc:id:grai:0614141.12345.A%2FB", "/8003/00614141123452A%2FB", "(8003) 00614141123452A/B"),
    ],
)
def test_a_container_gets_its_gs1_digital_link_from_any_of_its_identifiers(
    identifier: str, path: str, hri: str
) -> None:
    key = parse_identifier(identifier if identifier.startswith("urn:") else f"epc:{identifier}").key
    link = link_for((key,), BASE)
    assert (link.uri, link.path, link.gs1, link.gs1_hri) == (BASE + path, path, True, hri)
    assert key_for_path(link.path) == key == parse_identifier(link.uri).key


def test_a_trade_item_key_wins_over_a_container_key_and_a_container_over_a_battery_code() -> None:
    trade = "gs1:01/09521004700969/21/1"
    sscc, grai = "gs1:00/106141412345678908", "gs1:8003/00614141123452400"
    assert link_for((grai, sscc, trade), BASE).key == trade
    assert link_for((grai, sscc), BASE).key == sscc
    assert link_for((f"gbt34014:{battery('P', 1)}", grai), BASE).key == grai


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/00/106141412345678907", "check digit"),  # the SSCC's check digit is 8
        ("/00/10614141234567890", "AI (00)"),  # 17 digits
        ("/00/106141412345678908/21/1", "qualifier"),  # an SSCC takes no qualifier
        ("/8003/00614141123453400", "check digit"),  # the GRAI's check digit is 2
        ("/8003/00614141123452", "serial"),  # a kind of crate, not one crate
        ("/8003/10614141123452400", "AI (8003)"),  # the AI 8003 value starts with 0
        ("/00", "segments"),
    ],
)
def test_a_malformed_container_link_is_an_invalid_link_saying_why(path: str, reason: str) -> None:
    with pytest.raises(InvalidLink) as caught:
        key_for_path(path)
    assert caught.value.code == "INVALID_LINK" and reason in caught.value.message
    assert caught.value.details["path"] == path


def sscc18(body: str) -> str:
    """``body`` (17 digits) with its GS1 mod-10 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@given(body=st.text("0123456789", min_size=17, max_size=17))
def test_any_sscc_round_trips_through_its_link(body: str) -> None:
    key = f"gs1:00/{sscc18(body)}"
    link = link_for((key,), BASE)
    assert link.path == f"/00/{sscc18(body)}"
    assert key_for_path(link.path) == key == ContainerLink.parse(link.uri).key
    wrong = f"{int(link.path[-1]) + 1 if link.path[-1] != '9' else 0}"
    with pytest.raises(InvalidLink):
        key_for_path(link.path[:-1] + wrong)


@given(
    asset=st.text("0123456789", min_size=12, max_size=12),
    serial=st.text(CSET82, min_size=1, max_size=16),
)
def test_any_grai_with_serial_round_trips_through_its_link(asset: str, serial: str) -> None:
    grai13 = gtin14("0" + asset)[1:]  # the GRAI's 13 digits carry the same mod-10 check digit as a GTIN
    key = f"gs1:8003/0{grai13}{serial}"
    link = link_for((key,), BASE)
    assert link.path == f"/8003/0{grai13}{quote(serial, safe='')}"
    assert key_for_path(link.path) == key == ContainerLink.parse(link.uri).key
    assert parse_identifier(link.uri).key == key


@pytest.mark.parametrize("base", ["ftp://x", "trace.example.cn", "https://x/?a=1", "https://x/#f", ""])
def test_the_resolver_base_must_be_a_plain_http_url(base: str) -> None:
    with pytest.raises(InvalidInput):
        check_base(base)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/01/09521001101555/21/1", "check digit"),  # last digit should be 4
        ("/01/09521001101554", "serial"),
        ("/01/09521001101554/10/LOT1", "serial"),
        ("/01/09521001101554/21/A%20B", "AI (21)"),  # a space is not in the GS1 character set
        ("/01/0952100110155/21/1", "GTIN"),
        ("/01/09521001101554/21/1/extra", "segments"),
        (f"/id/vin/{vin(1)[:-1]}X", "check digit"),
        ("/id/gbt34014/0A1PE05", "24 characters"),
        ("/id/rfid/3074257BF7194E4000001A85", "unknown scheme"),
        ("/id/vin", "expected"),
        ("/gtin/09521001101554", "expected"),
        ("/8004/0614141123452", "expected"),  # a GIAI: nothing on the platform is identified by one
    ],
)
def test_a_path_that_is_no_link_is_an_invalid_link_saying_why(path: str, reason: str) -> None:
    with pytest.raises(InvalidLink) as caught:
        key_for_path(path)
    assert caught.value.code == "INVALID_LINK" and caught.value.field == "path"
    assert reason in caught.value.message and caught.value.details["path"] == path
    assert caught.value.message_zh != caught.value.message


@pytest.mark.parametrize(
    ("serial", "segment"), [(".", "%2E"), ("..", "%2E%2E"), ("...", "..."), ("a.b", "a.b")]
)
def test_a_serial_of_dots_alone_is_encoded_so_no_client_resolves_it_away(serial: str, segment: str) -> None:
    link = link_for((f"gs1:01/09521001101554/21/{serial}",), BASE)
    assert link.path == f"/01/09521001101554/21/{segment}"
    assert key_for_path(link.path) == link.key
    assert str(httpx.URL(link.uri)) == link.uri  # what an HTTP client sends is the link as printed


def test_key_qualifiers_between_the_gtin_and_the_serial_are_allowed() -> None:
    assert key_for_path("/01/09521001101554/10/LOT-7/21/X1") == "gs1:01/09521001101554/21/X1"


@given(
    body=st.text("0123456789", min_size=13, max_size=13),
    serial=st.text(CSET82, min_size=1, max_size=20),
)
def test_any_gtin_and_serial_round_trip_through_the_link(body: str, serial: str) -> None:
    key = f"gs1:01/{gtin14(body)}/21/{serial}"
    link = link_for((key,), BASE)
    assert link.path == f"/01/{gtin14(body)}/21/{path_segment(serial)}"
    assert key_for_path(link.path) == key
    assert DigitalLink.parse(link.uri).key == key
