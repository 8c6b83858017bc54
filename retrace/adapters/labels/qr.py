"""QR codes for labels, made with the ``qrcode`` package.

Always a plain (Model 2) QR code, never Micro QR: many phone scanners cannot read Micro QR, and some generators
switch to it silently for short payloads (``qrcode`` has no Micro QR at all, and the tests check every label).
Error correction level Q (about 25 % of the symbol may be lost): labels in yards get scratched, dusty and greasy,
and Q still keeps a Digital Link of 60-odd characters at version 4 or 5, about 37 modules wide.  The matrix includes
the quiet zone of four modules that the QR standard requires around the symbol.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import qrcode  # no type information published (mypy override in pyproject.toml)
import qrcode.constants

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q


@dataclass(frozen=True)
class QrMatrix:
    """``rows[y][x]`` is True for a dark module; ``size`` counts modules including the quiet zone."""

    data: str
    version: int
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """``(y, x, length)`` of each horizontal run of dark modules: one rectangle per run, so a vector drawing
        has no hairline seams between neighbouring modules when it is rasterised."""
        for y, row in enumerate(self.rows):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    yield y, start, x - start
                else:
                    x += 1


def qr_matrix(data: str) -> QrMatrix:
    code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(data, optimize=0)  # one byte-mode segment: URLs gain nothing from mixed modes
    code.make(fit=True)
    rows = tuple(tuple(bool(v) for v in row) for row in code.get_matrix())
    return QrMatrix(data=data, version=int(code.version), rows=rows)
