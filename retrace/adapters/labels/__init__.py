"""The label renderer: QR labels as PNG, SVG and A4 PDF sheets (``retrace.app.labels.LabelRenderer``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from retrace.adapters.labels.fonts import RasterFonts
from retrace.adapters.labels.layout import LabelSize
from retrace.adapters.labels.pdf import SheetLayout, write_sheet
from retrace.adapters.labels.png import PngWriter
from retrace.adapters.labels.svg import write_svg
from retrace.app.labels import LabelContent, LabelFormat

__all__ = ["LabelSize", "QrLabelRenderer", "SheetLayout"]


class QrLabelRenderer:
    """``size``: a single label's size in mm; ``sheet_layout``: the A4 sheet; ``dpi``: PNG resolution; ``font``: a
    font file with Chinese glyphs for PNG labels (found on the machine if not given)."""

    def __init__(
        self,
        size: LabelSize | None = None,
        sheet_layout: SheetLayout | None = None,
        dpi: int = 300,
        font: Path | None = None,
    ) -> None:
        self.size = size or LabelSize()
        self.sheet_layout = sheet_layout or SheetLayout()
        self.png = PngWriter(RasterFonts.discover(font), dpi)

    def single(self, label: LabelContent, fmt: LabelFormat) -> bytes:
        if fmt is LabelFormat.PNG:
            return self.png.write(label, self.size)
        if fmt is LabelFormat.SVG:
            return write_svg(label, self.size)
        return write_sheet([label], self.sheet_layout)

    def sheet(self, labels: Sequence[LabelContent], progress: Callable[[int], None] | None = None) -> bytes:
        return write_sheet(labels, self.sheet_layout, progress)
