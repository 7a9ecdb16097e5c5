"""Compress only what is worth it: pages, papers and boards, not the tiny JSON of a save."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class CompressLarge:
    """Pure ASGI: GETs and attempt starts go through GZip; other requests skip it entirely.

    An answer save, a submit or a login answers ~100 bytes that GZip would not compress
    anyway, yet its wrapper cost a measurable share of a save's CPU (issue 13).
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route the request through GZip only when its answer may be large."""
        if scope["type"] == "http" and (
            scope["method"] in ("GET", "HEAD") or scope["path"].endswith("/attempts")
        ):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
