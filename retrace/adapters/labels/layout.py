"""Where things go on a label, in millimetres, the same for every output format.

``lay_out`` turns a ``LabelContent`` into drawing operations (the QR code, lines of text, a cut guide); the PNG, SVG
and PDF writers only draw them, each with its own fonts, which is why they pass in how wide their text is.  Origin
top left, y downwards; a text's ``y`` is its baseline.

The label: the QR code on the left, with its quiet zone; on the right the model, the producer and every identifier
with a caption in Chinese and English; along the bottom the link itself, so a person can type it when no camera
works.  Identifiers are never cut short: their type shrinks to fit, and a GS1 ``(01) … (21) …`` line breaks before
``(21)`` if it must.  Text that does not fit below the last identifier is left out, least important first (the
link under the QR code goes before any identifier).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from retrace.adapters.labels.qr import QrMatrix, qr_matrix
from retrace.app.labels import LabelContent


class Style(StrEnum):
    SANS = "sans"
    BOLD = "bold"
    MONO = "mono"


@dataclass(frozen=True)
class TextOp:
    x: float
    y: float
    text: str
    size: float  # em height in mm
    style: Style
    max_width: float  # the room it was laid out in (SVG uses it when its guess of the width is too small)


@dataclass(frozen=True)
class QrOp:
    x: float
    y: float
    size: float  # side of the square, quiet zone included
    matrix: QrMatrix


@dataclass(frozen=True)
class FrameOp:
    """A thin cut guide around the label."""

    x: float
    y: float
    width: float
    height: float


Op = TextOp | QrOp | FrameOp
Measure = Callable[[str, float, Style], float]  # (text, size in mm, style) → width in mm


@dataclass(frozen=True)
class LabelSize:
    width: float = 90.0
    height: float = 50.0
    padding: float = 3.0


def has_cjk(text: str) -> bool:
    return any(ord(c) >= 0x2E80 for c in text)


def _fit(
    text: str, size: float, style: Style, room: float, measure: Measure, smallest: float
) -> float | None:
    """The largest size from ``size`` down to ``smallest`` at which ``text`` fits in ``room``; None if none."""
    current = size
    while current >= smallest - 1e-9:
        if measure(text, current, style) <= room:
            return current
        current = round(current - 0.1, 3)
    return None


def _truncate(text: str, size: float, style: Style, room: float, measure: Measure) -> str:
    if measure(text, size, style) <= room:
        return text
    while text and measure(text + "…", size, style) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, size: float, style: Style, room: float, measure: Measure, lines: int) -> list[str]:
    """Up to ``lines`` lines, breaking at spaces where there are any (Chinese text may break anywhere)."""
    out: list[str] = []
    rest = text.strip()
    # Bilingual names ("55-inch LED TV / 55 英寸液晶电视") break best between the languages.
    halves = rest.split(" / ", 1)
    if (
        lines >= 2
        and len(halves) == 2
        and all(measure(h, size, style) <= room for h in (halves[0] + " /", halves[1]))
    ):
        return [halves[0] + " /", halves[1]]
    while rest and len(out) < lines:
        if measure(rest, size, style) <= room:
            out.append(rest)
            rest = ""
            break
        cut = len(rest)
        while cut > 1 and measure(rest[:cut], size, style) > room:
            cut -= 1
        # Break at a space if one is near the end of what fits; Chinese may break anywhere.
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0 and (space >= cut * 0.5 or not has_cjk(rest[:cut])):
            cut = space
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest and out:
        out[-1] = _truncate(out[-1] + " " + rest, size, style, room, measure)
    return out


class _Column:
    """Text placed line by line downwards, while there is room."""

    def __init__(self, x: float, top: float, width: float, bottom: float, measure: Measure) -> None:
        self.x, self.y, self.width, self.bottom, self.measure = x, top, width, bottom, measure
        self.ops: list[TextOp] = []

    def room_for(self, size: float) -> bool:
        return self.y + size * 1.2 <= self.bottom + 1e-9

    def line(self, text: str, size: float, style: Style) -> bool:
        if not text or not self.room_for(size):
            return False
        self.y += size * 1.2
        self.ops.append(TextOp(self.x, self.y - size * 0.22, text, size, style, self.width))
        return True

    def gap(self, mm: float) -> None:
        self.y += mm


def lay_out(
    label: LabelContent,
    measure: Measure,
    size: LabelSize = LabelSize(),
    *,
    origin: tuple[float, float] = (0.0, 0.0),
    cjk: bool = True,
    frame: bool = False,
) -> list[Op]:
    """The operations that draw ``label`` in a ``size`` box at ``origin``; ``cjk`` False: the writer has no
    Chinese glyphs, so only Latin text is laid out (the model id for a Chinese model name)."""
    ox, oy = origin
    w, h, pad = size.width, size.height, size.padding
    footer_size = max(1.6, min(2.2, h * 0.04))
    footer_room = footer_size * 1.6
    qr_side = min(h - 2 * pad - footer_room, w * 0.46)
    ops: list[Op] = []
    if frame:
        ops.append(FrameOp(ox, oy, w, h))
    ops.append(QrOp(ox + pad, oy + pad, qr_side, qr_matrix(label.link.uri)))

    text_x = ox + pad + qr_side + 1.5
    column = _Column(text_x, oy + pad, ox + w - pad - text_x, oy + h - pad - footer_room, measure)
    unit = h / 50  # type scales with the label's height; 50 mm is the reference
    col_w = column.width

    def both(zh: str, en: str) -> str:
        return f"{zh} {en}" if cjk and zh else en

    column.line(
        _truncate(both("再生资源追溯", "Recycling trace"), 2.3 * unit, Style.SANS, col_w, measure),
        2.3 * unit,
        Style.SANS,
    )
    column.gap(0.6 * unit)
    title = label.title if cjk or not has_cjk(label.title) else label.title_latin
    title_size = _fit(title, 3.6 * unit, Style.BOLD, col_w * 2, measure, 2.8 * unit) or 2.8 * unit
    for line in _wrap(title, title_size, Style.BOLD, col_w, measure, 2):
        column.line(line, title_size, Style.BOLD)
    if label.model_id and label.model_id != title:
        column.line(
            _truncate(f"{both('型号', 'Model')}  {label.model_id}", 2.2 * unit, Style.SANS, col_w, measure),
            2.2 * unit,
            Style.SANS,
        )
    producers = [label.producer_zh] if cjk and label.producer_zh else []
    if label.producer and label.producer != label.producer_zh:
        producers.append(label.producer)
    for i, name in enumerate(producers):
        prefix = both("生产者", "Producer") + "  " if i == 0 else ""
        column.line(_truncate(prefix + name, 2.2 * unit, Style.SANS, col_w, measure), 2.2 * unit, Style.SANS)
    column.gap(0.8 * unit)

    for ident in label.identifiers:
        caption = _truncate(both(ident.caption_zh, ident.caption), 1.9 * unit, Style.SANS, col_w, measure)
        value_size = _fit(ident.value, 2.8 * unit, Style.MONO, col_w, measure, 2.0 * unit)
        pieces = [ident.value]
        if value_size is None and " (21) " in ident.value:
            pieces = ident.value.replace(" (21) ", "\n(21) ", 1).split("\n")
            value_size = min(
                (_fit(p, 2.8 * unit, Style.MONO, col_w, measure, 1.4 * unit) or 1.4 * unit) for p in pieces
            )
        if value_size is None:
            value_size = _fit(ident.value, 2.0 * unit, Style.MONO, col_w, measure, 0.5) or 0.5
        needed = 1.9 * unit * 1.2 + len(pieces) * value_size * 1.2
        if column.y + needed > column.bottom + 1e-9:
            break
        column.line(caption, 1.9 * unit, Style.SANS)
        for piece in pieces:
            column.line(piece, value_size, Style.MONO)
        column.gap(0.5 * unit)
    ops.extend(column.ops)

    link_room = w - 2 * pad
    link_size = _fit(label.link.uri, footer_size, Style.MONO, link_room, measure, 1.3)
    if link_size is not None:
        ops.append(TextOp(ox + pad, oy + h - pad, label.link.uri, link_size, Style.MONO, link_room))
    return ops
