"""Admission control: a cap on API requests in flight per worker, so overload sheds load.

Without a cap, a worker past its capacity queues every request until all of them time out
and completed work drops to zero; with one, the requests it admits finish at normal speed
and the rest get a quick 503 with Retry-After, which the pages retry with backoff.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from contest.errors import ServerBusy
from contest.web.errors import render


class AdmissionLimit:
    """Pure ASGI middleware admitting at most `limit` /api/ requests at once (streams exempt)."""

    def __init__(self, app: ASGIApp, limit: int, wait_s: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_s = wait_s
        self._slots = asyncio.Semaphore(limit) if limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request when a slot frees within wait_s, else answer 503 busy."""
        path = scope.get("path", "")
        if (
            self._slots is None
            or scope["type"] != "http"
            or not path.startswith("/api/")
            or path.endswith("/stream")  # long-lived by design: not counted
        ):
            await self.app(scope, receive, send)
            return
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait_s)
            except TimeoutError:
                response = render(Request(scope), ServerBusy(retry_after=2))
                await response(scope, receive, send)
                return
        else:
            await self._slots.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
