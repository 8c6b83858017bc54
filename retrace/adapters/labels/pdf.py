"""Label sheets as PDF: A4 pages of labels, with Chinese text in the STSong-Light CID font.

STSong-Light is one of the Adobe CJK fonts that PDF readers provide themselves, so nothing is embedded and no font
file is needed to write the sheet; reportlab knows its metrics.  Latin-only text uses Helvetica and identifiers
Courier (standard PDF fonts too).  The default layout fits common 2 × 5 A4 label stock (99.1 × 57 mm labels, 4.65 mm
side and 6 mm top margins, 2.5 mm between the columns); a light cut guide frames each label for plain paper.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# reportlab publishes no type information.
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from retrace.adapters.labels.layout import FrameOp, LabelSize, Op, QrOp, Style, TextOp, has_cjk, lay_out
from retrace.app.labels import LabelContent

CJK_FONT = "STSong-Light"
mm = 72 / 25.4  # points per millimetre
_LATIN = {Style.SANS: "Helvetica", Style.BOLD: "Helvetica-Bold", Style.MONO: "Courier"}


@dataclass(frozen=True)
class SheetLayout:
    columns: int = 2
    rows: int = 5
    label: LabelSize = field(default_factory=lambda: LabelSize(99.1, 57.0, 3.0))
    left: float = 4.65
    top: float = 6.0
    gap_x: float = 2.5
    gap_y: float = 0.0
    frame: bool = True

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm from the page's top left) of the ``index``-th label on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        return (
            self.left + column * (self.label.width + self.gap_x),
            self.top + row * (self.label.height + self.gap_y),
        )


def _register() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _font(text: str, style: Style) -> str:
    return CJK_FONT if has_cjk(text) else _LATIN[style]


def measure(text: str, size: float, style: Style) -> float:
    _register()
    width: float = pdfmetrics.stringWidth(text, _font(text, style), size * mm)
    return width / mm


class _Page:
    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.height = A4[1]

    def draw(self, op: Op) -> None:
        # Each operation in its own graphics state: a text render mode or a grey stroke must not leak into the next.
        self.canvas.saveState()
        try:
            self._draw(op)
        finally:
            self.canvas.restoreState()

    def _draw(self, op: Op) -> None:
        c = self.canvas
        if isinstance(op, QrOp):
            module = op.size / op.matrix.size * mm
            x0, y0 = op.x * mm, self.height - op.y * mm
            path = c.beginPath()
            for y, x, run in op.matrix.runs():
                path.rect(x0 + x * module, y0 - (y + 1) * module, run * module, module)
            c.setFillGray(0)
            c.drawPath(path, stroke=0, fill=1)
        elif isinstance(op, TextOp):
            font = _font(op.text, op.style)
            c.setFillGray(0)
            c.setStrokeGray(0)
            text = c.beginText(op.x * mm, self.height - op.y * mm)
            text.setFont(font, op.size * mm)
            if op.style is Style.BOLD and font == CJK_FONT:
                # STSong-Light has no bold: fill and stroke the glyphs to thicken them.
                c.setLineWidth(op.size * mm * 0.03)
                text.setTextRenderMode(2)
            text.textOut(op.text)
            c.drawText(text)
        elif isinstance(op, FrameOp):
            c.setStrokeGray(0.7)
            c.setLineWidth(0.2)
            c.rect(
                op.x * mm,
                self.height - (op.y + op.height) * mm,
                op.width * mm,
                op.height * mm,
                stroke=1,
                fill=0,
            )


def write_sheet(
    labels: Sequence[LabelContent],
    layout: SheetLayout = SheetLayout(),
    progress: Callable[[int], None] | None = None,
) -> bytes:
    _register()
    buffer = io.BytesIO()
    # invariant: no creation date or random document id, so the same labels give the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle("trace labels / 追溯标签")
    canvas.setCreator("trace")
    page = _Page(canvas)
    for i, label in enumerate(labels):
        if i and i % layout.per_page == 0:
            canvas.showPage()
        for op in lay_out(label, measure, layout.label, origin=layout.origin(i), frame=layout.frame):
            page.draw(op)
        if progress is not None:
            progress(i + 1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
