"""A small labelled world (every kind of identifier a label can carry) and the real decoders the tests read with.

QR codes are read with zxing-cpp from the rendered PNG, from the SVG rasterised module by module, and from PDF pages
rendered by PDFium: what a phone's camera would see, not what the renderer meant to draw.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date
from xml.etree import ElementTree

import pypdfium2 as pdfium  # no type information published (mypy override in pyproject.toml)
import zxingcpp
from PIL import Image, ImageDraw

from retrace.app.ports import GraphStore
from retrace.app.registry import Registration
from retrace.domain.events import Commission, Event, NewItem
from retrace.domain.model import Licence, Party, ProductModel, RegionCode, Role, Site, Stream
from tests.world import at, battery, digital_link, registration, sgtin_hex, sgtin_urn, vin

RESOLVER = "http://trace.test"

FRIDGE_GTIN = "09521001202169"
FRIDGE_NAME = "216 升双门冰箱（2025 年款）"
YUEHUA_ZH = "粤华电器股份有限公司"
ODD_SERIAL_LINK = "https://id.gs1.org/01/80614141123458/21/A%2FB%26C"  # serial "A/B&C": encoded in a URI path
CAGE = "urn:epc:id:sscc:0614141.1234567890"  # a logistic unit: SSCC 106141412345678908
CRATE = "urn:epc:id:grai:0614141.12345.A%2F7"  # a returnable asset: GRAI 0614141123452, serial "A/7"


def label_registration() -> Registration:
    """The test world plus a producer and a model with Chinese names and a GTIN, as the demo has."""
    base = registration()
    yuehua = Party(
        "yuehua",
        "Yuehua Electric Appliances Co., Ltd.",
        frozenset({Role.PRODUCER}),
        RegionCode("440606"),
        YUEHUA_ZH,
    )
    fridge = ProductModel(
        "yh-bcd-216",
        "yuehua",
        Stream.WEEE,
        "refrigerator",
        FRIDGE_NAME,
        52_000,
        {"ferrous": 24_600},
        FRIDGE_GTIN,
    )
    containers = [
        ProductModel("cage", "tv-maker", Stream.WEEE, "collection_cage", "收集笼 Collection cage", 45_000),
        ProductModel("crate", "tv-maker", Stream.WEEE, "returnable_crate", "周转箱 Returnable crate", 3_000),
    ]
    return replace(
        base,
        parties=[*base.parties, yuehua],
        sites=[
            *base.sites,
            Site("site-yuehua", "Shunde plant", "yuehua", RegionCode("440606"), "顺德生产基地"),
        ],
        models=[*base.models, fridge, *containers],
        licences=[
            *base.licences,
            Licence("LIC-Y-1", "yuehua", frozenset({Stream.WEEE}), date(2020, 1, 1), date(2030, 12, 31)),
        ],
    )


def fridge_link(n: int) -> str:
    return f"https://id.retrace.example/01/{FRIDGE_GTIN}/21/2502260{n:04d}"


@dataclass(frozen=True)
class Labelled:
    """One commissioned item: an identifier it was commissioned with and the link its label must carry."""

    identifier: str
    link: str


def _new(identifier: str, model: str) -> NewItem:
    return NewItem((identifier,), model)


def label_events() -> list[Event]:
    tvs = [digital_link(1), digital_link(2), sgtin_urn(3), sgtin_hex(4), ODD_SERIAL_LINK]
    return [
        Commission("c-tv", at(0), "site-tv-maker", "tv-maker", items=tuple(_new(t, "tv") for t in tvs)),
        Commission(
            "c-fridge",
            at(1),
            "site-yuehua",
            "yuehua",
            items=tuple(_new(fridge_link(n), "yh-bcd-216") for n in (1, 2)),
        ),
        Commission(
            "c-car",
            at(2),
            "site-car-maker",
            "car-maker",
            items=(
                _new(vin(1), "bev"),
                _new(vin(2), "bev"),
                _new(battery("P", 1), "ncm-pack"),
                NewItem(
                    (battery("P", 2), sgtin_urn(7, "712345")), "ncm-pack"
                ),  # battery code and EPC: GS1 wins
                _new(battery("M", 1), "ncm-module"),
            ),
        ),
        Commission("c-intake", at(3), "site-collector", "collector", items=(_new("XHU-25000043", "tv"),)),
        Commission(
            "c-containers",
            at(4),
            "site-collector",
            "collector",
            items=(_new(CAGE, "cage"), _new(CRATE, "crate")),
        ),
    ]


def labelled() -> list[Labelled]:
    """Every item of ``label_events`` in commissioning order, with the link its label must carry."""
    tv = f"{RESOLVER}/01/80614141123458/21/"
    return [
        *(
            Labelled(i, f"{tv}{n}")
            for i, n in ((digital_link(1), 1), (digital_link(2), 2), (sgtin_urn(3), 3), (sgtin_hex(4), 4))
        ),
        Labelled(ODD_SERIAL_LINK, f"{tv}A%2FB%26C"),
        *(Labelled(fridge_link(n), f"{RESOLVER}/01/{FRIDGE_GTIN}/21/2502260{n:04d}") for n in (1, 2)),
        Labelled(vin(1), f"{RESOLVER}/id/vin/{vin(1)}"),
        Labelled(vin(2), f"{RESOLVER}/id/vin/{vin(2)}"),
        Labelled(battery("P", 1), f"{RESOLVER}/id/gbt34014/{battery('P', 1)}"),
        Labelled(battery("P", 2), f"{RESOLVER}/01/70614141123451/21/7"),
        Labelled(battery("M", 1), f"{RESOLVER}/id/gbt34014/{battery('M', 1)}"),
        Labelled("XHU-25000043", f"{RESOLVER}/id/internal/XHU-25000043"),
        Labelled(CAGE, f"{RESOLVER}/00/106141412345678908"),
        Labelled(CRATE, f"{RESOLVER}/8003/00614141123452A%2F7"),
    ]


async def populate(store: GraphStore) -> None:
    from retrace.app.capture import CaptureEvents
    from retrace.app.registry import RegisterMasterData
    from tests.world import NOW

    await RegisterMasterData(store).execute(label_registration())
    await CaptureEvents(store, clock=lambda: NOW).execute(label_events())


# -- reading the codes back ---------------------------------------------------------------------------------------


def read_codes(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image))


def decode_png(data: bytes) -> list[zxingcpp.Barcode]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return read_codes(image)


@dataclass(frozen=True)
class PdfPage:
    codes: list[zxingcpp.Barcode]
    text: str


def read_pdf(data: bytes, scale: float = 3.0) -> list[PdfPage]:
    """Each page rendered by PDFium at ``scale`` × 72 dpi, its QR codes decoded and its text extracted."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            image = page.render(scale=scale, grayscale=True).to_pil()
            text = page.get_textpage().get_text_range()
            pages.append(PdfPage(read_codes(image), text))
        return pages
    finally:
        document.close()


_MODULES = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")


def rasterise_svg_qr(svg: bytes, module_px: int = 8) -> Image.Image:
    """The QR code of a label SVG drawn module by module from its path (what any SVG viewer would fill)."""
    root = ElementTree.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    group = root.find("svg:g", ns)
    assert group is not None, "the label SVG has no QR group"
    rect, outline = group.find("svg:rect", ns), group.find("svg:path", ns)
    assert rect is not None and outline is not None, "the QR group has no rect or path"
    size = int(rect.get("width", "0"))
    path = outline.get("d")
    assert path
    image = Image.new("L", (size * module_px, size * module_px), 255)
    draw = ImageDraw.Draw(image)
    for x, y, run in ((int(a), int(b), int(c)) for a, b, c in _MODULES.findall(path)):
        draw.rectangle(
            (x * module_px, y * module_px, (x + run) * module_px - 1, (y + 1) * module_px - 1), fill=0
        )
    return image
