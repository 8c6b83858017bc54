"""Printing labels and reading them back with a real decoder: every QR code holds exactly the item's link."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp

from retrace.adapters.labels import LabelSize, QrLabelRenderer, SheetLayout
from retrace.adapters.labels.fonts import RasterFonts
from retrace.adapters.labels.qr import qr_matrix
from retrace.app.labels import LabelContent, LabelFormat, PrintLabels
from retrace.domain.links import link_for
from retrace.domain.model import Stream
from tests.labels.support import (
    FRIDGE_NAME,
    RESOLVER,
    YUEHUA_ZH,
    decode_png,
    labelled,
    rasterise_svg_qr,
    read_pdf,
)

pytestmark = pytest.mark.asyncio


def squash(text: str) -> str:
    return "".join(text.split())


def assert_plain_qr(code: zxingcpp.Barcode) -> None:
    """A Model 2 QR code at error correction Q: never Micro QR (which many phones cannot read)."""
    assert code.format == zxingcpp.BarcodeFormat.QRCode, code.format  # not MicroQRCode, not rMQR
    assert code.symbology_identifier.startswith("]Q")
    assert code.ec_level == "Q"
    extra: dict[str, object] = dict(code.extra)  # type: ignore[call-overload]
    assert not str(extra.get("Version", "")).startswith("M")


async def test_every_png_label_decodes_to_exactly_its_link(labels: PrintLabels) -> None:
    expected = labelled()
    contents = await labels.for_identifiers([item.identifier for item in expected])
    assert [c.link.uri for c in contents] == [item.link for item in expected]
    for content in contents:
        codes = decode_png(labels.single(content, LabelFormat.PNG))
        assert [c.text for c in codes] == [content.link.uri]
        assert_plain_qr(codes[0])


async def test_every_svg_label_holds_its_link(labels: PrintLabels) -> None:
    for content in await labels.for_identifiers([item.identifier for item in labelled()]):
        svg = labels.single(content, LabelFormat.SVG)
        assert svg.startswith(b"<?xml") and b"http://www.w3.org/2000/svg" in svg
        (code,) = zxingcpp.read_barcodes(rasterise_svg_qr(svg))
        assert code.text == content.link.uri
        assert_plain_qr(code)
        assert content.link.uri.replace("&", "&amp;").encode() in svg  # the link printed for people, too


async def test_a_pdf_sheet_of_all_items_decodes_page_by_page_with_chinese_text(labels: PrintLabels) -> None:
    expected = labelled()
    contents = await labels.for_identifiers([item.identifier for item in expected])
    drawn: list[int] = []
    pages = read_pdf(labels.sheet(contents, drawn.append))
    assert drawn == list(range(1, len(contents) + 1))  # progress after every label
    per_page = SheetLayout().per_page
    assert len(pages) == -(-len(expected) // per_page) == 2
    for number, page in enumerate(pages):
        on_page = expected[number * per_page : (number + 1) * per_page]
        assert sorted(c.text for c in page.codes) == sorted(item.link for item in on_page)
        for code in page.codes:
            assert_plain_qr(code)
        assert "再生资源追溯" in page.text and "Recycling trace" in page.text
    # A long name wraps at a space or anywhere in Chinese: compare without white space.
    first, second = (squash(page.text) for page in pages)
    assert squash(FRIDGE_NAME) in first and YUEHUA_ZH in first and "商品条码与序列号" in first
    assert (
        "(01)80614141123458" in first and "(21)A/B&C" in first
    )  # the serial as printed, not percent-encoded
    assert "车辆识别代号" in first + second
    assert "电池编码" in second and "0A1ME0500000000000000001" in second


async def test_a_short_payload_is_still_a_full_size_qr_code_never_micro_qr(renderer: QrLabelRenderer) -> None:
    for data in ("1", "http://x"):  # Micro QR M1–M4 would be 11 to 17 modules wide
        matrix = qr_matrix(data)
        assert matrix.version == 1 and matrix.size == 21 + 2 * 4  # the smallest QR code, with its quiet zone
    link = link_for(("internal:A-1",), "http://a")
    content = LabelContent("o", link, "x", "x", None, "", "", (), Stream.WEEE)
    (code,) = decode_png(renderer.single(content, LabelFormat.PNG))
    assert code.text == "http://a/id/internal/A-1"
    assert_plain_qr(code)
    (code,) = read_pdf(renderer.sheet([content]))[0].codes
    assert code.text == "http://a/id/internal/A-1"
    assert_plain_qr(code)


async def test_without_a_chinese_font_png_labels_still_print_and_scan(
    labels: PrintLabels, tmp_path: Path
) -> None:
    latin_only = QrLabelRenderer(size=LabelSize(60, 40, 2))
    latin_only.png.fonts = RasterFonts(sans=None, mono=None)  # a machine without CJK or monospaced fonts
    contents = await labels.for_identifiers([labelled()[5].identifier])  # the fridge: a Chinese model name
    (code,) = decode_png(latin_only.single(contents[0], LabelFormat.PNG))
    assert code.text == labelled()[5].link


async def test_png_labels_carry_their_resolution(labels: PrintLabels) -> None:
    import io

    from PIL import Image

    (content,) = await labels.for_identifiers([labelled()[0].identifier])
    with Image.open(io.BytesIO(labels.single(content, LabelFormat.PNG))) as image:
        assert image.size == (round(90 / 25.4 * 300), round(50 / 25.4 * 300))
        assert round(image.info["dpi"][0]) == 300


async def test_the_same_labels_give_the_same_pdf_bytes(labels: PrintLabels) -> None:
    contents = await labels.for_identifiers([item.identifier for item in labelled()[:3]])
    assert labels.sheet(contents) == labels.sheet(contents)
    assert RESOLVER in contents[0].link.uri
