"""Where an exception a handler did not expect is rendered: a backing service that refuses or
drops a connection is a 503 the page retries, anything else a logged 500 in the error shape."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest.settings import Settings
from contest.web.errors import HANDLERS


def _app(exc: Exception, settings: Settings) -> Starlette:
    async def boom(request: Request) -> Response:
        raise exc

    app = Starlette(routes=[Route("/", boom)], exception_handlers=HANDLERS)
    app.state.settings = settings  # the locale comes from it
    return app


@pytest.mark.parametrize(("exc", "status", "code"), [
    # PostgreSQL shutting down under a connect (seen in the outage drill as a 500 before)
    (ConnectionResetError(104, "Connection reset by peer"), 503, "unavailable"),
    (ConnectionRefusedError(111, "Connection refused"), 503, "unavailable"),
    (BrokenPipeError(32, "Broken pipe"), 503, "unavailable"),
    (ValueError("a bug"), 500, "internal"),
])
async def test_unexpected_exceptions_are_rendered_by_kind(
        exc: Exception, status: int, code: str, settings: Settings) -> None:
    transport = httpx.ASGITransport(app=_app(exc, settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.get("/")
    assert r.status_code == status
    assert r.json()["error"] == code
    assert r.json()["detail"]  # a Vietnamese sentence a person can act on
