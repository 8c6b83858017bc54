"""``/scan/``: the mobile web scanner, a static app (``retrace/api/web/scanner``) that talks to the REST API.

Served from this app and nowhere else: the page, its scripts, the vendored QR decoder, the manifest, the icons
and the service worker. Everything a person's phone loads comes from here (the Content-Security-Policy allows
nothing else), so the scanner works in a yard with no internet and installs as a PWA.

The service worker is rendered per process: its cache name carries a hash of every file of the app, so a
deployment that changes any file makes phones fetch the new shell, and one that changes nothing keeps their cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

WEB_ROOT = Path(__file__).resolve().parent.parent / "web" / "scanner"
PAGE = "/scan/"
SERVICE_WORKER = "sw.js"

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".md": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
# What the service worker keeps for offline use: the page and everything it loads (not the notes and licences).
_SHELL_SUFFIXES = frozenset({".html", ".js", ".css", ".webmanifest", ".svg", ".png"})

# Only this origin, for everything: a page that tried to load a script or a decoder from a CDN would fail here
# (and in the tests) instead of silently depending on the internet. The camera stream is a blob/mediastream.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_COMMON_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    # Revalidate every time (cheap: an ETag answers 304); offline, the service worker answers instead.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class Shell:
    """The scanner's files by path relative to its folder (``index.html``, ``vendor/jsqr/jsQR.js`` …)."""

    assets: Mapping[str, Asset]
    version: str
    cached: tuple[str, ...]


def _asset(body: bytes, media_type: str) -> Asset:
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def load_shell(folder: Path) -> Shell:
    """Read the app from ``folder``; the service worker gets the shell's version and file list filled in."""
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    digest = hashlib.sha256()
    raw: dict[str, bytes] = {}
    for path in files:
        rel = path.relative_to(folder).as_posix()
        if path.suffix not in _MEDIA_TYPES:
            continue  # nothing else belongs to the app; an editor's stray file is not served
        raw[rel] = path.read_bytes()
        digest.update(rel.encode() + b"\0" + raw[rel] + b"\0")
    version = digest.hexdigest()[:16]
    cached = tuple(
        "./" if rel == "index.html" else rel
        for rel in raw
        if Path(rel).suffix in _SHELL_SUFFIXES and rel != SERVICE_WORKER
    )
    assets = {rel: _asset(body, _MEDIA_TYPES[Path(rel).suffix]) for rel, body in raw.items()}
    if SERVICE_WORKER in raw:
        worker = (
            raw[SERVICE_WORKER]
            .decode()
            .replace('"__SHELL__"', json.dumps(list(cached)))
            .replace("__VERSION__", version)
        )
        assets[SERVICE_WORKER] = _asset(worker.encode(), _MEDIA_TYPES[".js"])
    return Shell(assets=assets, version=version, cached=cached)


@functools.cache
def shell() -> Shell:
    """The app as installed, read once per process on first use."""
    return load_shell(WEB_ROOT)


def _serve(path: str, request: Request) -> Response:
    asset = shell().assets.get(path)
    if asset is None:
        raise HTTPException(status_code=404)
    headers = {**_COMMON_HEADERS, "ETag": asset.etag}
    if path == SERVICE_WORKER:
        headers["Service-Worker-Allowed"] = PAGE
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


router = APIRouter(tags=["scanner"], include_in_schema=False)


@router.get("/scan")
async def scanner_without_slash(request: Request) -> RedirectResponse:
    """The page lives at ``/scan/`` so that its service worker's scope (``/scan/``) covers it."""
    query = request.url.query
    return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=307)


@router.get(PAGE)
async def scanner_page(request: Request) -> Response:
    return _serve("index.html", request)


@router.get(PAGE + "{path:path}")
async def scanner_file(path: str, request: Request) -> Response:
    return _serve(path, request)
