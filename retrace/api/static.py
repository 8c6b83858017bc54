"""Files the web pages load (the dashboard's, the scanner's, the GraphQL IDE's), held in memory and served with an
ETag: a browser revalidates each time (``Cache-Control: no-cache``) and gets a 304 when nothing changed, so a new
deployment is seen at once and an unchanged one costs no transfer."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from starlette.requests import Request
from starlette.responses import Response

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, name: str) -> Asset:
        """``body`` served as the file ``name`` (its suffix gives the media type)."""
        return cls(
            body, MEDIA_TYPES[PurePath(name).suffix], '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        )

    def response(self, request: Request, headers: Mapping[str, str]) -> Response:
        """The file with ``headers`` and its ETag, or 304 when the browser already has this version."""
        with_etag = {**headers, "ETag": self.etag}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=with_etag)
        return Response(self.body, media_type=self.media_type, headers=with_etag)
