"""The file formats a label is printed in, and their media types.

On its own (no identifiers, no store) so that the command line can offer the formats without loading the label
use case: ``trace --help`` and ``trace sync …`` stay fast on a gateway.
"""

from __future__ import annotations

from enum import StrEnum


class LabelFormat(StrEnum):
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


MEDIA_TYPES: dict[LabelFormat, str] = {
    LabelFormat.PNG: "image/png",
    LabelFormat.SVG: "image/svg+xml",
    LabelFormat.PDF: "application/pdf",
}
