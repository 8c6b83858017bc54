"""Labels as PNG: a bitmap at a printer's resolution (300 dpi unless told), modules on whole pixels."""

from __future__ import annotations

import io
import threading

from PIL import Image, ImageDraw

from retrace.adapters.labels.fonts import RasterFonts
from retrace.adapters.labels.layout import FrameOp, LabelSize, Op, QrOp, Style, TextOp, lay_out
from retrace.app.labels import LabelContent

MM_PER_INCH = 25.4


class PngWriter:
    def __init__(self, fonts: RasterFonts, dpi: int = 300) -> None:
        self.fonts = fonts
        self.dpi = dpi
        self.px_per_mm = dpi / MM_PER_INCH
        # FreeType faces are shared through the font cache and must not be used by two threads at once (the API
        # draws labels in a thread pool).
        self._lock = threading.Lock()

    def measure(self, text: str, size: float, style: Style) -> float:
        font = self.fonts.load(style is Style.MONO, self._px(size))
        width = font.getlength(text)
        if style is Style.BOLD:
            width += 2 * self._stroke(size)  # the outline widens the line, not each advance
        return width / self.px_per_mm

    def write(self, label: LabelContent, size: LabelSize) -> bytes:
        width, height = round(size.width * self.px_per_mm), round(size.height * self.px_per_mm)
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        with self._lock:
            for op in lay_out(label, self.measure, size, cjk=self.fonts.cjk):
                self._draw(draw, op)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", dpi=(self.dpi, self.dpi), optimize=True)
        return buffer.getvalue()

    def _px(self, mm: float) -> int:
        return round(mm * self.px_per_mm)

    def _stroke(self, size: float) -> int:
        # The CJK font has no bold face: a thin outline in the text colour stands in for one.
        return max(1, round(self._px(size) / 40))

    def _draw(self, draw: ImageDraw.ImageDraw, op: Op) -> None:
        if isinstance(op, QrOp):
            side = self._px(op.size)
            module = max(1, side // op.matrix.size)  # whole pixels per module: crisp edges, nothing resampled
            left = self._px(op.x) + (side - module * op.matrix.size) // 2
            top = self._px(op.y) + (side - module * op.matrix.size) // 2
            for y, x, run in op.matrix.runs():
                draw.rectangle(
                    (
                        left + x * module,
                        top + y * module,
                        left + (x + run) * module - 1,
                        top + (y + 1) * module - 1,
                    ),
                    fill=0,
                )
        elif isinstance(op, TextOp):
            font = self.fonts.load(op.style is Style.MONO, self._px(op.size))
            stroke = self._stroke(op.size) if op.style is Style.BOLD else 0
            draw.text(
                (self._px(op.x), self._px(op.y)),
                op.text,
                font=font,
                fill=0,
                anchor="ls",
                stroke_width=stroke,
                stroke_fill=0,
            )
        elif isinstance(op, FrameOp):
            draw.rectangle(
                (
                    self._px(op.x),
                    self._px(op.y),
                    self._px(op.x + op.width) - 1,
                    self._px(op.y + op.height) - 1,
                ),
                outline=170,
            )
