"""``/dashboard/``: the regulators' and producers' dashboard, a static app (``retrace/api/web/dashboard``).

Recovery against targets as bullet charts, a Sankey of material flows, the sites' mass balances and a drill-down
into one site, in Chinese and English, drawn as inline SVG by the page's own script from ``/api/v1/reports``.
Everything it loads comes from this app (the Content-Security-Policy allows nothing else): no CDN, no fonts from
elsewhere, so it works on a closed network.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from retrace.api.static import Asset

WEB_ROOT = Path(__file__).resolve().parent.parent / "web" / "dashboard"
PAGE = "/dashboard/"

_SERVED = frozenset({".html", ".js", ".css", ".svg"})
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidated by ETag: a deployment is seen at once
}


@functools.cache
def assets() -> dict[str, Asset]:
    """The app's files by path relative to its folder, read once per process."""
    out = {}
    for path in sorted(WEB_ROOT.rglob("*")):
        if path.is_file() and path.suffix in _SERVED:
            out[path.relative_to(WEB_ROOT).as_posix()] = Asset.of(path.read_bytes(), path.name)
    return out


def _serve(path: str, request: Request) -> Response:
    asset = assets().get(path)
    if asset is None:
        raise HTTPException(status_code=404)
    return asset.response(request, _HEADERS)


router = APIRouter(tags=["dashboard"], include_in_schema=False)


@router.get("/dashboard")
async def dashboard_without_slash(request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=307)


@router.get(PAGE)
async def dashboard_page(request: Request) -> Response:
    return _serve("index.html", request)


@router.get(PAGE + "{path:path}")
async def dashboard_file(path: str, request: Request) -> Response:
    return _serve(path, request)
