"""Fonts for raster labels: a font with Chinese glyphs if the machine has one.

PNG labels are drawn with FreeType, which needs a font file.  The first of the well-known CJK fonts below that exists
is used (``scripts/bootstrap`` installs WenQuanYi Micro Hei on Debian and Ubuntu); without one, PNG labels are
printed in Latin text only (the model id instead of a Chinese model name) rather than as empty boxes.  SVG and PDF
labels do not need a font file: SVG names the fonts and leaves them to the viewer, PDF uses the STSong-Light CID font
every PDF reader has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
MONO_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/System/Library/Fonts/Menlo.ttc",
    "C:/Windows/Fonts/consola.ttf",
)


def _first(candidates: tuple[str, ...]) -> Path | None:
    return next((Path(p) for p in candidates if Path(p).is_file()), None)


@dataclass(frozen=True)
class RasterFonts:
    """``sans``: the font for words (None: Pillow's built-in Latin font); ``mono``: for identifiers."""

    sans: Path | None
    mono: Path | None

    @property
    def cjk(self) -> bool:
        return self.sans is not None

    @classmethod
    def discover(cls, sans: Path | None = None) -> RasterFonts:
        return cls(sans=sans or _first(CJK_CANDIDATES), mono=_first(MONO_CANDIDATES))

    def load(self, mono: bool, px: int) -> ImageFont.FreeTypeFont:
        path = (self.mono or self.sans) if mono else self.sans
        return _load(str(path) if path else None, max(px, 1))


@lru_cache(maxsize=256)
def _load(path: str | None, px: int) -> ImageFont.FreeTypeFont:
    if path is None:
        font = ImageFont.load_default(size=px)
        assert isinstance(font, ImageFont.FreeTypeFont)  # Pillow built with FreeType, as every wheel is
        return font
    return ImageFont.truetype(path, px)
