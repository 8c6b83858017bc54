"""Where a label points: the link of every kind of identifier, and reading a resolver path back to its key."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrace.domain.errors import InvalidInput, InvalidLink
from retrace.domain.identifiers import DigitalLink
from retrace.domain.links import check_base, key_for_path, link_for
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


def test_an_object_without_keys_has_no_link() -> None:
    with pytest.raises(InvalidInput) as caught:
        link_for((), BASE)
    assert caught.value.code == "NO_IDENTIFIER"


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
    ],
)
def test_a_path_that_is_no_link_is_an_invalid_link_saying_why(path: str, reason: str) -> None:
    with pytest.raises(InvalidLink) as caught:
        key_for_path(path)
    assert caught.value.code == "INVALID_LINK" and caught.value.field == "path"
    assert reason in caught.value.message and caught.value.details["path"] == path
    assert caught.value.message_zh != caught.value.message


def test_key_qualifiers_between_the_gtin_and_the_serial_are_allowed() -> None:
    assert key_for_path("/01/09521001101554/10/LOT-7/21/X1") == "gs1:01/09521001101554/21/X1"


@given(
    body=st.text("0123456789", min_size=13, max_size=13),
    serial=st.text(CSET82, min_size=1, max_size=20),
)
def test_any_gtin_and_serial_round_trip_through_the_link(body: str, serial: str) -> None:
    key = f"gs1:01/{gtin14(body)}/21/{serial}"
    link = link_for((key,), BASE)
    assert link.path == f"/01/{gtin14(body)}/21/{quote(serial, safe='')}"
    assert key_for_path(link.path) == key
    assert DigitalLink.parse(link.uri).key == key
