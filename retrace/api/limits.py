"""A cap on request bodies, checked before anything parses them.

A declared ``Content-Length`` over the cap is refused at once; a body sent without one (chunked) is counted as it
arrives and refused when it passes the cap, so no request can make the server buffer more than the cap.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retrace.api.errors import TraceHTTPException, body_too_large, error_response


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await error_response(body_too_large(self.max_bytes))(scope, receive, send)
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI lets only HTTPExceptions out of body parsing; this one carries our error.
                    raise TraceHTTPException(body_too_large(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)
