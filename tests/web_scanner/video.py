"""A QR label as a camera would see it, written as a Y4M video for Chromium's fake camera.

Y4M (YUV4MPEG2) is a header line, then for each frame ``FRAME\\n`` and the raw planes: Y at full size, then Cb and
Cr at half width and half height (4:2:0). Chromium's ``--use-file-for-fake-video-capture`` plays it in a loop.
"""

from __future__ import annotations

from pathlib import Path

import qrcode  # no type information published (mypy override in pyproject.toml)
import qrcode.constants
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 640, 480


def label_image(payload: str, caption: str) -> Image.Image:
    """A printed label held in front of the camera: a QR code (plain QR, error correction M) and its caption,
    on a grey background like a yard's, the label a little off centre."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = min(300, code.width) if code.width > 300 else code.width
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (WIDTH, HEIGHT), (118, 122, 116))
    label = Image.new("RGB", (side + 40, side + 70), "white")
    label.paste(code, (20, 20))
    ImageDraw.Draw(label).text((20, side + 30), caption, fill="black")
    frame.paste(label, ((WIDTH - label.width) // 2 + 25, (HEIGHT - label.height) // 2))
    return frame


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
