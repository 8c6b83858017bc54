"""``/scan/``: the mobile web scanner, a static app (``retrace/api/web/scanner``) that talks to the REST API.

Served from this app and nowhere else: the page, its scripts, the QR decoder, the manifest, the icons and the
service worker. Everything a person's phone loads comes from here (the Content-Security-Policy allows nothing else),
so the scanner works in a yard with no internet and installs as a PWA.

The QR decoder (jsQR, for browsers without a ``BarcodeDetector``) is not part of this repository: ``npm ci``
(``scripts/bootstrap``) installs it from the npm registry at the version ``package-lock.json`` pins, and it is served
from where it was installed (``TRACE_SCANNER_DECODER_JS``) at ``/scan/lib/jsQR.js``. Without it the page still
works for typed codes and says that it has no decoder; the route says what to run, and the server warns at start.

The service worker is rendered per process: its cache name carries a hash of every file of the app, so a
deployment that changes any file makes phones fetch the new shell, and one that changes nothing keeps their cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from retrace.api.errors import body as error_body
from retrace.api.static import MEDIA_TYPES, Asset
from retrace.config import Settings

log = logging.getLogger(__name__)

WEB_ROOT = Path(__file__).resolve().parent.parent / "web" / "scanner"
PAGE = "/scan/"
SERVICE_WORKER = "sw.js"
# Where the page's decoder worker loads jsQR from, relative to the page.
DECODER = "lib/jsQR.js"
DECODER_ADVICE = (
    "run scripts/bootstrap (it runs `npm ci`, which installs jsQR into node_modules/) or set "
    "TRACE_SCANNER_DECODER_JS to a jsQR build, then restart the server"
)


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
class Shell:
    """The scanner's files by the path the page asks for (``index.html``, ``lib/jsQR.js`` …); ``cached`` is what
    the service worker keeps for offline use (every file but itself); ``decoder`` is where jsQR was looked for."""

    assets: Mapping[str, Asset]
    version: str
    cached: tuple[str, ...]
    decoder: Path

    @property
    def has_decoder(self) -> bool:
        return DECODER in self.assets


def load_shell(folder: Path, decoder: Path) -> Shell:
    """Read the app from ``folder`` and jsQR from ``decoder`` (left out if it is not there); the service worker
    gets the shell's version and file list filled in."""
    raw: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if not path.is_file() or any(part.startswith(".") for part in parts):
            continue
        # Nothing else belongs to the app: an editor's stray file is not served.
        if path.suffix in MEDIA_TYPES:
            raw["/".join(parts)] = path.read_bytes()
    if decoder.is_file():
        raw[DECODER] = decoder.read_bytes()
    digest = hashlib.sha256()
    for name, content in sorted(raw.items()):
        digest.update(name.encode() + b"\0" + content + b"\0")
    version = digest.hexdigest()[:16]
    cached = tuple("./" if rel == "index.html" else rel for rel in sorted(raw) if rel != SERVICE_WORKER)
    assets = {rel: Asset.of(content, rel) for rel, content in raw.items()}
    if SERVICE_WORKER in raw:
        worker = (
            raw[SERVICE_WORKER]
            .decode()
            .replace('"__SHELL__"', json.dumps(list(cached)))
            .replace("__VERSION__", version)
        )
        assets[SERVICE_WORKER] = Asset.of(worker.encode(), SERVICE_WORKER)
    return Shell(assets=assets, version=version, cached=cached, decoder=decoder)


@functools.cache
def shell(decoder: Path) -> Shell:
    """The app as installed with the decoder at ``decoder``, read once per process on first use."""
    return load_shell(WEB_ROOT, decoder)


def _decoder_missing() -> JSONResponse:
    # The file's path on the server goes to the log only: a phone has no business knowing the server's folders.
    return JSONResponse(
        error_body(
            "NOT_FOUND",
            f"the scanner's QR decoder (jsQR) is not installed on this server: {DECODER_ADVICE}. "
            "Until then the scanner works with typed or pasted codes only",
            "扫码页的二维码识别组件（jsQR）未安装：请运行 scripts/bootstrap（即 npm ci）后重启服务；"
            "在此之前只能输入或粘贴编码",
        ),
        status_code=404,
        headers=_COMMON_HEADERS,
    )


def _serve(path: str, request: Request, app_shell: Shell) -> Response:
    asset = app_shell.assets.get(path)
    if asset is None:
        if path == DECODER:
            return _decoder_missing()
        raise HTTPException(status_code=404)
    headers = {**_COMMON_HEADERS}
    if path == SERVICE_WORKER:
        headers["Service-Worker-Allowed"] = PAGE
    return asset.response(request, headers)


def router_for(decoder: Path) -> APIRouter:
    """The scanner's routes, serving jsQR from ``decoder``; at the server's start they warn if it is missing."""

    @asynccontextmanager
    async def warn_without_decoder(app: FastAPI) -> AsyncIterator[None]:
        if not shell(decoder).has_decoder:
            log.warning(
                "the scanner's QR decoder (jsQR) is missing at %s: phones without a BarcodeDetector cannot scan "
                "(typed codes still work); %s",
                decoder,
                DECODER_ADVICE,
            )
        yield

    router = APIRouter(tags=["scanner"], include_in_schema=False, lifespan=warn_without_decoder)

    @router.get("/scan")
    async def scanner_without_slash(request: Request) -> RedirectResponse:
        """The page lives at ``/scan/`` so that its service worker's scope (``/scan/``) covers it."""
        query = request.url.query
        return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=307)

    @router.get(PAGE)
    async def scanner_page(request: Request) -> Response:
        return _serve("index.html", request, shell(decoder))

    @router.get(PAGE + "{path:path}")
    async def scanner_file(path: str, request: Request) -> Response:
        return _serve(path, request, shell(decoder))

    return router


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the scanner at ``/scan/`` with the decoder the settings name."""
    app.include_router(router_for(settings.scanner_decoder_js))
