"""A printed label as a camera would see it, written as a Y4M video for Chromium's fake camera.

The label is the platform's own: the PNG that ``GET /api/v1/items/{identifier}/label.png`` renders (300 dpi, a QR
code with the identifiers and model beside it). A camera frame is that label scaled down to fit 640x480 with a
margin of grey around it, as a label held up in a yard fills most of a phone's view.

Y4M (YUV4MPEG2) is a header line, then for each frame ``FRAME\\n`` and the raw planes: Y at full size, then Cb and
Cr at half width and half height (4:2:0). Chromium's ``--use-file-for-fake-video-capture`` plays it in a loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import zxingcpp  # no type information published (mypy override in pyproject.toml)
from PIL import Image

WIDTH, HEIGHT = 640, 480
MARGIN = 24  # grey on every side of the label at least
BACKGROUND = (118, 122, 116)  # a yard's grey, darker than the label's white


def camera_frame(label_png: bytes) -> Image.Image:
    """The label, scaled to fit the frame inside ``MARGIN`` (never enlarged), centred on a grey background."""
    with Image.open(io.BytesIO(label_png)) as opened:
        label = opened.convert("RGB")
    scale = min(1.0, (WIDTH - 2 * MARGIN) / label.width, (HEIGHT - 2 * MARGIN) / label.height)
    # BOX averages the pixels each frame pixel covers, like a camera's sensor; it neither rings nor drops modules.
    label = label.resize((round(label.width * scale), round(label.height * scale)), Image.Resampling.BOX)
    frame = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    frame.paste(label, ((WIDTH - label.width) // 2, (HEIGHT - label.height) // 2))
    return frame


@dataclass(frozen=True)
class SeenCode:
    text: str
    side: int  # the code's width in frame pixels, finder pattern to finder pattern


def codes_in(image: Image.Image) -> list[SeenCode]:
    """The QR codes an independent decoder (ZXing) reads in ``image``: the frame's own check, so that a test that
    fails because the page read nothing is known to have shown it a readable code."""
    seen = []
    for code in zxingcpp.read_barcodes(image):
        p = code.position
        side = max(p.top_right.x, p.bottom_right.x) - min(p.top_left.x, p.bottom_left.x)
        seen.append(SeenCode(code.text, side))
    return seen


def write_y4m(image: Image.Image, path: Path, frames: int = 10, fps: int = 10) -> Path:
    """``frames`` copies of ``image`` as a 4:2:0 Y4M video at ``fps`` frames per second."""
    rgb = image.convert("RGB")
    if rgb.width % 2 or rgb.height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    y, cb, cr = rgb.convert("YCbCr").split()  # full-range BT.601, which is what C420jpeg declares
    half = (rgb.width // 2, rgb.height // 2)
    planes = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    header = f"YUV4MPEG2 W{rgb.width} H{rgb.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode()
    with path.open("wb") as out:
        out.write(header)
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return path
