"""Labels as SVG: vectors in millimetres, for print shops and for embedding in other documents.

SVG cannot carry font metrics without embedding a font, so widths are estimated (Chinese characters one em, Latin
about half an em); a line whose estimate comes close to its room is given ``textLength``, so whatever font the viewer
picks, the line stays inside the label.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from retrace.adapters.labels.layout import LabelSize, Op, QrOp, Style, TextOp, has_cjk, lay_out
from retrace.app.labels import LabelContent

SANS = (
    "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif"
)
MONO = "'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace"
_ADVANCE = {Style.SANS: 0.56, Style.BOLD: 0.6, Style.MONO: 0.61}


def estimate(text: str, size: float, style: Style) -> float:
    return sum(size if has_cjk(c) else size * _ADVANCE[style] for c in text)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _op(op: Op) -> str:
    if isinstance(op, QrOp):
        module = op.size / op.matrix.size
        path = "".join(f"M{x} {y}h{run}v1h-{run}z" for y, x, run in op.matrix.runs())
        return (
            f'<g transform="translate({_num(op.x)} {_num(op.y)}) scale({module:.6f})">'
            f'<rect width="{op.matrix.size}" height="{op.matrix.size}" fill="#fff"/>'
            f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/></g>'
        )
    if isinstance(op, TextOp):
        family = MONO if op.style is Style.MONO else SANS
        weight = ' font-weight="700"' if op.style is Style.BOLD else ""
        width = estimate(op.text, op.size, op.style)
        fit = (
            f' textLength="{_num(min(width, op.max_width))}" lengthAdjust="spacingAndGlyphs"'
            if op.style is Style.MONO or width > 0.85 * op.max_width
            else ""
        )
        return (
            f'<text x="{_num(op.x)}" y="{_num(op.y)}" font-size="{_num(op.size)}" font-family={quoteattr(family)}'
            f"{weight}{fit}>{escape(op.text)}</text>"
        )
    return (
        f'<rect x="{_num(op.x)}" y="{_num(op.y)}" width="{_num(op.width)}" height="{_num(op.height)}" '
        'fill="none" stroke="#aaa" stroke-width="0.1"/>'
    )


def write_svg(label: LabelContent, size: LabelSize) -> bytes:
    ops = lay_out(label, estimate, size, cjk=True)
    w, h = _num(size.width), _num(size.height)
    body = "\n".join(_op(op) for op in ops)
    title = escape(f"{label.title} — {label.link.uri}")
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">\n'
        f"<title>{title}</title>\n"
        f'<rect width="{w}" height="{h}" fill="#fff"/>\n'
        f"{body}\n</svg>\n"
    )
    return document.encode("utf-8")
